/**
 * The writes a handler committed, in its event's timeline: the ops flow in the engine with a
 * subscription `remember` that declares a DynamoDB Put with ctx.write (the runtime commits it in
 * one TransactWriteItems with its dedupe mark); the engine journals the committed transaction,
 * and `busline events` and the dashboard's lineage show the write under the event it was for.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { TableWrittenRecord } from 'busline/local';
import { waitFor } from '../local/support/reference-flow.ts';
import { startOpsFlowEngine, succeeded, type OpsFlowEngine } from './support/ops-flow-engine.ts';
import { buildLineage, describeStep } from '../../lib/cli/lineage.ts';
import { lineageOf } from '../../lib/cli/flow-operations.ts';
import { lineageTree } from '../../lib/cli/dashboard/mcp-tools.ts';

let engine: OpsFlowEngine;

before(async () => {
  engine = await startOpsFlowEngine('busline-writes-', (flow, { sent }) => {
    const greetings = new Table(flow, 'Greetings', { partitionKey: { name: 'name', type: AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
    const sub = flow.addSubscription('remember', { topic: sent, handler: 'handlers/remember.ts', environment: { GREETINGS_TABLE: greetings.tableName } });
    greetings.grantWriteData(sub.function);
  });
});

after(async () => {
  await engine?.stop();
});

/** Until the journal has remember's committed transaction writing the Greetings item of `name`. */
async function rememberDone(name: string): Promise<void> {
  const key = JSON.stringify({ name: { S: name } });
  await waitFor(`remember to commit ${name}`, async () => (await engine.journal())
    .some((r) => r.kind === 'table.written' && r.action === 'TransactWriteItems' && r.items.some((item) => item.key === key)) || undefined);
}

test('busline events shows the write a handler committed under the event it handled, with its table and key', async () => {
  succeeded(await busline('publish', 'greeting.sent', '{"name":"Ada","times":2}', '--id', 'writes-1'));
  await rememberDone('Ada');
  const out = succeeded(await busline('events', '--correlation', 'writes-1'));
  const line = out.split('\n').find((l) => l.includes('✎'));
  assert.ok(line, out);
  assert.match(line, /✎ remember committed Put \S*Greetings\S* \{name=Ada\}$/);
});

test("a committed transaction is tied to the event its dedupe mark names, not to another event's timeline", async () => {
  succeeded(await busline('publish', 'greeting.sent', '{"name":"Grace","times":1}', '--id', 'writes-2'));
  succeeded(await busline('publish', 'greeting.sent', '{"name":"Alan","times":1}', '--id', 'writes-3'));
  await rememberDone('Grace');
  await rememberDone('Alan');
  const records = await engine.journal();
  const written = records.filter((r): r is TableWrittenRecord => r.kind === 'table.written' && r.action === 'TransactWriteItems');
  // The engine's record: the handler's Put, then the dedupe mark the runtime commits with it.
  const grace = written.find((r) => r.items[0]?.key === '{"name":{"S":"Grace"}}')!;
  const [put, mark, ...more] = grace.items;
  assert.equal(more.length, 0);
  assert.deepEqual([put!.op, mark!.op, mark!.key], ['Put', 'Update', '{"pk":{"S":"remember#writes-2"}}']);
  const table = put!.table;
  assert.match(table, /Greetings/);

  const stepsOf = (id: string): string[] => buildLineage(records).find((n) => n.event.metadataId === id)!.steps
    .filter((s) => s.kind === 'table.written').map((s) => describeStep(s, (n) => n) ?? '');
  assert.deepEqual(stepsOf('writes-2'), [`✎ remember committed Put ${table} {name=Grace}`]);
  assert.deepEqual(stepsOf('writes-3'), [`✎ remember committed Put ${table} {name=Alan}`]);
});

test("the dashboard's and MCP's lineage of an event lists the write its handler committed as a step of its timeline", async () => {
  succeeded(await busline('publish', 'greeting.sent', '{"name":"Edsger","times":3}', '--id', 'writes-4'));
  await rememberDone('Edsger');
  const records = await engine.journal();
  const tree = lineageTree(lineageOf({ records: () => records, label: (n) => n }, 'writes-4'), (n) => n);
  const steps = tree.steps.filter((s) => s.kind === 'table.written').map((s) => s.text);
  assert.equal(steps.length, 1);
  assert.match(steps[0]!, /^✎ remember committed Put \S*Greetings\S* \{name=Edsger\}$/);
});

const busline = (...args: string[]) => engine.busline(...args);
