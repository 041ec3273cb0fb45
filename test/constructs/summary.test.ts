import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatFlow, readFlowManifests } from '../../lib/cli/summary.ts';
import type { FlowManifest } from '../../lib/schema/flow-manifest.ts';
import { cleanup, tempDir } from './helpers.ts';

after(cleanup);

const manifest: FlowManifest = {
  manifestVersion: 1,
  flow: 'Orders',
  busLogicalId: 'OrdersBus1',
  schemasDir: 'schemas',
  topics: [{ name: 'order.placed', source: 'shop.orders', versions: [1, 2] }],
  subscriptions: [{
    name: 'reserve-inventory',
    constructPath: 'S/Orders/ReserveInventory',
    topics: ['order.placed'],
    delivery: 'queue',
    filter: { currency: ['EUR'] },
    eventPattern: {},
    publishes: ['inventory.reserved'],
    retry: { maxAttempts: 3, backoffBaseSeconds: 2, backoffMaxSeconds: 300 },
    dedupe: { ttlSeconds: 86400 },
    resources: { rule: 'R', function: 'F', dlq: 'D', queue: 'Q' },
  }],
  publishers: [{ name: 'S/Checkout', topics: ['order.placed'] }],
};

test('the summary finds flow manifests on event bus resources of the assembly templates', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'S.template.json'), JSON.stringify({
    Resources: {
      OrdersBus1: { Type: 'AWS::Events::EventBus', Metadata: { 'Busline::Flow': manifest } },
      Other: { Type: 'AWS::SQS::Queue', Metadata: { 'Busline::Flow': 'not a bus' } },
    },
  }));
  writeFileSync(join(dir, 'manifest.json'), '{}');
  assert.deepEqual(readFlowManifests(dir), [{ stack: 'S', manifest }]);
});

test('the summary lists topics, subscriptions with what each publishes, and other publishers', () => {
  const text = formatFlow('S', manifest);
  assert.equal(text, [
    'flow Orders (stack S)',
    '  topics:',
    '    order.placed  source shop.orders, schema v1, v2',
    '  subscriptions:',
    '    reserve-inventory  on order.placed (filter {"currency":["EUR"]}), queue delivery, 3 attempts → publishes inventory.reserved',
    '  publisher S/Checkout → order.placed',
  ].join('\n'));
});
