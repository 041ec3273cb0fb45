/**
 * The dashboard's MCP endpoint, driven by the MCP SDK's own client over streamable HTTP,
 * against the operations flow running in the engine: the tools are listed, an event published
 * through them is followed to what it caused, a rule's verdict is explained, and a dead letter
 * is redriven — with an edited payload — to exactly its subscription.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MCP_TOOL_NAMES, type LineageTree } from '../../../lib/cli/dashboard/mcp-tools.ts';
import { startDashboardOnOpsFlow, type DashboardOnOpsFlow } from '../support/dashboard-on-ops-flow.ts';
import { waitFor } from '../../local/support/reference-flow.ts';

let flow: DashboardOnOpsFlow;
let client: Client;

before(async () => {
  flow = await startDashboardOnOpsFlow();
  client = new Client({ name: 'busline-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(flow.dashboard.mcpUrl)));
});

after(async () => {
  await client?.close();
  await flow?.stop();
});

async function call<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await client.callTool({ name, arguments: args }) as CallToolResult;
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  assert.ok(!result.isError, `${name} failed: ${text}`);
  return JSON.parse(text) as T;
}

async function refused(name: string, args: Record<string, unknown>): Promise<string> {
  const result = await client.callTool({ name, arguments: args }) as CallToolResult;
  assert.equal(result.isError, true, `${name} was expected to be refused`);
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

test('the endpoint lists every flow operation as a tool, each with a description', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [...MCP_TOOL_NAMES].sort());
  for (const t of tools) assert.ok(t.description && t.description.length > 20, `${t.name} is described`);
});

test('describe_flow names each subscription with its topics and who publishes each topic', async () => {
  const { flows } = await call<{ flows: { topics: { name: string; publishedBy: string[]; subscribedBy: string[] }[]; subscriptions: { name: string; delivery: string }[] }[] }>('describe_flow');
  const [only] = flows;
  assert.deepEqual(only!.subscriptions.map((s) => [s.name, s.delivery]).sort(), [['greet', 'queue'], ['record', 'queue'], ['refuse', 'direct'], ['tally', 'queue']]);
  const recorded = only!.topics.find((t) => t.name === 'greeting.recorded')!;
  assert.deepEqual(recorded.publishedBy, ['greet']);
  assert.deepEqual(recorded.subscribedBy, ['record']);
});

test('an event published through the endpoint is found by its correlation id, and its lineage reaches the event it caused and the run that handled it', async () => {
  const published = await call<{ id: string; correlationId: string }>('publish_event', { topic: 'greeting.sent', data: { name: 'Grace', times: 1 }, id: 'mcp-1' });
  assert.equal(published.id, 'mcp-1');
  await waitFor('record handled the caused event', async () => (await flow.runsMentioning('record', 'Grace')).length === 1 || undefined);

  const { events } = await call<{ events: { id: string; topic: string }[] }>('search_events', { correlationId: 'mcp-1' });
  assert.deepEqual(events.map((e) => e.topic).sort(), ['greeting.recorded', 'greeting.sent']);

  const tree = await waitFor('the lineage shows record done', async () => {
    const t = await call<LineageTree>('get_lineage', { id: 'mcp-1' });
    return t.caused[0]?.steps.some((s) => s.kind === 'invocation.finished' && s.text.includes('record success')) ? t : undefined;
  });
  assert.equal(tree.event.id, 'mcp-1');
  assert.ok(tree.steps.some((s) => s.text === '✓ rule greet matched'));
  assert.ok(tree.steps.some((s) => s.kind === 'invocation.finished' && s.text.startsWith('✓ greet success')));
  assert.equal(tree.caused[0]!.event.topic, 'greeting.recorded');
});

test('publish_event answers once the event is in the journal, so a search right after finds it', async () => {
  const published = await call<{ id: string; journaled: boolean }>('publish_event', { topic: 'greeting.sent', data: { name: 'Dorothy', times: 1 }, id: 'mcp-seen-1' });
  assert.equal(published.journaled, true);
  const { events } = await call<{ events: { id: string }[] }>('search_events', { id: 'mcp-seen-1' });
  assert.deepEqual(events.map((e) => e.id), ['mcp-seen-1']);
});

test('search_events takes a field of the data, data.<path>=<value>, comparing a number by its JSON', async () => {
  await call('publish_event', { topic: 'greeting.sent', data: { name: 'Katherine', times: 7 }, id: 'mcp-field-7' });
  await call('publish_event', { topic: 'greeting.sent', data: { name: 'Katherine', times: 8 }, id: 'mcp-field-8' });
  const byName = await call<{ events: { id: string }[] }>('search_events', { dataField: 'data.name=Katherine', topic: 'greeting.sent' });
  assert.deepEqual(byName.events.map((e) => e.id), ['mcp-field-8', 'mcp-field-7'], 'newest first');
  const byTimes = await call<{ events: { id: string }[] }>('search_events', { dataField: 'data.times=8', topic: 'greeting.sent' });
  assert.deepEqual(byTimes.events.map((e) => e.id), ['mcp-field-8']);
});

test('search_events refuses a data field filter without the data. prefix, saying the form it takes', async () => {
  const text = await refused('search_events', { dataField: 'name=Katherine' });
  assert.match(text, /DataFieldFilterError: name=Katherine: expected data\.<field>=<value>, e\.g\. data\.userId=u-1/);
});

test("explain_match tells that the filtered subscription's rule did not match, and why", async () => {
  await call('publish_event', { topic: 'greeting.sent', data: { name: 'Barbara', times: 2 }, id: 'mcp-explain' });
  const verdict = await waitFor('both rules judged', async () => {
    const v = await call<{ rules: { subscription: string; matched: boolean; reason?: string }[] }>('explain_match', { id: 'mcp-explain' });
    return v.rules.length >= 2 ? v : undefined;
  });
  assert.equal(verdict.rules.find((r) => r.subscription === 'greet')?.matched, true);
  const refuse = verdict.rules.find((r) => r.subscription === 'refuse')!;
  assert.equal(refuse.matched, false);
  assert.match(refuse.reason ?? '', /name/);
});

test('a payload that breaks the topic schema is refused with each violation, and nothing is published', async () => {
  const text = await refused('publish_event', { topic: 'greeting.sent', data: { name: '', times: 0 }, id: 'mcp-invalid' });
  assert.match(text, /PayloadInvalidError: the payload does not match greeting\.sent v1; nothing was sent/);
  assert.match(text, /\/times must be >= 1/);
  const { events } = await call<{ events: unknown[] }>('search_events', { id: 'mcp-invalid' });
  assert.deepEqual(events, []);
});

test('a dead letter is shown with its reason and redriven with an edited payload to its own subscription alone', async () => {
  await call('publish_event', { topic: 'greeting.sent', data: { name: 'Mallory', times: 1 }, id: 'mcp-dead' });
  const shown = await waitFor('the dead letter', async () => {
    const s = await call<{ messages: { messageId: string; reason: string; eventId?: string; topic?: string }[] }>('show_dead_letters', { subscription: 'refuse' });
    return s.messages.find((m) => m.eventId === 'mcp-dead');
  });
  assert.match(shown.reason, /retries-exhausted \(Error: refusing to greet Mallory\)/);
  assert.equal(shown.topic, 'greeting.sent');

  const invalid = await refused('redrive_dead_letter', { subscription: 'refuse', messageId: shown.messageId, data: { name: 'Mallory' } });
  assert.match(invalid, /must have required property 'times'/);

  await call('redrive_dead_letter', { subscription: 'refuse', messageId: shown.messageId, data: { name: 'Mallory the second', times: 1 } });
  // refuse ran on the edited payload (and refused it again); greet, on the same topic, did not get it again.
  await waitFor('refuse ran on the edited event', async () => (await flow.runsMentioning('refuse', 'Mallory the second')).length === 1 || undefined);
  assert.equal((await flow.runsMentioning('greet', '"greetedName":"Mallory the second"')).length, 0);
  const again = await waitFor('the next dead letter', async () => {
    const s = await call<{ messages: { eventId?: string; reason: string; history: { reason: string }[] }[] }>('show_dead_letters', { subscription: 'refuse' });
    return s.messages.find((m) => m.eventId === 'mcp-dead' && m.history.length === 1);
  });
  assert.match(again.reason, /refusing to greet Mallory the second/);
  assert.match(again.history[0]!.reason, /refusing to greet Mallory\)/);
});

test('a request naming another host is refused, so a page elsewhere cannot reach the endpoint through DNS rebinding', async () => {
  const url = new URL(flow.dashboard.mcpUrl);
  const { request } = await import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${url.port}`, 'content-type': 'application/json' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end('{}');
  });
  assert.equal(status, 403);
});
