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
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { readDevSession } from '../../lib/cli/dev-session.ts';
import { runBusline } from './support/run-busline.ts';
import { piiProject, stateDirOf } from './support/pii-project.ts';
import { assertWithout, buslineIn, dashboardGet, driveThroughRetryDlqAndReplay, filesUnder, startDev, withMcp, type DevRun } from './support/pii-outputs.ts';
import type { TinyProject } from './support/tiny-project.ts';

/** The state folder's stores of the events themselves (see the top of this file). */
const STORED_EVENTS = ['store', 'archive', 'dynamodb'];

const EMAIL = `pii-${randomUUID()}@example.com`;
const assertMasked = assertWithout(EMAIL);

let project: TinyProject;
let dev: DevRun;
let stateDir: string;

/** `busline <args>` on the running engine, in the project folder; it must succeed. */
const busline = async (...args: string[]): Promise<string> => buslineIn(project, [...args, '--state', stateDir]);

before(async () => {
  project = piiProject('mask');
  stateDir = stateDirOf(project);
  dev = await startDev(project, stateDir);
  await driveThroughRetryDlqAndReplay(project, stateDir, EMAIL);
}, { timeout: 300_000 });

after(async () => {
  await dev?.stop();
  project?.remove();
});

test('the handler received the value: the item it wrote is keyed by it', async () => {
  const db = new DynamoDBClient({ endpoint: dev.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = (await db.send(new ListTablesCommand({}))).TableNames!.find((n) => n.includes('Received'))!;
  const item = await db.send(new GetItemCommand({ TableName: table, Key: { email: { S: EMAIL } } }));
  db.destroy();
  assert.deepEqual([item.Item?.contactId?.S, item.Item?.attempt?.N], ['c-retry', '2']);
});

test('the stored events keep the value as published: the archive holds it', () => {
  const archived = filesUnder(join(stateDir, 'archive')).map((f) => readFileSync(join(stateDir, 'archive', f), 'utf8')).join('\n');
  assert.ok(archived.includes(EMAIL));
});

test("busline dev's stdout and stderr, the functions' log lines among them, never show the value", () => {
  assert.match(dev.output(), /\[welcome\] INFO welcoming/);
  assert.match(dev.output(), /to=\*\*\*/);
  assertMasked('busline dev output', dev.output());
});

test('no file of the state folder other than the stored events holds the value, the journal included', () => {
  const files = filesUnder(stateDir).filter((f) => !STORED_EVENTS.includes(f.split(/[\\/]/)[0]!));
  assert.ok(files.some((f) => f.endsWith('journal.jsonl')), files.join(', '));
  for (const f of files) assert.ok(!readFileSync(join(stateDir, f), 'latin1').includes(EMAIL), `${f} holds the PII value`);
});

test('busline events shows the retried, dead-lettered and replayed events with their log lines, the value masked', async () => {
  const out = await busline('events', '--last', '50');
  assert.match(out, /the mail server refused \*\*\*/);
  assertMasked('busline events', out);
  assertMasked('busline events --correlation', await busline('events', '--correlation', 'pii-dlq'));
});

test("busline events --where on the PII field does not find the event by its value", async () => {
  const run = await runBusline(['events', '--where', `data.email=${EMAIL}`, '--state', stateDir], {}, project.dir);
  assert.doesNotMatch(`${run.stdout}${run.stderr}`, /c-retry|c-dlq/);
  assertMasked('busline events --where', `${run.stdout}${run.stderr}`);
});

test('busline tail prints the log lines with the value masked', async () => {
  const out = await busline('tail', '--since', '1h');
  assert.match(out, /welcoming/);
  assertMasked('busline tail', out);
});

test('busline dlq show shows the dead letter, its reason and body, with the value masked', async () => {
  const out = await busline('dlq', 'show', 'welcome');
  assert.match(out, /reason: .*the mail server refused \*\*\*/);
  assertMasked('busline dlq show', out);
});

test("the dashboard's answers (events, lineage, dead letters, status) never show the value", async () => {
  const get = (path: string): Promise<string> => dashboardGet(dev.dashboardUrl, path);
  const events = await get('/api/events');
  assert.match(events, /c-dlq/);
  assertMasked('/api/events', events);
  assertMasked('/api/lineage', await get('/api/lineage?id=pii-dlq'));
  assertMasked('/api/dead-letters', await get('/api/dead-letters?subscription=welcome'));
  assertMasked('/api/status', await get('/api/status'));
});

test("the MCP endpoint's answers (search, lineage, dead letters) never show the value", async () => {
  await withMcp(dev.mcpUrl, async (call) => {
    const found = await call('search_events', {});
    assert.match(found, /c-retry/);
    assertMasked('search_events', found);
    const byValue = await call('search_events', { text: EMAIL });
    assert.doesNotMatch(byValue, /c-retry|c-dlq/);
    assertMasked('search_events on the value', byValue);
    assertMasked('get_lineage', await call('get_lineage', { id: 'pii-retry' }));
    assertMasked('show_dead_letters', await call('show_dead_letters', { subscription: 'welcome' }));
  });
});

test('the catalog marks the field PII and never shows the value', async () => {
  const out = join(project.dir, 'catalog.md');
  await buslineIn(project, ['catalog', '--assembly', readDevSession(stateDir).assemblyDir, '--out', out]);
  const catalog = readFileSync(out, 'utf8');
  assert.match(catalog, /\| `email` \| string \| yes \| PII \(masked\) \|/);
  assertMasked('the catalog', catalog);
});
