/**
 * What the PII end-to-end tests (pii-mask-outputs, pii-encrypt-outputs) share: `busline dev` on a
 * PII project (pii-project.ts) as a process, the run that drives a unique value through success
 * after a retry, a DLQ and a replay, the helpers that gather every output to search, and the
 * tests of the outputs both modes hide the value from ({@link testOutputsHide}).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { readJournal } from '../../../lib/local/journal/journal.ts';
import type { JournalRecord } from '../../../lib/local/journal/types.ts';
import { waitFor } from '../../local/support/reference-flow.ts';
import { runBusline, type BuslineRun } from './run-busline.ts';
import { piiProject, stateDirOf, type PiiMode } from './pii-project.ts';
import type { TinyProject } from './tiny-project.ts';

const BIN = fileURLToPath(new URL('../../../bin/busline.mjs', import.meta.url));

/** A running `busline dev` and what it printed. */
export interface DevRun {
  /** stdout and stderr so far. */
  output(): string;
  readonly endpoint: string;
  readonly dashboardUrl: string;
  readonly mcpUrl: string;
  stop(): Promise<void>;
}

/** Starts `busline dev` in the project folder on free ports, and waits for its banner. */
export async function startDev(project: TinyProject, stateDir: string): Promise<DevRun> {
  let output = '';
  const dev: ChildProcess = spawn(process.execPath, [BIN, 'dev', '--state', stateDir, '--port', '0', '--no-watch'], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  dev.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  dev.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<never>((_, reject) => dev.once('exit', (code) => reject(new Error(`busline dev exited (${code}):\n${output}`))));
  exited.catch(() => undefined);
  const banner = await Promise.race([waitFor('busline dev to serve', async () => /MCP: (\S+)\)/.exec(output) ?? undefined, 180_000), exited]);
  return {
    output: () => output,
    mcpUrl: banner[1]!,
    endpoint: /engine on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!,
    dashboardUrl: /Dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!,
    async stop() {
      if (dev.exitCode !== null || dev.signalCode !== null) return;
      const stopped = new Promise((r) => dev.once('exit', r));
      dev.kill('SIGTERM');
      await stopped;
    },
  };
}

/** `busline <args>` in the project folder; it must succeed. Returns stdout and stderr. */
export async function buslineIn(project: TinyProject, args: readonly string[]): Promise<string> {
  const done: BuslineRun = await runBusline(args, {}, project.dir);
  assert.equal(done.code, 0, `busline ${args.join(' ')} failed: ${done.stderr}${done.stdout}`);
  return `${done.stdout}${done.stderr}`;
}

const finishedOf = (records: readonly JournalRecord[], correlationId: string): JournalRecord[] =>
  records.filter((r) => r.kind === 'invocation.finished' && r.correlationId === correlationId);

/**
 * Publishes two `contact.added` events carrying `email` with `busline publish`: `pii-retry`
 * fails its first attempt and succeeds on the retry, `pii-dlq` fails both and ends in welcome's
 * DLQ; then `busline replay` re-sends both from the archive, and waits until the copies are handled.
 */
export async function driveThroughRetryDlqAndReplay(project: TinyProject, stateDir: string, email: string): Promise<void> {
  const busline = (...args: string[]): Promise<string> => buslineIn(project, [...args, '--state', stateDir]);
  const journal = (): Promise<JournalRecord[]> => readJournal(stateDir);
  const from = new Date(Date.now() - 60_000).toISOString();
  await busline('publish', 'contact.added', JSON.stringify({ contactId: 'c-retry', email, failTimes: 1 }), '--id', 'pii-retry');
  await busline('publish', 'contact.added', JSON.stringify({ contactId: 'c-dlq', email, failTimes: 9 }), '--id', 'pii-dlq');
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
}

/** An assertion that `text` is not empty and does not hold `value`. */
export function assertWithout(value: string): (what: string, text: string) => void {
  return (what, text) => {
    assert.ok(text.length > 0, `${what} is empty`);
    assert.ok(!text.includes(value), `${what} shows the PII value:\n${text}`);
  };
}

/** Every file under `dir`, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** GET `path` on the dashboard; it must answer 200. */
export async function dashboardGet(dashboardUrl: string, path: string): Promise<string> {
  const res = await fetch(new URL(path, dashboardUrl));
  assert.equal(res.status, 200, path);
  return res.text();
}

/** Runs `use` with a tool caller on the MCP endpoint (each answer as JSON text; an error answer fails). */
export async function withMcp(mcpUrl: string, use: (call: (name: string, args?: Record<string, unknown>) => Promise<string>) => Promise<void>): Promise<void> {
  const client = new Client({ name: 'busline-pii-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
  try {
    await use(async (name, args = {}) => {
      const result = await client.callTool({ name, arguments: args }) as CallToolResult;
      const text = JSON.stringify(result);
      assert.ok(!result.isError, `${name} failed: ${text}`);
      return text;
    });
  } finally {
    await client.close();
  }
}

/** The running PII project a test file drives (set in its `before`). */
export interface PiiRun {
  readonly project: TinyProject;
  readonly stateDir: string;
  readonly dev: DevRun;
}

/**
 * Registers the test file's `before` (the PII project in `mode` under `busline dev`, driven with
 * `value` through {@link driveThroughRetryDlqAndReplay}) and `after` (dev stopped, project
 * removed); returns the running project, for the tests.
 */
export function runPiiProject(mode: PiiMode, value: string): () => PiiRun {
  let running: PiiRun | undefined;
  let project: TinyProject | undefined;
  let dev: DevRun | undefined;
  before(async () => {
    project = piiProject(mode);
    const stateDir = stateDirOf(project);
    dev = await startDev(project, stateDir);
    await driveThroughRetryDlqAndReplay(project, stateDir, value);
    running = { project, stateDir, dev };
  }, { timeout: 300_000 });
  after(async () => {
    await dev?.stop();
    project?.remove();
  });
  return () => {
    assert.ok(running, 'the PII project did not start');
    return running;
  };
}

/**
 * Registers the tests of the outputs people and tools read, which hide `value` in every PII mode:
 * `busline events` (and its `--where` search), `busline tail`, `busline dlq show`, the dashboard
 * and the MCP endpoint, after {@link driveThroughRetryDlqAndReplay}.
 */
export function testOutputsHide(value: string, run: () => PiiRun): void {
  const assertHidden = assertWithout(value);
  const busline = (...args: string[]): Promise<string> => buslineIn(run().project, [...args, '--state', run().stateDir]);

  test('busline events shows the retried, dead-lettered and replayed events with their log lines, the value masked', async () => {
    const out = await busline('events', '--last', '50');
    assert.match(out, /the mail server refused \*\*\*/);
    assertHidden('busline events', out);
    assertHidden('busline events --correlation', await busline('events', '--correlation', 'pii-dlq'));
  });

  test('busline events --where on the PII field does not find the event by its value', async () => {
    const done = await runBusline(['events', '--where', `data.email=${value}`, '--state', run().stateDir], {}, run().project.dir);
    assert.doesNotMatch(`${done.stdout}${done.stderr}`, /c-retry|c-dlq/);
    assertHidden('busline events --where', `${done.stdout}${done.stderr}`);
  });

  test('busline tail prints the log lines with the value masked', async () => {
    const out = await busline('tail', '--since', '1h');
    assert.match(out, /welcoming/);
    assertHidden('busline tail', out);
  });

  test('busline dlq show shows the dead letter, its reason and body, with the value masked', async () => {
    const out = await busline('dlq', 'show', 'welcome');
    assert.match(out, /reason: .*the mail server refused \*\*\*/);
    assertHidden('busline dlq show', out);
  });

  test("the dashboard's answers (events, lineage, dead letters, status) never show the value", async () => {
    const get = (path: string): Promise<string> => dashboardGet(run().dev.dashboardUrl, path);
    const events = await get('/api/events');
    assert.match(events, /c-dlq/);
    assertHidden('/api/events', events);
    assertHidden('/api/lineage', await get('/api/lineage?id=pii-dlq'));
    assertHidden('/api/dead-letters', await get('/api/dead-letters?subscription=welcome'));
    assertHidden('/api/status', await get('/api/status'));
  });

  test("the MCP endpoint's answers (search, lineage, dead letters) never show the value", async () => {
    await withMcp(run().dev.mcpUrl, async (call) => {
      const found = await call('search_events', {});
      assert.match(found, /c-retry/);
      assertHidden('search_events', found);
      const byValue = await call('search_events', { text: value });
      assert.doesNotMatch(byValue, /c-retry|c-dlq/);
      assertHidden('search_events on the value', byValue);
      assertHidden('get_lineage', await call('get_lineage', { id: 'pii-retry' }));
      assertHidden('show_dead_letters', await call('show_dead_letters', { subscription: 'welcome' }));
    });
  });
}
