/** The event catalog rendered from the fixture flow: content per topic, and the golden copy kept fresh. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderCatalog } from '../../lib/schema/catalog.ts';
import type { FlowManifest } from '../../lib/schema/flow-manifest.ts';
import { loadSchemas } from '../../lib/schema/schema-set.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/schema/', import.meta.url));
const FLOW: FlowManifest = JSON.parse(readFileSync(`${FIXTURE}flow-manifest.json`, 'utf8'));
const catalog = renderCatalog({ flows: [FLOW], topics: loadSchemas(`${FIXTURE}schemas`), baseDir: FIXTURE });

function section(topic: string): string {
  const start = catalog.indexOf(`\n## ${topic}\n`);
  assert.notEqual(start, -1, `catalog has a section for ${topic}`);
  const next = catalog.indexOf('\n## ', start + 1);
  return catalog.slice(start, next === -1 ? undefined : next);
}

test('the catalog opens with a Mermaid diagram of the whole flow', () => {
  assert.match(catalog, /\n## Flow\n\n```mermaid\nflowchart LR\n[\s\S]+\n```\n/);
});

test('a topic lists its fields with type, requiredness, constraints and description, nested fields by path', () => {
  const s = section('order.placed');
  assert.ok(s.includes('| `orderId` | string | yes | format uuid | Order identifier. |'));
  assert.ok(s.includes('| `lines[].sku` | string | yes | pattern `^[A-Z0-9-]+$` |  |'));
  assert.ok(s.includes('| `total` | number | yes | > 0 | Order total in the currency\'s major unit. |'));
  assert.ok(s.includes('| `couponCode` | string | no |  | Coupon applied at checkout, if any. |'));
});

test('a topic lists its versions with what changed and the compatibility facts', () => {
  const s = section('order.placed');
  assert.ok(s.includes('source `busline.orders` · latest version v2 · compatibility backward · accepted by default: v1, v2'));
  assert.ok(s.includes('| v2 | `schemas/order.placed/v2.json` | new optional field `couponCode`; widened enum `currency` (breaks forward) |'));
});

test('a topic lists its publishers and its subscribers with delivery, filter and accepted versions', () => {
  const s = section('inventory.reserved');
  assert.ok(s.includes('- `reserve-inventory` (subscription handler)'));
  assert.ok(s.includes('| `schedule-shipment` | ordered | warehouse = FRA-1 | v1 |'));
  assert.ok(section('order.placed').includes('| `notify-customer` | direct | total > 100 | v1, v2 |'));
});

test('the checked-in fixture catalog is what the generator makes', () => {
  assert.equal(readFileSync(`${FIXTURE}catalog.md`, 'utf8'), catalog, 'run `busline catalog --assembly assembly --out catalog.md` in test/fixtures/schema');
});
