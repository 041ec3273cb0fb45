/** The chaos mode's decisions: one seeded stream per fault and place, independent of the others. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chaos } from '../../../lib/local/chaos/chaos.ts';
import type { JournalEntry } from '../../../lib/local/journal/types.ts';

const draws = (chaos: Chaos, n: number): boolean[] => Array.from({ length: n }, () => chaos.strikes('duplicate', 'queue-a'));

test('the same seed strikes the same opportunities', () => {
  const a = new Chaos({ seed: 9, duplicate: 0.3 }, () => {});
  const b = new Chaos({ seed: 9, duplicate: 0.3 }, () => {});
  assert.deepEqual(draws(a, 50), draws(b, 50));
  assert.ok(draws(new Chaos({ seed: 9, duplicate: 0.3 }, () => {}), 50).includes(true));
});

test('a different seed strikes differently', () => {
  assert.notDeepEqual(draws(new Chaos({ seed: 9, duplicate: 0.3 }, () => {}), 50), draws(new Chaos({ seed: 10, duplicate: 0.3 }, () => {}), 50));
});

test("what one place draws does not move another place's faults", () => {
  const quiet = new Chaos({ seed: 9, duplicate: 0.3, crash: 0.5 }, () => {});
  const busy = new Chaos({ seed: 9, duplicate: 0.3, crash: 0.5 }, () => {});
  for (let i = 0; i < 100; i++) busy.strikes('duplicate', 'queue-b');
  for (let i = 0; i < 100; i++) busy.strikes('crash', 'fn');
  assert.deepEqual(draws(busy, 50), draws(quiet, 50));
});

test('a fault the profile does not set never strikes', () => {
  const chaos = new Chaos({ seed: 9 }, () => {});
  assert.ok(Array.from({ length: 100 }, () => chaos.strikes('crash', 'fn')).every((s) => !s));
});

test('a recorded fault is a chaos.fault journal entry carrying the seed', () => {
  const entries: JournalEntry[] = [];
  new Chaos({ seed: 9 }, (e) => entries.push(e)).record({ fault: 'delay', queue: 'q', messageId: 'm', detail: 'held back' });
  assert.deepEqual(entries, [{ kind: 'chaos.fault', seed: 9, fault: 'delay', queue: 'q', messageId: 'm', detail: 'held back' }]);
});
