/**
 * The dashboard page in a real browser (Debian's chromium, driven by playwright-core) against
 * the operations flow running in the engine: the graph shows the flow's four subscriptions
 * with live counters; an event published from the form is followed to the event it caused and
 * the run that handled it; a dead-lettered event is opened, its payload fixed (validated as it
 * is typed), redriven, and seen to succeed.
 *
 * Screenshots of each view are taken on the way; with UPDATE_SCREENSHOTS=1 they are written to
 * docs/images/ (docs/dashboard.md shows them), otherwise to a temporary folder.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { toolMissing } from '../../support/prerequisites.ts';
import { startDashboardOnOpsFlow, type DashboardOnOpsFlow } from '../support/dashboard-on-ops-flow.ts';
import { waitFor } from '../../local/support/reference-flow.ts';

const skip = toolMissing('chromium');
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';
const SHOTS = UPDATE ? fileURLToPath(new URL('../../../docs/images/', import.meta.url)) : mkdtempSync(join(tmpdir(), 'busline-shots-'));

let flow: DashboardOnOpsFlow;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  flow = await startDashboardOnOpsFlow();
  const executablePath = spawnSync('which', ['chromium'], { encoding: 'utf8' }).stdout.trim();
  // --no-sandbox: CI containers run as root, where chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(flow.dashboard.url);
});

after(async () => {
  await browser?.close();
  await flow?.stop();
  if (!UPDATE) rmSync(SHOTS, { recursive: true, force: true });
});

const nodeText = (id: string): Promise<string> => page.locator(`[data-node="${id}"]`).textContent().then((t) => t ?? '');
const edgeText = (id: string): Promise<string> => page.locator(`[data-edge="${id}"]`).textContent().then((t) => t ?? '');

test("the graph shows the flow's four subscriptions, each rule with its pattern, and flags the topic nothing in the flow publishes", { skip }, async () => {
  for (const name of ['greet', 'record', 'refuse', 'tally']) {
    await page.locator(`[data-node="function:${name}"]`).waitFor();
    assert.match(await nodeText(`function:${name}`), /runs ok 0 · failed 0/);
  }
  assert.match(await page.locator('[data-node="rule:refuse"] title').textContent() ?? '', /"name":\["Mallory"\]/);
  assert.match(await page.locator('[data-orphan="greeting.sent"]').textContent() ?? '', /nothing in the flow publishes it/);
  assert.equal(await page.locator('[data-orphan="greeting.recorded"]').count(), 0, 'greet publishes greeting.recorded, record consumes it');
});

test('an event published from the form is followed to the event it caused and the run that handled it, and the counters move', { skip }, async () => {
  assert.match(await edgeText('greeting.sent→greet'), /in 0 · ok 0 · retried 0.*failed 0 · dead 0/);
  const form = page.locator('section[aria-label="publish"]');
  await form.getByLabel('topic').selectOption('greeting.sent');
  await form.locator('input[name="name"]').fill('Ada');
  await form.locator('input[name="times"]').fill('2');
  await form.getByRole('button', { name: 'Publish' }).click({ timeout: 10_000 });
  await waitFor('the publish result', async () => /published greeting\.sent id=/.test(await form.getByLabel('publish result').textContent() ?? '') || undefined);

  const lineage = page.locator('section[aria-label="lineage"]');
  const caused = lineage.locator('.tree [data-lineage]');
  await caused.locator('[data-step="invocation.finished"]', { hasText: 'record success' }).waitFor({ timeout: 60_000 });
  assert.match(await caused.first().textContent() ?? '', /greeting\.recorded/);
  assert.match(await lineage.textContent() ?? '', /✓ rule greet matched/);
  assert.match(await lineage.textContent() ?? '', /rule refuse did not match/);

  await waitFor('greet counted the run', async () => /runs ok 1 · failed 0/.test(await nodeText('function:greet')) || undefined);
  assert.match(await nodeText('rule:greet'), /in 1/);
  // The edge greeting.sent → greet counts what came in and how its runs ended; the edge to
  // refuse, whose filter the event did not meet, stays at nothing.
  assert.match(await edgeText('greeting.sent→greet'), /in 1 · ok 1 · retried 0.*failed 0 · dead 0/);
  assert.match(await edgeText('greeting.sent→refuse'), /in 0 · ok 0/);
  await page.locator('section[aria-label="flow graph"]').screenshot({ path: join(SHOTS, 'dashboard-graph.png') });
  await lineage.screenshot({ path: join(SHOTS, 'dashboard-lineage.png') });
});

test('the live list shows each published event, and finds one by a text in its data', { skip }, async () => {
  const list = page.getByRole('list', { name: 'events' });
  await list.locator('li', { hasText: 'greeting.recorded' }).first().waitFor();
  await page.getByLabel('text in data').fill('ada');
  await waitFor('the search', async () => (await list.locator('li[data-event]').count()) === 2 || undefined);
  await page.getByLabel('text in data').fill('nobody-has-this');
  await list.locator('li', { hasText: 'no events match' }).waitFor();
  await page.getByLabel('text in data').fill('');
});

test('the live list finds events by a data field, as busline events --where does', { skip }, async () => {
  const list = page.getByRole('list', { name: 'events' });
  const { events } = await (await fetch(`${flow.dashboard.url}api/events?where=${encodeURIComponent('data.name=Ada')}`)).json() as { events: { data: { name?: string } }[] };
  assert.ok(events.length > 0 && events.every((e) => e.data.name === 'Ada'), 'the API finds the events whose data.name is Ada, and only those');
  await page.getByLabel('data.field=value').fill('data.name=Ada');
  await waitFor('the data field search', async () => (await list.locator('li[data-event]').count()) === events.length || undefined);
  await page.getByLabel('data.field=value').fill('data.name=Nobody');
  await list.locator('li', { hasText: 'no events match' }).waitFor();
  await page.getByLabel('data.field=value').fill('');
});

test('a dead-lettered event is opened, its payload fixed as the schema says, redriven to its subscription, and seen to succeed', { skip }, async () => {
  const form = page.locator('section[aria-label="publish"]');
  await form.locator('input[name="name"]').fill('Zed');
  await form.locator('input[name="times"]').fill('12');
  await form.getByRole('button', { name: 'Publish' }).click({ timeout: 10_000 });

  const bench = page.locator('section[aria-label="dead letters"]');
  await bench.getByLabel('dead-letter subscription').selectOption('tally');
  const letter = bench.locator('.letter', { hasText: 'cannot tally 12 greetings at once' });
  await letter.waitFor({ timeout: 60_000 });
  await letter.getByRole('button', { name: 'Open' }).click();

  const editor = letter.getByLabel('dead letter payload');
  await editor.fill('{"name": "Zed", "times": "twelve"}');
  await letter.getByLabel('problems').getByText('/times must be integer').waitFor();
  assert.equal(await letter.getByRole('button', { name: 'Redrive edited' }).isDisabled(), true, 'an invalid payload cannot be redriven');
  await editor.fill('{"name": "Zed", "times": 3}');
  await waitFor('the payload is valid', async () => !(await letter.getByRole('button', { name: 'Redrive edited' }).isDisabled()) || undefined);
  await bench.screenshot({ path: join(SHOTS, 'dashboard-dead-letters.png') });
  await letter.getByRole('button', { name: 'Redrive edited' }).click();

  await waitFor('tally succeeded on the fixed payload', async () => (await flow.runsMentioning('tally', '"tallied":3')).length === 1 || undefined);
  // Three runs of tally, each ending well for Lambda (the runtime itself dead-letters a
  // NonRetryableError's record), and one dead letter.
  await waitFor('the graph counted it', async () => /runs ok 3 · failed 0.*dead 1/.test(await nodeText('function:tally')) || undefined);
  // The redriven event's lineage, opened by the redrive, shows the run that tallied it.
  await page.locator('section[aria-label="lineage"]').getByText(/tallied=3/).waitFor();
  await bench.getByText(/is empty\./).waitFor();
  assert.equal(await bench.locator('.letter').count(), 0, 'the DLQ is empty');
});
