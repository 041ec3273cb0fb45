/** The engine's own "age of the oldest message" per queue, followed through its journal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalRecord } from '../../lib/local/journal/types.ts';
import { oldestMessageAges } from '../../lib/cli/journal-queue-age.ts';

const at = (s: number): string => new Date(Date.UTC(2026, 11, 7, 0, 0, s)).toISOString();
const now = Date.UTC(2026, 11, 7, 0, 1, 0);
let seq = 0;
const r = (record: Record<string, unknown>): JournalRecord => ({ seq: ++seq, ...record }) as unknown as JournalRecord;

test('the oldest message still on a queue gives its age, counted from when it arrived', () => {
  const ages = oldestMessageAges([
    r({ kind: 'delivery.enqueued', at: at(0), queue: 'q', messageId: 'a', via: 'send' }),
    r({ kind: 'delivery.enqueued', at: at(30), queue: 'q', messageId: 'b', via: 'send' }),
  ], now);
  assert.equal(ages.get('q'), 60);
});

test('a deleted message no longer counts', () => {
  const ages = oldestMessageAges([
    r({ kind: 'delivery.enqueued', at: at(0), queue: 'q', messageId: 'a', via: 'send' }),
    r({ kind: 'delivery.enqueued', at: at(30), queue: 'q', messageId: 'b', via: 'send' }),
    r({ kind: 'delivery.deleted', at: at(40), queue: 'q', messageId: 'a' }),
  ], now);
  assert.equal(ages.get('q'), 30);
});

test('a dead-lettered message counts on its DLQ from when it moved, and a move task takes it back', () => {
  const moved = [
    r({ kind: 'delivery.enqueued', at: at(0), queue: 'q', messageId: 'a', via: 'send' }),
    r({ kind: 'delivery.dead-lettered', at: at(20), queue: 'q', deadLetterQueue: 'dlq', messageId: 'a', receiveCount: 3 }),
  ];
  const onDlq = oldestMessageAges(moved, now);
  assert.equal(onDlq.get('q'), undefined);
  assert.equal(onDlq.get('dlq'), 40);
  const back = oldestMessageAges([...moved, r({ kind: 'delivery.enqueued', at: at(50), queue: 'q', messageId: 'a', via: 'move-task' })], now);
  assert.equal(back.get('dlq'), undefined);
  assert.equal(back.get('q'), 10);
});
