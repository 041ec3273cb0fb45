/**
 * PII mask mode in the engine's journal (journal/journal-pii-masking.ts): with the topics' PII
 * paths set (startLocalApp sets them from the flow manifests), the values of an event's PII
 * fields are written as `***` in every record about it: its `event.accepted` record, the records
 * of its invocations (error, log lines), and the DynamoDB writes made while its handler runs.
 * The event on the queue keeps its value (mask mode stores the data as published).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { journaledFailureQuoting, journaledWriteKeyedBy } from './support/journal-pii.ts';
import { startEngine, type EngineFixture } from './support/engine-fixture.ts';
import type { EventAcceptedRecord, TableWrittenRecord } from '../../lib/local/index.ts';

let fx: EngineFixture;

before(async () => {
  fx = await startEngine({ withoutDynamoDb: false });
  fx.engine.createBus('contacts');
  const q = fx.engine.createQueue('Welcome', {});
  fx.engine.putRule({ Name: 'Added', EventBusName: 'contacts', EventPattern: '{"detail-type":["contact.added"]}' });
  fx.engine.putTargets('contacts', 'Added', [{ Id: 'q', Arn: q.arn }]);
  fx.engine.setTopicPiiPaths(new Map([['contact.added', [['email'], ['phones', '*']]]]));
  await fx.dynamodb.send(new CreateTableCommand({
    TableName: 'Received', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'email', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
  }));
});
after(() => fx.close());

/** Publishes a contact.added event whose email is a value made for the test; its event id and the value. */
async function publishContact(): Promise<{ eventId: string; email: string }> {
  const email = `pii-${randomUUID()}@example.com`;
  const { Entries: [result] } = await fx.engine.putEvents([{
    EventBusName: 'contacts', Source: 'test.contacts', DetailType: 'contact.added',
    Detail: JSON.stringify({ metadata: { id: randomUUID(), correlationId: 'c-1' }, data: { contactId: 'c-1', email, phones: ['+44 20 7946 0000'] } }),
  }]);
  return { eventId: result!.EventId!, email };
}

async function acceptedRecord(eventId: string): Promise<EventAcceptedRecord> {
  const [record] = await fx.engine.journalQuery({ eventId, kinds: ['event.accepted'] });
  return record as EventAcceptedRecord;
}

test('the journal record of an accepted event holds *** in place of each PII value, and the event its other fields', async () => {
  const { eventId, email } = await publishContact();
  const record = await acceptedRecord(eventId);
  const event = record.event as { 'detail-type': string; detail: { data: Record<string, unknown> } };
  assert.deepEqual(event.detail.data, { contactId: 'c-1', email: '***', phones: ['***'] });
  assert.equal(event['detail-type'], 'contact.added');
  // journalQuery has written the journal out.
  assert.ok(!readFileSync(join(fx.stateDir, 'journal', 'journal.jsonl'), 'utf8').includes(email), 'the journal file holds the value');
});

test('the event on the queue keeps its PII values as published', async () => {
  const { email } = await publishContact();
  const bodies = fx.engine.peekMessages('Welcome', 10).map((m) => m.Body);
  assert.ok(bodies.some((b) => b.includes(email)));
});

test("an invocation's error and log lines are masked with the values of the event it ran for", async () => {
  const { eventId, email } = await publishContact();
  assert.deepEqual(await journaledFailureQuoting(fx, eventId, email, 'i-1'), ['Error: the mail server refused ***', ['sending to ***']]);
});

test('a table.written record masks the PII values of the events whose handlers run while it is written', async () => {
  const { eventId, email } = await publishContact();
  assert.deepEqual(await journaledWriteKeyedBy(fx, eventId, email, 'i-2'), [['Received', '{"email":{"S":"***"}}']]);
});

test('a DynamoDB write made when no handler of a PII event runs is journaled as it is', async () => {
  await fx.dynamodb.send(new PutItemCommand({ TableName: 'Received', Item: { email: { S: 'ops@example.com' } } }));
  const written = (await fx.engine.journalQuery({ kinds: ['table.written'] })) as TableWrittenRecord[];
  assert.equal(written.at(-1)!.items[0]!.key, '{"email":{"S":"ops@example.com"}}');
});
