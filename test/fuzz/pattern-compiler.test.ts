/**
 * The pattern compiler (lib/local/pattern) under arbitrary input. Pattern text is untrusted: it
 * arrives over the wire in PutRule and TestEventPattern. Whatever the text, compilePattern either
 * compiles it or throws InvalidEventPatternError (what PutRule answers as InvalidEventPatternException:
 * "PutRule", Amazon EventBridge API Reference,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html); never another
 * exception. Matching and explaining never throw, whatever the event, and a PatternIndex of
 * several patterns matches exactly the patterns whose own `matches` says so. Seeds: the
 * AWS-verified conformance cases (../shared/conformance) when they are beside the checkout, and
 * patterns of every operator. Budget and reproduction: test/fuzz/support/fuzz-budget.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePattern, InvalidEventPatternError, PatternIndex, type EventPattern } from '../../lib/local/pattern/index.ts';
import { patternText, readConformanceCases } from '../support/conformance-cases.ts';
import { checkFuzzProperty } from './support/fuzz-budget.ts';

const FILE = 'test/fuzz/pattern-compiler.test.ts';

const cases = readConformanceCases() ?? [];
const SEED_PATTERNS = [
  '{"source":["a"],"detail":{"n":[{"numeric":[">",0,"<=",5]}],"s":[{"anything-but":{"prefix":"x"}}]}}',
  '{"$or":[{"a":[{"wildcard":"*x*"}]},{"b":[{"cidr":"10.0.0.0/8"}]}],"c":[null,true,1.5,""]}',
  '{"k":[{"prefix":{"equals-ignore-case":"Ab"}},{"suffix":"z"},{"exists":false},{"equals-ignore-case":"q"}]}',
  ...cases.map(patternText),
];
const SEED_EVENTS: unknown[] = [
  { source: 'a', detail: { n: 3, s: 'y', k: ['ab', null, { x: 1 }] }, a: 'x', b: '10.1.2.3', c: 1.5 },
  {}, { detail: [] }, { k: { k: { k: 'z' } } },
  ...cases.map((c) => c.event),
];

/** Field names: the event's own, the seeds', and any. */
const fieldName = fc.oneof(fc.constantFrom('source', 'detail-type', 'detail', 'resources', 'account', 'a', 'b', 'c', 'k', 'n', 's', '$or', 'x.y', ''), fc.string({ maxLength: 6 }));
const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('10.0.0.0/8', '::1', '1e9', '*', '**', 'a*b*c'));
const operand: fc.Arbitrary<unknown> = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.dictionary(fc.constantFrom('prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'numeric', 'x'), scalar, { maxKeys: 2 }));
const operator = fc.oneof(
  fc.record({ prefix: operand }), fc.record({ suffix: operand }), fc.record({ 'anything-but': operand }), fc.record({ 'equals-ignore-case': operand }),
  fc.record({ wildcard: operand }), fc.record({ cidr: operand }), fc.record({ exists: operand }),
  fc.record({ numeric: fc.array(fc.oneof(fc.constantFrom('>', '>=', '<', '<=', '=', '!='), fc.double(), fc.integer()), { maxLength: 5 }) }),
  fc.dictionary(fc.string({ maxLength: 6 }), operand, { maxKeys: 2 }),
);
/** Pattern-shaped JSON: objects of fields whose leaves are value lists of scalars and operators (and sometimes not). */
const { pattern } = fc.letrec<{ pattern: Record<string, unknown>; leaf: unknown }>((tie) => ({
  pattern: fc.dictionary(fieldName, fc.oneof({ weight: 3, arbitrary: tie('leaf') }, { weight: 1, arbitrary: tie('pattern') }, { weight: 1, arbitrary: fc.array(tie('pattern'), { maxLength: 3 }) }), { maxKeys: 4, depthIdentifier: 'pattern' }),
  leaf: fc.oneof({ weight: 6, arbitrary: fc.array(fc.oneof(scalar, operator), { maxLength: 4 }) }, { weight: 1, arbitrary: scalar }, { weight: 1, arbitrary: operator }),
}));
/**
 * Well-formed patterns and events over one small vocabulary, so that patterns compile and events
 * match them often enough for matching itself to be exercised.
 */
const WORDS = ['x', 'y', 'X', 'xy', '', 1, 2, 0.5, -3, true, null, '10.1.2.3', '2001:db8::1'];
const word = fc.constantFrom(...WORDS);
const smallField = fc.constantFrom('a', 'b', 'source', 'detail');
const validOperator = fc.oneof(
  word.filter((w) => typeof w !== 'object'),
  fc.constantFrom<unknown>(
    { prefix: 'x' }, { suffix: 'y' }, { 'equals-ignore-case': 'X' }, { wildcard: 'x*' }, { 'anything-but': 'x' }, { 'anything-but': [1, 2] },
    { 'anything-but': { prefix: 'x' } }, { numeric: ['>', 0] }, { numeric: ['>=', 0, '<', 2] }, { exists: true }, { exists: false },
    { cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }, { prefix: { 'equals-ignore-case': 'X' } }, null,
  ),
);
const { wellFormed } = fc.letrec<{ wellFormed: Record<string, unknown> }>((tie) => ({
  wellFormed: fc.dictionary(smallField, fc.oneof({ weight: 4, arbitrary: fc.array(validOperator, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: tie('wellFormed') }), { minKeys: 1, maxKeys: 2, depthIdentifier: 'wellFormed' }),
}));
const wellFormedPattern = fc.oneof(
  { weight: 4, arbitrary: wellFormed },
  { weight: 1, arbitrary: fc.array(wellFormed, { minLength: 2, maxLength: 3 }).map((branches) => ({ $or: branches })) },
);
const { eventObject } = fc.letrec<{ eventObject: Record<string, unknown> }>((tie) => ({
  eventObject: fc.dictionary(smallField, fc.oneof({ weight: 4, arbitrary: word }, { weight: 1, arbitrary: fc.array(word, { maxLength: 3 }) }, { weight: 1, arbitrary: tie('eventObject') }), { maxKeys: 4, depthIdentifier: 'eventObject' }),
}));

const eventValue: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });
const event = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...SEED_EVENTS) },
  { weight: 3, arbitrary: eventObject },
  { weight: 2, arbitrary: fc.dictionary(fieldName, fc.oneof(scalar, eventValue), { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.anything() },
);

/** Edits of a seed's text: pieces of the pattern language inserted over random spans. */
const PIECES = ['{', '}', '[', ']', ',', ':', '"', '\\', '*', '"$or"', '"numeric"', '"anything-but"', '"prefix"', '"wildcard"',
  '"cidr"', '"exists"', 'null', 'true', '-', '0', '1e3', '5e9', '"::/64"', '">"', '"<="', '""', ' ', '\u00e9', '\ud83d\ude80', '\ud800'];
const mutatedText = fc
  .tuple(fc.constantFrom(...SEED_PATTERNS), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 4 }), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 4 }))
  .map(([seed, edits]) => edits.reduce((text, [at, cut, piece]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + piece + text.slice(i + cut);
  }, seed));

const patternTextArb = fc.oneof(
  { weight: 4, arbitrary: wellFormedPattern.map((p) => JSON.stringify(p)) },
  { weight: 1, arbitrary: fc.constantFrom(...SEED_PATTERNS) },
  { weight: 3, arbitrary: pattern.map((p) => JSON.stringify(p)) },
  { weight: 3, arbitrary: mutatedText },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant(`{"a":[${'"x",'.repeat(700)}"x"]}`) },
);

/** Compiles `text`; undefined when it is refused with InvalidEventPatternError, and any other exception fails. */
function compileOrRefuse(text: string): EventPattern | undefined {
  try {
    return compilePattern(text);
  } catch (error) {
    assert.ok(error instanceof InvalidEventPatternError, `compilePattern threw ${String(error)} (not InvalidEventPatternError) for ${text}`);
    assert.match(error.message, /^Event pattern is not valid\. Reason: /);
    return undefined;
  }
}

test('any pattern text compiles or is refused with InvalidEventPatternError, and a compiled pattern matches and explains any event without throwing', async () => {
  let compiledCount = 0;
  let matchedCount = 0;
  await checkFuzzProperty(
    FILE,
    fc.property(patternTextArb, fc.array(event, { minLength: 1, maxLength: 4 }), (text, events) => {
      const compiled = compileOrRefuse(text);
      if (!compiled) return;
      compiledCount++;
      for (const ev of events) {
        const matched = compiled.matches(ev);
        assert.equal(typeof matched, 'boolean');
        if (matched) matchedCount++;
        assert.equal(compiled.explain(ev) === undefined, matched, 'explain() finds no mismatch exactly when matches() is true');
      }
    }),
    2000,
  );
  // The generators reach the matcher, not only the validator: some patterns compile and some events match.
  assert.ok(compiledCount > 0 && matchedCount > 0, `compiled ${compiledCount} patterns, ${matchedCount} matches`);
});

test('a PatternIndex of compiled patterns matches exactly the patterns whose own matches() is true', async () => {
  await checkFuzzProperty(
    FILE,
    fc.property(fc.array(patternTextArb, { minLength: 1, maxLength: 6 }), fc.array(event, { minLength: 1, maxLength: 4 }), (texts, events) => {
      const index = new PatternIndex<number>();
      const compiled: [number, EventPattern][] = [];
      texts.forEach((text, i) => {
        const p = compileOrRefuse(text);
        if (!p) return;
        index.add(String(i), p, i);
        compiled.push([i, p]);
      });
      for (const ev of events) {
        const expected = compiled.filter(([, p]) => p.matches(ev)).map(([i]) => i).sort((a, b) => a - b);
        assert.deepEqual([...index.match(ev)].sort((a, b) => a - b), expected, `index and matches() disagree on ${JSON.stringify(ev)}`);
      }
    }),
    500,
  );
});
