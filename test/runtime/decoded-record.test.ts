import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedRecord, deferredRecordLogger, recordLogEnabled, type DecodedRecordFields } from '../../lib/runtime/decoded-record.ts';
import { createLogger, type JsonLogger, type LogLevel } from '../../lib/runtime/logger.ts';
import type { RecordContext } from '../../lib/runtime/record-pipeline.ts';

const FIELDS: DecodedRecordFields = {
  subscription: 'reserve', flow: 'shop', delivery: 'queue', topic: 'order.placed', eventId: 'evt-1',
  event: { id: 'eb-1', 'detail-type': 'order.placed', source: 'shop', time: '2026-12-07T12:00:00Z', detail: {} } as RecordContext['event'],
  enveloped: true, metadata: { id: 'evt-1' }, data: { card: '4111' }, correlationId: 'corr-1', attempt: 2,
  messageId: 'msg-1', transport: undefined, deadline: { remainingMs: () => 1, remainingBeforeGuardMs: () => 1, signal: new AbortController().signal },
};

/** The batch logger at `level`, counting the child loggers made from it. */
function batchLogger(level: LogLevel, lines: string[]): { logger: JsonLogger; children: () => number } {
  const base = createLogger(level, (l) => void lines.push(l), { subscription: 'reserve' });
  let made = 0;
  const logger: JsonLogger = { ...base, child: (fields, mask) => (made++, base.child(fields, mask)) };
  return { logger, children: () => made };
}

test("a record's logger adds its topic, event id, correlation id and attempt to the batch logger's fields", () => {
  const lines: string[] = [];
  const record = new DecodedRecord(FIELDS, batchLogger('info', lines).logger, undefined);
  record.logger.warn('record failed');
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual([line.subscription, line.topic, line.eventId, line.correlationId, line.attempt], ['reserve', 'order.placed', 'evt-1', 'corr-1', 2]);
});

test("a record's logger is made once, on first use, not when the record is made", () => {
  const { logger, children } = batchLogger('info', []);
  const record = new DecodedRecord(FIELDS, logger, undefined);
  assert.equal(children(), 0);
  assert.equal(record.logger, record.logger);
  assert.equal(children(), 1);
});

test("asking whether a level is on answers as the batch logger does, without making the record's logger", () => {
  const { logger, children } = batchLogger('info', []);
  const record = new DecodedRecord(FIELDS, logger, undefined);
  assert.deepEqual([recordLogEnabled(record, 'debug'), recordLogEnabled(record, 'info')], [false, true]);
  assert.equal(children(), 0);
});

test("a record's logger masks the record's PII values", () => {
  const lines: string[] = [];
  const record = new DecodedRecord(FIELDS, batchLogger('info', lines).logger, { texts: ['4111'], numbers: new Set() });
  record.logger.error('record dead-lettered', { data: '4111' });
  assert.doesNotMatch(lines[0]!, /4111/);
});

test("a deferred record logger writes through the record's logger, made only when a line is written", () => {
  const lines: string[] = [];
  const { logger, children } = batchLogger('info', lines);
  const record = new DecodedRecord(FIELDS, logger, undefined);
  const deferred = deferredRecordLogger(record);
  assert.equal(children(), 0);
  deferred.warn('dedupe: could not release the lock', { dedupeKey: 'reserve#evt-1' });
  assert.equal(children(), 1);
  assert.match(lines[0]!, /"eventId":"evt-1".*"dedupeKey":"reserve#evt-1"/);
});
