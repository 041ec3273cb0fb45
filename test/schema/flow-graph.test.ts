/** The flow graph and the words used for content filters in the graph and the catalog. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { describeFilter, renderGraph } from '../../lib/schema/flow-graph.ts';
import type { FlowManifest } from '../../lib/schema/flow-manifest.ts';

const FLOW: FlowManifest = JSON.parse(readFileSync(new URL('../fixtures/schema/flow-manifest.json', import.meta.url), 'utf8'));

test('mermaid: publishers feed topics, topics feed subscriptions (labelled with filters), subscriptions feed the topics they publish', () => {
  assert.equal(renderGraph([FLOW], 'mermaid'), [
    'flowchart LR',
    '  t_order_placed(["order.placed"])',
    '  t_inventory_reserved(["inventory.reserved"])',
    '  t_shipment_scheduled(["shipment.scheduled"])',
    '  p_checkout_api[/"checkout-api"/]',
    '  s_reserve_inventory["reserve-inventory (queue)"]',
    '  s_schedule_shipment["schedule-shipment (ordered)"]',
    '  s_notify_customer["notify-customer (direct)"]',
    '  p_checkout_api --> t_order_placed',
    '  t_order_placed --> s_reserve_inventory',
    '  s_reserve_inventory --> t_inventory_reserved',
    '  t_inventory_reserved -->|"warehouse = FRA-1"| s_schedule_shipment',
    '  s_schedule_shipment --> t_shipment_scheduled',
    '  t_order_placed -->|"total > 100"| s_notify_customer',
    '  t_shipment_scheduled -->|"total > 100"| s_notify_customer',
    '',
  ].join('\n'));
});

test('mermaid: several flows become one subgraph each, with flow-prefixed node ids', () => {
  const other: FlowManifest = { ...FLOW, flow: 'billing', topics: [{ name: 'invoice.sent', source: 'b', versions: [1] }], subscriptions: [], publishers: [{ name: 'biller', topics: ['invoice.sent'] }] };
  const text = renderGraph([FLOW, other], 'mermaid');
  assert.match(text, /\n {2}subgraph billing\["billing"\]\n {4}billing_t_invoice_sent\(\["invoice\.sent"\]\)\n/);
  assert.match(text, /\n {4}billing_p_biller --> billing_t_invoice_sent\n {2}end\n$/);
});

test('quotes in names are escaped for mermaid and dot', () => {
  const flow: FlowManifest = { ...FLOW, topics: [], subscriptions: [], publishers: [{ name: 'say "hi"', topics: ['t'] }] };
  assert.match(renderGraph([flow], 'mermaid'), /p_say__hi_\[\/"say #quot;hi#quot;"\/\]/);
  assert.match(renderGraph([flow], 'dot'), /label="say \\"hi\\""/);
});

test('filters read as words: equality, alternatives, numeric ranges, prefixes, exists, anything-but, nesting', () => {
  assert.equal(describeFilter({ warehouse: ['FRA-1', 'BER-2'] }), 'warehouse = FRA-1 | BER-2');
  assert.equal(describeFilter({ total: [{ numeric: ['>=', 10, '<', 100] }] }), 'total >= 10 and total < 100');
  assert.equal(describeFilter({ sku: [{ prefix: 'X-' }], coupon: [{ exists: false }] }), 'sku starts with "X-", coupon absent');
  assert.equal(describeFilter({ status: [{ 'anything-but': ['void', 'draft'] }] }), 'status ≠ void | draft');
  assert.equal(describeFilter({ customer: { tier: ['gold'] } }), 'customer.tier = gold');
  assert.equal(describeFilter({ region: ['eu', { prefix: 'us-' }] }), '(region = eu or region starts with "us-")');
});
