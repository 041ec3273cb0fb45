/**
 * PII mask mode end to end (issue 19, "What it must show"): a project whose topic schema marks
 * `email` PII runs in `busline dev` (a process, as a developer runs it). One event goes through a
 * failed attempt and a retry that succeeds, another fails both attempts and ends in the DLQ, then
 * `busline replay` re-sends both from the archive. The email is a value made for this run, so a
 * search for it finds every place it went. It must be in what the handler received (the table
 * it writes) and in the stored events (mask mode stores data as published), and nowhere in what
 * Busline writes for people and tools: `busline dev`'s stdout and stderr (the functions' log
 * lines included), the state folder's files other than the stored events, `busline events`
 * (trees with their log lines, and its `--where` search), `busline tail`, `busline dlq show`,
 * the dashboard's and the MCP endpoint's answers, and the catalog.
 *
 * The state folder's files that hold the stored events, and are left out of the search:
 * - `store/`: the queues' write-ahead log and snapshots (the queued and dead-lettered messages),
 * - `archive/`: the events the bus archived, for replay,
 * - `dynamodb/`: the tables' LevelDB (the item the handler wrote, the runtime's dedupe marks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { readDevSession } from '../../lib/cli/dev-session.ts';
import { assertWithout, buslineIn, filesUnder, runPiiProject, testOutputsHide } from './support/pii-outputs.ts';

/** The state folder's stores of the events themselves (see the top of this file). */
const STORED_EVENTS = ['store', 'archive', 'dynamodb'];

const EMAIL = `pii-${randomUUID()}@example.com`;
const assertMasked = assertWithout(EMAIL);

const run = runPiiProject('mask', EMAIL);

test('the handler received the value: the item it wrote is keyed by it', async () => {
  const db = new DynamoDBClient({ endpoint: run().dev.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = (await db.send(new ListTablesCommand({}))).TableNames!.find((n) => n.includes('Received'))!;
  const item = await db.send(new GetItemCommand({ TableName: table, Key: { email: { S: EMAIL } } }));
  db.destroy();
  assert.deepEqual([item.Item?.contactId?.S, item.Item?.attempt?.N], ['c-retry', '2']);
});

test('the stored events keep the value as published: the archive holds it', () => {
  const archived = filesUnder(join(run().stateDir, 'archive')).map((f) => readFileSync(join(run().stateDir, 'archive', f), 'utf8')).join('\n');
  assert.ok(archived.includes(EMAIL));
});

test("busline dev's stdout and stderr, the functions' log lines among them, never show the value", () => {
  assert.match(run().dev.output(), /\[welcome\] INFO welcoming/);
  assert.match(run().dev.output(), /to=\*\*\*/);
  assertMasked('busline dev output', run().dev.output());
});

test('no file of the state folder other than the stored events holds the value, the journal included', () => {
  const files = filesUnder(run().stateDir).filter((f) => !STORED_EVENTS.includes(f.split(/[\\/]/)[0]!));
  assert.ok(files.some((f) => f.endsWith('journal.jsonl')), files.join(', '));
  for (const f of files) assert.ok(!readFileSync(join(run().stateDir, f), 'latin1').includes(EMAIL), `${f} holds the PII value`);
});

testOutputsHide(EMAIL, run);

test('the catalog marks the field PII and never shows the value', async () => {
  const out = join(run().project.dir, 'catalog.md');
  await buslineIn(run().project, ['catalog', '--assembly', readDevSession(run().stateDir).assemblyDir, '--out', out]);
  const catalog = readFileSync(out, 'utf8');
  assert.match(catalog, /\| `email` \| string \| yes \| PII \(masked\) \|/);
  assertMasked('the catalog', catalog);
});
