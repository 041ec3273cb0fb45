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
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { readJournal } from '../../lib/local/journal/journal.ts';
import type { JournalRecord } from '../../lib/local/journal/types.ts';
import { readDevSession } from '../../lib/cli/dev-session.ts';
import { waitFor } from '../local/support/reference-flow.ts';
import { runBusline, type BuslineRun } from './support/run-busline.ts';
import { piiProject, stateDirOf } from './support/pii-project.ts';
import type { TinyProject } from './support/tiny-project.ts';

const BIN = fileURLToPath(new URL('../../bin/busline.mjs', import.meta.url));
/** The state folder's stores of the events themselves (see the top of this file). */
const STORED_EVENTS = ['store', 'archive', 'dynamodb'];

const EMAIL = `pii-${randomUUID()}@example.com`;

let project: TinyProject;
let dev: ChildProcess;
let devOutput = '';
let stateDir: string;
let endpoint: string;
let dashboardUrl: string;
let mcpUrl: string;

/** `busline <args>` on the running engine, in the project folder; it must succeed. */
const busline = async (...args: string[]): Promise<string> => run([...args, '--state', stateDir]);
/** `busline <args>` in the project folder; it must succeed. */
const run = async (args: readonly string[]): Promise<string> => {
  const done: BuslineRun = await runBusline(args, {}, project.dir);
  assert.equal(done.code, 0, `busline ${args.join(' ')} failed: ${done.stderr}${done.stdout}`);
  return `${done.stdout}${done.stderr}`;
};
const journal = (): Promise<JournalRecord[]> => readJournal(stateDir);
const finishedOf = (records: readonly JournalRecord[], correlationId: string): JournalRecord[] =>
  records.filter((r) => r.kind === 'invocation.finished' && r.correlationId === correlationId);

before(async () => {
  project = piiProject();
  stateDir = stateDirOf(project);
  dev = spawn(process.execPath, [BIN, 'dev', '--state', stateDir, '--port', '0', '--no-watch'], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  dev.stdout!.on('data', (d: Buffer) => { devOutput += d.toString(); });
  dev.stderr!.on('data', (d: Buffer) => { devOutput += d.toString(); });
  const exited = new Promise<never>((_, reject) => dev.once('exit', (code) => reject(new Error(`busline dev exited (${code}):\n${devOutput}`))));
  const banner = await Promise.race([waitFor('busline dev to serve', async () => /MCP: (\S+)\)/.exec(devOutput) ?? undefined, 180_000), exited]);
  mcpUrl = banner[1]!;
  endpoint = /engine on (http:\/\/127\.0\.0\.1:\d+)/.exec(devOutput)![1]!;
  dashboardUrl = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(devOutput)![1]!;

  const from = new Date(Date.now() - 60_000).toISOString();
  // Success after a retry: the first attempt fails quoting the email, the second records it.
  await busline('publish', 'contact.added', JSON.stringify({ contactId: 'c-retry', email: EMAIL, failTimes: 1 }), '--id', 'pii-retry');
  // Both attempts fail: the event ends in welcome's DLQ.
  await busline('publish', 'contact.added', JSON.stringify({ contactId: 'c-dlq', email: EMAIL, failTimes: 9 }), '--id', 'pii-dlq');
  await waitFor('the retried event to succeed and the other to fail twice', async () => {
    const records = await journal();
    const retried = finishedOf(records, 'pii-retry');
    return retried.some((r) => r.kind === 'invocation.finished' && r.outcome === 'success') && finishedOf(records, 'pii-dlq').length >= 2 ? true : undefined;
  });
  await waitFor('the dead letter on the DLQ', async () => (await busline('dlq', 'show', 'welcome')).includes('reason:') || undefined);

  await busline('replay', '--from', from, '--to', new Date(Date.now() + 1000).toISOString());
  await waitFor('the replayed copies to be handled', async () => {
    const records = await journal();
    const replayed = records.filter((r) => r.kind === 'event.accepted' && r.replayName !== undefined).length;
    return replayed >= 2 && finishedOf(records, 'pii-dlq').length >= 4 && finishedOf(records, 'pii-retry').length >= 3 ? true : undefined;
  });
}, { timeout: 300_000 });

after(async () => {
  if (dev && dev.exitCode === null && dev.signalCode === null) {
    const exited = new Promise((r) => dev.once('exit', r));
    dev.kill('SIGTERM');
    await exited;
  }
  project?.remove();
});

function assertMasked(what: string, text: string): void {
  assert.ok(text.length > 0, `${what} is empty`);
  assert.ok(!text.includes(EMAIL), `${what} shows the PII value:\n${text}`);
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

test('the handler received the value: the item it wrote is keyed by it', async () => {
  const db = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
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
  assert.match(devOutput, /\[welcome\] INFO welcoming/);
  assert.match(devOutput, /to=\*\*\*/);
  assertMasked('busline dev output', devOutput);
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
  const get = async (path: string): Promise<string> => {
    const res = await fetch(new URL(path, dashboardUrl));
    assert.equal(res.status, 200, path);
    return res.text();
  };
  const events = await get('/api/events');
  assert.match(events, /c-dlq/);
  assertMasked('/api/events', events);
  assertMasked('/api/lineage', await get('/api/lineage?id=pii-dlq'));
  assertMasked('/api/dead-letters', await get('/api/dead-letters?subscription=welcome'));
  assertMasked('/api/status', await get('/api/status'));
});

test("the MCP endpoint's answers (search, lineage, dead letters) never show the value", async () => {
  const client = new Client({ name: 'busline-pii-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<string> => {
    const result = await client.callTool({ name, arguments: args }) as CallToolResult;
    const text = JSON.stringify(result);
    assert.ok(!result.isError, `${name} failed: ${text}`);
    return text;
  };
  try {
    const found = await call('search_events', {});
    assert.match(found, /c-retry/);
    assertMasked('search_events', found);
    const byValue = await call('search_events', { text: EMAIL });
    assert.doesNotMatch(byValue, /c-retry|c-dlq/);
    assertMasked('search_events on the value', byValue);
    assertMasked('get_lineage', await call('get_lineage', { id: 'pii-retry' }));
    assertMasked('show_dead_letters', await call('show_dead_letters', { subscription: 'welcome' }));
  } finally {
    await client.close();
  }
});

test('the catalog marks the field PII and never shows the value', async () => {
  const out = join(project.dir, 'catalog.md');
  await run(['catalog', '--assembly', readDevSession(stateDir).assemblyDir, '--out', out]);
  const catalog = readFileSync(out, 'utf8');
  assert.match(catalog, /\| `email` \| string \| yes \| PII \(masked\) \|/);
  assertMasked('the catalog', catalog);
});
