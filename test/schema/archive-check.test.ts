/**
 * busline check --against-archive: archived events (the local engine's
 * `<stateDir>/archive/<bus>.jsonl`, one `{"event": {...}}` a line) are validated against the
 * schemas as they are now.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkArchivedEvents, readArchivedEvents } from '../../lib/schema/archive-check.ts';
import { loadSchemas } from '../../lib/schema/schema-set.ts';
import { runCommand } from './run-command.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/schema/', import.meta.url));

function event(id: string, topic: string, version: number | undefined, data: unknown): string {
  const metadata = { id, ...(version !== undefined ? { schemaVersion: version } : {}) };
  return JSON.stringify({ event: { version: '0', id: `eb-${id}`, 'detail-type': topic, source: 'busline.orders', account: '000000000000', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: { metadata, data } } });
}

const order = (id: string, extra: Record<string, unknown> = {}) => ({ orderId: '5f0c8a4e-8a43-4c39-9d0e-2f1b8f6f0a11', customerId: `c-${id}`, lines: [{ sku: 'A-1', quantity: 1 }], total: 10, ...extra });

describe('archived events against the current schemas', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'busline-archive-'));
    mkdirSync(join(dir, 'archive'));
    writeFileSync(join(dir, 'archive', 'orders.jsonl'), [
      event('o-1', 'order.placed', 1, order('1')),
      event('o-2', 'order.placed', 2, order('2', { couponCode: 'X' })),
      event('o-3', 'order.placed', 1, order('3', { total: -5 })),
      event('o-4', 'order.placed', 7, order('4')),
      JSON.stringify({ event: { 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: 'raw events are skipped' } } }),
      '{"event": {"torn',
      '',
    ].join('\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('only Busline-envelope events are read; a torn last line is ignored', () => {
    const events = readArchivedEvents(join(dir, 'archive'));
    assert.deepEqual(events.map((e) => [e.id, e.topic, e.version, e.where]), [
      ['o-1', 'order.placed', 1, 'orders.jsonl:1'], ['o-2', 'order.placed', 2, 'orders.jsonl:2'],
      ['o-3', 'order.placed', 1, 'orders.jsonl:3'], ['o-4', 'order.placed', 7, 'orders.jsonl:4'],
    ]);
  });

  test('an event invalid under its own version, and one carrying an unknown version, are findings', () => {
    const findings = checkArchivedEvents(loadSchemas(join(FIXTURE, 'schemas')), readArchivedEvents(join(dir, 'archive')));
    assert.deepEqual(findings.map((f) => f.message), [
      'archived order.placed events written with v1 fail v1 as it is now (a published version was edited in place: restore it and add v3.json instead): 1 event(s) (o-3); first error: /total must be > 0.',
      'archived order.placed events written with v1, which subscribers on v2 accept by default, fail v2: 1 event(s) (o-3); first error: /total must be > 0.',
      'archived order.placed events carry schemaVersion 7, but there is no v7.json: restore it (events in the archive are replayed with it): 1 event(s) (o-4).',
    ]);
  });

  test('a published version edited in place is caught by the events written with it', async () => {
    const project = mkdtempSync(join(tmpdir(), 'busline-archive-project-'));
    try {
      cpSync(join(FIXTURE, 'schemas'), join(project, 'schemas'), { recursive: true });
      cpSync(join(FIXTURE, 'assembly'), join(project, 'assembly'), { recursive: true });
      mkdirSync(join(project, '.busline/archive'), { recursive: true });
      writeFileSync(join(project, '.busline/archive/orders.jsonl'), `${event('o-1', 'order.placed', 1, order('1'))}\n${event('o-5', 'order.placed', 1, order('5'))}\n`);
      const clean = await runCommand('check', ['--against-archive', '--assembly', 'assembly'], project);
      assert.equal(clean.code, 0, clean.stderr);
      assert.equal(clean.stdout, 'busline check: no breaking changes in 1 comparison(s) across 3 topic(s), 2 archived event(s)\n');

      const v1 = join(project, 'schemas/order.placed/v1.json');
      const schema = JSON.parse(readFileSync(v1, 'utf8'));
      schema.required.push('channel');
      schema.properties.channel = { type: 'string' };
      writeFileSync(v1, JSON.stringify(schema));
      const edited = await runCommand('check', ['--against-archive', '--mode', 'none', '--assembly', 'assembly'], project);
      assert.equal(edited.code, 1);
      assert.equal(edited.stderr, [
        "✗ archived order.placed events written with v1 fail v1 as it is now (a published version was edited in place: restore it and add v3.json instead): 2 event(s) (o-1, o-5); first error: (root) must have required property 'channel'.",
        'busline check: 0 breaking change(s) and 1 archive finding(s) in 1 comparison(s) across 3 topic(s), 2 archived event(s)',
        '',
      ].join('\n'));
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test('a missing archive folder is an error saying how to make one', () => {
    assert.throws(() => readArchivedEvents(join(dir, 'nope')), {
      message: `archive folder ${join(dir, 'nope')} does not exist: run the flow with \`busline dev\` first, or pass --archive-dir <stateDir>/archive`,
    });
  });
});
