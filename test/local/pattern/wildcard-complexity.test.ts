/** The wildcard complexity measure, checked against the values AWS's matcher documents for itself. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, InvalidEventPatternError } from '../../../lib/local/pattern/index.ts';
import { wildcardComplexity } from '../../../lib/local/pattern/wildcard-complexity.ts';
import { parseWildcard } from '../../../lib/local/pattern/wildcard.ts';

const bare = (...operands: string[]): number => wildcardComplexity(operands.map(parseWildcard), 1000, false);

test('complexity counts the wildcard prefixes a worst-case value matches at once', () => {
  assert.equal(bare('*'), 1); // "*"
  assert.equal(bare('abc'), 1); // "abc"
  assert.equal(bare('*aa'), 3); // "*", "*a", "*aa"
  assert.equal(bare('aa*'), 2); // "aa", "aa*"
  assert.equal(bare('a*bbb'), 4);
  assert.equal(bare('*ab*ad'), 4);
  assert.equal(bare('*ab*b*b*'), 7);
  assert.equal(bare('*a*a*a*a*a*a*a*a*'), 17);
});

test('operands of one field add up, prefix by prefix', () => {
  assert.equal(bare('a*aaa', 'aa*aa'), 7);
  assert.equal(bare('a*aax', 'aaa*x'), 5);
  assert.equal(bare('ab*cd', 'ab*wx', 'ab*yz'), 6);
  assert.equal(bare('*', 'ab*c'), 3);
});

test('patterns are measured on the quoted value, as AWS matches JSON strings', () => {
  assert.equal(wildcardComplexity([parseWildcard('*a*a*a*')]), 7);
  assert.equal(wildcardComplexity([parseWildcard('a*aa')]), 3);
});

const stackIds = (names: string[]) => JSON.stringify({
  detail: { 'stack-id': names.map((n) => ({ wildcard: `*:stack/${n}/*` })) },
});

test('three stack-id wildcards in one field are accepted, four are too complex (as AWS answered)', () => {
  assert.doesNotThrow(() => compilePattern(stackIds(['SharedStack', 'AppStack', 'DataStack'])));
  assert.throws(() => compilePattern(stackIds(['SharedStack', 'AppStack', 'DataStack', 'MonitoringStack'])),
    (e: unknown) => e instanceof InvalidEventPatternError && /^Rule is too complex/.test(e.reason));
});

test('complexity is per field: wildcards in different fields do not add up', () => {
  const p = { detail: { a: [{ wildcard: '*a*a*a*' }], b: [{ wildcard: '*b*b*b*' }] } };
  assert.doesNotThrow(() => compilePattern(JSON.stringify(p)));
});

test('anything-but wildcards do not count', () => {
  const p = { detail: { a: [{ 'anything-but': { wildcard: ['*a*a*a*a*', '*b*b*b*b*'] } }] } };
  assert.doesNotThrow(() => compilePattern(JSON.stringify(p)));
});
