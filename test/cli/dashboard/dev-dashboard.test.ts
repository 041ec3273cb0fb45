/**
 * `busline dev` serves the dashboard: run as a developer runs it (its own process, on an
 * assembly of the operations flow), it prints the dashboard's and the MCP endpoint's
 * addresses on 127.0.0.1, and the page is there; stopping `busline dev` stops the dashboard.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { opsFlowStack } from '../support/ops-flow.ts';
import { startEngineProcess, type EngineProcess } from '../../local/support/reference-flow.ts';

let assemblyDir: string;
let stateDir: string;
let dev: EngineProcess;

before(async () => {
  assemblyDir = (opsFlowStack('000000000000', 'us-east-1').node.root as App).synth().directory;
  stateDir = mkdtempSync(join(tmpdir(), 'busline-dev-dashboard-'));
  dev = await startEngineProcess(assemblyDir, stateDir, ['--quiet']);
});

after(async () => {
  await dev?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(assemblyDir, { recursive: true, force: true });
});

test('busline dev prints the dashboard and MCP addresses on 127.0.0.1, serves the page there, and stops it when it stops', async () => {
  const [, url, mcp] = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/) {2}\(MCP: (\S+)\)/.exec(dev.output()) ?? [];
  assert.ok(url, `no dashboard address in:\n${dev.output()}`);
  assert.equal(mcp, `${url}mcp`);
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script type="module" src="\/app\.js">/);
  const flow = await (await fetch(`${url}api/flow`)).json() as { flows: { subscriptions: { name: string }[] }[] };
  assert.deepEqual(flow.flows[0]!.subscriptions.map((s) => s.name).sort(), ['greet', 'record', 'refuse']);

  await dev.stop();
  await assert.rejects(fetch(url), 'the dashboard stopped with busline dev');
});
