import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startFloorEndpoint, type FloorEndpoint } from '../../bench/lib/floor-endpoint.ts';

let dir: string;
let floor: FloorEndpoint;
let client: EventBridgeClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  floor = await startFloorEndpoint(join(dir, 'events.jsonl'));
  client = new EventBridgeClient({ endpoint: floor.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});

after(async () => {
  client.destroy();
  await floor.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the floor answers the SDK client\'s PutEvents once every entry is written to its file', async () => {
  const detail = (n: number) => JSON.stringify({ metadata: { id: `e-${n}` }, data: { total: n } });
  const result = await client.send(
    new PutEventsCommand({ Entries: [1, 2, 3].map((n) => ({ EventBusName: 'bench', Source: 'bench.orders', DetailType: 'OrderPlaced', Detail: detail(n) })) }),
  );
  assert.equal(result.FailedEntryCount, 0);
  assert.equal(result.Entries?.length, 3);
  assert.equal(floor.written(), 3);
  const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { detail: { data: { total: number } } });
  assert.deepEqual(lines.map((l) => l.detail.data.total), [1, 2, 3]);
});

test('the floor refuses a Detail that is not a JSON object and writes nothing for it', async () => {
  const before = floor.written();
  await assert.rejects(client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: '[1]' }] })), /must be a JSON object/);
  assert.equal(floor.written(), before);
});

test('any other operation gets an AWS-shaped UnknownOperationException', async () => {
  await assert.rejects(client.send(new DescribeEventBusCommand({ Name: 'bench' })), (err: Error) => err.name === 'UnknownOperationException');
});
