import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startEventsEndpoint, type EventsEndpoint } from '../../bench/lib/events-endpoint.ts';

let endpoint: EventsEndpoint;
let client: EventBridgeClient;

before(async () => {
  endpoint = await startEventsEndpoint();
  client = new EventBridgeClient({ endpoint: endpoint.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});

after(async () => {
  client.destroy();
  await endpoint.close();
});

test('the bench PutEvents endpoint accepts every entry sent by the SDK client and counts them by detail-type', async () => {
  const result = await client.send(
    new PutEventsCommand({
      Entries: [
        { Source: 's', DetailType: 'inventory.reserved', Detail: '{}', EventBusName: 'orders' },
        { Source: 's', DetailType: 'inventory.reserved', Detail: '{}', EventBusName: 'orders' },
        { Source: 's', DetailType: 'other', Detail: '{}', EventBusName: 'orders' },
      ],
    }),
  );
  assert.equal(result.FailedEntryCount, 0);
  assert.equal(result.Entries?.length, 3);
  assert.ok(result.Entries?.every((e) => typeof e.EventId === 'string' && e.EventId.length > 0));
  assert.equal(endpoint.accepted('inventory.reserved'), 2);
  assert.equal(endpoint.accepted('other'), 1);
});

test('any other operation gets an AWS-shaped UnknownOperationException', async () => {
  await assert.rejects(client.send(new DescribeEventBusCommand({ Name: 'orders' })), (err: Error) => err.name === 'UnknownOperationException');
});
