/** Patterns AWS refuses, with its reasons (InvalidEventPatternException). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, InvalidEventPatternError } from '../../../lib/local/pattern/index.ts';

function rejects(pattern: unknown, reason: string | RegExp): void {
  const text = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  assert.throws(() => compilePattern(text), (e: unknown) => {
    assert.ok(e instanceof InvalidEventPatternError, `expected InvalidEventPatternError, got ${String(e)}`);
    assert.equal(e.name, 'InvalidEventPatternException');
    assert.match(e.message, /^Event pattern is not valid\. Reason: /);
    if (typeof reason === 'string') assert.equal(e.reason, reason);
    else assert.match(e.reason, reason);
    return true;
  });
}

function accepts(pattern: unknown): void {
  assert.doesNotThrow(() => compilePattern(JSON.stringify(pattern)));
}

test('text that is not JSON is refused with the parser\'s reason', () => {
  rejects('this is not json', /^Unrecognized token 'this'/);
  rejects("{'bad': 'quotation'}", /^Unexpected character \(''' \(code 39\)\): was expecting double-quote to start field name/);
  rejects('{"a": ["b"]', /end-of-input|expecting comma/);
});

test('JSON that is not an object is refused', () => {
  rejects(['not', 'a', 'dict'], 'Filter is not an object');
  rejects('"string"', 'Filter is not an object');
});

test('leaves must be arrays, arrays must not be empty, objects must not be empty', () => {
  rejects({ source: 'orders' }, '"source" must be an object or an array');
  rejects({ source: 1 }, '"source" must be an object or an array');
  rejects({ source: [] }, 'Empty arrays are not allowed');
  rejects({ detail: {} }, 'Empty objects are not allowed');
  rejects({}, 'Empty objects are not allowed');
  rejects({ source: [['nested']] }, 'Match value must be String, number, true, false, or null');
});

test('operators are case sensitive and must be known', () => {
  rejects({ k: [{ EXISTS: true }] }, 'Unrecognized match type EXISTS');
  rejects({ k: [{ contains: 'x' }] }, 'Unrecognized match type contains');
  rejects({ k: [{}] }, 'Match expression name not found');
});

test('a match expression has exactly one operator', () => {
  rejects({ k: [{ prefix: 'a', suffix: 'b' }] }, 'Only one key allowed in match expression');
});

test('prefix, suffix, equals-ignore-case and wildcard take a string', () => {
  rejects({ k: [{ prefix: 123 }] }, 'prefix match pattern must be a string');
  rejects({ k: [{ suffix: ['a'] }] }, 'suffix match pattern must be a string');
  rejects({ k: [{ 'equals-ignore-case': ['a'] }] }, 'equals-ignore-case match pattern must be a string');
  rejects({ k: [{ 'equals-ignore-case': { prefix: 'a' } }] }, 'equals-ignore-case match pattern must be a string');
  rejects({ k: [{ wildcard: 1 }] }, 'wildcard match pattern must be a string');
  rejects({ k: [{ prefix: { 'equals-ignore-case': 1 } }] }, 'equals-ignore-case match pattern must be a string');
  rejects({ k: [{ prefix: { wildcard: 'a' } }] }, 'Unsupported prefix pattern: wildcard');
});

test('wildcard refuses consecutive stars and unknown escapes', () => {
  rejects({ k: [{ wildcard: 'a**b' }] }, /^Consecutive wildcard characters at pos/);
  rejects({ k: [{ wildcard: 'a\\b' }] }, /^Invalid escape character at pos/);
  accepts({ k: [{ wildcard: 'a\\*\\\\*' }] });
});

test('a wildcard pattern too non-deterministic to match efficiently is refused', () => {
  const stars = Array.from({ length: 60 }, () => 'a').join('*');
  rejects({ k: [{ wildcard: `*${stars}*` }] }, /^Rule is too complex/);
  accepts({ k: [{ wildcard: 'arn:aws:s3:::bucket/*/logs/*' }] });
});

test('exists takes true or false', () => {
  rejects({ k: [{ exists: 'yes' }] }, 'exists match pattern must be either true or false.');
  accepts({ k: [{ exists: false }] });
});

test('numeric takes an array of operator/number pairs, lower bound first', () => {
  rejects({ k: [{ numeric: 10 }] }, 'Value of numeric must be an array.');
  rejects({ k: [{ numeric: ['>', 0, '<'] }] }, 'Value of < must be numeric');
  rejects({ k: [{ numeric: ['>', '0'] }] }, 'Value of > must be numeric');
  rejects({ k: [{ numeric: ['=', 'x'] }] }, 'Value of equals must be numeric');
  rejects({ k: [{ numeric: ['<', 10, '>', 0] }] }, 'Too many elements in numeric expression');
  rejects({ k: [{ numeric: ['>', 0, '>', 5] }] }, 'Bad numeric range operator: >');
  rejects({ k: [{ numeric: ['>', 0, '<', 5, 6] }] }, 'Too many terms in numeric range expression');
  rejects({ k: [{ numeric: ['!=', 5] }] }, 'Unrecognized numeric range operator: !=');
  rejects({ k: [{ numeric: [5] }] }, 'Invalid member in numeric match: 5');
  rejects({ k: [{ numeric: ['>', 5, '<', 5] }] }, 'Bottom must be less than top');
});

test('numeric operands stay within ±5e9 and six decimals', () => {
  rejects({ k: [{ numeric: ['>', 5e9 + 1] }] }, 'Value must be between -5.0E9 and 5.0E9, inclusive');
  rejects({ k: [{ numeric: ['<', 0.0000001] }] }, /6 decimals/);
  accepts({ k: [{ numeric: ['>=', -5e9, '<=', 5e9] }] });
  accepts({ k: [123456789012] }); // a plain number value has no such limit (account ids)
});

test('anything-but takes a string, a number, or a list of one kind', () => {
  rejects({ k: [{ 'anything-but': ['a', null] }] }, 'Inside anything but list, start|null|boolean is not supported.');
  rejects({ k: [{ 'anything-but': ['a', 1] }] }, 'Inside anything but list, either all values are number or string, mixed type is not supported');
  rejects({ k: [{ 'anything-but': [] }] }, 'Inside anything but list, either all values are number or string, mixed type is not supported');
  rejects({ k: [{ 'anything-but': true }] }, 'Value of anything-but must be an array or single string/number value.');
  rejects({ k: [{ 'anything-but': { exists: true } }] }, 'Unsupported anything-but pattern: exists');
  rejects({ k: [{ 'anything-but': 'a', x: 1 }] }, 'Too many elements in numeric expression');
});

test('anything-but prefix/suffix/wildcard/equals-ignore-case take strings', () => {
  rejects({ k: [{ 'anything-but': { prefix: 1 } }] }, 'prefix/suffix match pattern must be a string');
  rejects({ k: [{ 'anything-but': { suffix: [null] } }] }, 'prefix/suffix match pattern must be a string');
  rejects({ k: [{ 'anything-but': { prefix: '' } }] }, 'Null prefix/suffix not allowed');
  rejects({ k: [{ 'anything-but': { wildcard: [1] } }] }, 'wildcard match pattern must be a string');
  rejects({ k: [{ 'anything-but': { 'equals-ignore-case': [1] } }] }, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
  rejects({ k: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'a' } } }] }, 'Value of anything-but must be an array or single string/number value.');
  rejects({ k: [{ 'anything-but': { wildcard: 'a**' } }] }, /^Consecutive wildcard characters/);
});

test('cidr takes a valid address and mask', () => {
  rejects({ ip: [{ cidr: 'bad-filter' }] }, "Malformed CIDR, one '/' required");
  rejects({ ip: [{ cidr: 'xx.11.xx/8' }] }, 'Nonstandard IP address: xx.11.xx');
  rejects({ ip: [{ cidr: '10.0.0.0/x' }] }, 'Malformed CIDR, mask bits must be an integer');
  rejects({ ip: [{ cidr: '10.0.0.0/-1' }] }, 'Malformed CIDR, mask bits must not be negative');
  rejects({ ip: [{ cidr: '10.0.0.0/32' }] }, 'IPv4 mask bits must be < 32');
  rejects({ ip: [{ cidr: '::/128' }] }, 'IPv6 mask bits must be < 128');
  rejects({ ip: [{ cidr: ['10.0.0.0/8'] }] }, 'prefix match pattern must be a string');
  accepts({ ip: [{ cidr: '2001:db8::/32' }] });
});

test('$or needs an array of at least two objects without operator names as keys', () => {
  rejects({ $or: [{ a: ['1'] }] }, 'There must have at least 2 Objects in $or relationship.');
  rejects({ $or: [{ a: ['1'] }, 'b'] }, 'Only JSON object is allowed in array of $or relationship.');
  rejects({ $or: 'x' }, /must be an object or an array|It must be an Array followed with \$or\./);
  rejects({ $or: [{ a: ['1'] }, {}] }, 'Empty objects are not allowed');
});

test('the first problem in reading order is the one reported', () => {
  rejects({ a: [{ prefix: 1 }], b: [] }, 'prefix match pattern must be a string');
  rejects({ b: [], a: [{ prefix: 1 }] }, 'Empty arrays are not allowed');
});

test('a pattern longer than the event pattern size quota is refused', () => {
  const big = { source: Array.from({ length: 300 }, (_, i) => `source-number-${i}`) };
  rejects(big, /event pattern is \d+ characters long, over the 2048-character limit/);
  assert.doesNotThrow(() => compilePattern(JSON.stringify(big), { maxLength: 10_000 }));
});

test('text after the closing brace of the pattern is not read, as with AWS\'s JSON parser', () => {
  assert.doesNotThrow(() => compilePattern('{"source": ["orders"]} trailing'));
});

test('$or alternatives that multiply past 1000 combinations are refused', () => {
  const or = (i: number) => ({ $or: [{ [`a${i}`]: ['1'] }, { [`b${i}`]: ['2'] }] });
  const pattern = (n: number) => ({ detail: Object.assign({}, ...Array.from({ length: n }, (_, i) => ({ [`f${i}`]: or(i) }))) });
  accepts(pattern(9)); // 512 combinations
  rejects(pattern(10), /^Rule is too complex - its \$or alternatives expand to more than 1000 combinations/);
});

test('a problem in a value list names the field in the message, keeping AWS\'s reason as is', () => {
  assert.throws(() => compilePattern('{"detail":{"state":[{"prefix":1}]}}'), (e: unknown) => {
    assert.ok(e instanceof InvalidEventPatternError);
    assert.equal(e.reason, 'prefix match pattern must be a string');
    assert.equal(e.field, 'detail.state');
    assert.equal(e.message, 'Event pattern is not valid. Reason: prefix match pattern must be a string (in the value list of "detail.state")');
    return true;
  });
});
