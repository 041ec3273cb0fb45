/**
 * What the PII end-to-end tests (pii-mask-outputs, pii-encrypt-outputs) share: `busline dev` on a
 * PII project (pii-project.ts) as a process, the run that drives a unique value through success
 * after a retry, a DLQ and a replay, and the helpers that gather every output to search.
 */
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
