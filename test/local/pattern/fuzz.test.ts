/**
 * Pattern text is untrusted input (it arrives over the wire in PutRule and
 * TestEventPattern). Whatever the text, compilePattern either compiles it or
 * throws InvalidEventPatternError, and matching a compiled pattern never throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, InvalidEventPatternError } from '../../../lib/local/pattern/index.ts';

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  '{"source":["a"],"detail":{"n":[{"numeric":[">",0,"<=",5]}],"s":[{"anything-but":{"prefix":"x"}}]}}',
  '{"$or":[{"a":[{"wildcard":"*x*"}]},{"b":[{"cidr":"10.0.0.0/8"}]}],"c":[null,true,1.5,""]}',
  '{"k":[{"prefix":{"equals-ignore-case":"Ab"}},{"suffix":"z"},{"exists":false},{"equals-ignore-case":"q"}]}',
];
const PIECES = ['{', '}', '[', ']', ',', ':', '"', '\\', '*', '"$or"', '"numeric"', '"anything-but"', '"prefix"', '"wildcard"',
  '"cidr"', '"exists"', 'null', 'true', '-', '0', '1e3', '5e9', '"::/64"', '">"', '"<="', '""', ' ', '\u00e9', '\ud83d\ude80'];

test('any text either compiles or is refused with InvalidEventPatternError, and compiled patterns match without throwing', () => {
  const rand = prng(42);
  const events = [
    { source: 'a', detail: { n: 3, s: 'y', k: ['ab', null, { x: 1 }] }, a: 'x', b: '10.1.2.3', c: 1.5 },
    {}, { detail: [] }, { k: { k: { k: 'z' } } },
  ];
  let compiled = 0;
  for (let i = 0; i < 3000; i++) {
    let text = SEEDS[i % SEEDS.length]!;
    const edits = 1 + Math.floor(rand() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (text.length + 1));
      const cut = rand() < 0.5 ? Math.floor(rand() * 4) : 0;
      text = text.slice(0, at) + PIECES[Math.floor(rand() * PIECES.length)] + text.slice(at + cut);
    }
    let pattern;
    try {
      pattern = compilePattern(text);
    } catch (err) {
      assert.ok(err instanceof InvalidEventPatternError, `unexpected ${String(err)} for ${text}`);
      continue;
    }
    compiled++;
    for (const ev of events) {
      assert.equal(typeof pattern.matches(ev), 'boolean');
      pattern.explain(ev);
    }
  }
  assert.ok(compiled > 0, 'some mutated patterns should still be valid');
});
