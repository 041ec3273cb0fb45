/**
 * The compatibility gate, change kind by change kind, in each mode, with the exact message.
 * Each case edits order.placed v1 (test/fixtures/schema) into a v2 and runs the gate with the
 * fixture flow declaration (subscribers reserve-inventory and notify-customer, publisher checkout-api).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { CompatibilityMode } from '../../lib/schema/compatibility.ts';
import { runCompatibilityGate } from '../../lib/schema/compatibility-gate.ts';
import type { FlowManifest } from '../../lib/schema/flow-manifest.ts';
import type { JsonSchema, TopicSchemas } from '../../lib/schema/schema-set.ts';

const FIXTURES = new URL('../fixtures/schema/', import.meta.url);
const FLOWS: FlowManifest[] = [JSON.parse(readFileSync(new URL('flow-manifest.json', FIXTURES), 'utf8'))];
const V1: JsonSchema = JSON.parse(readFileSync(new URL('schemas/order.placed/v1.json', FIXTURES), 'utf8'));

type Mutable = { [k: string]: any }; // test-only: schema edits by path

function topicOf(v1: JsonSchema, v2: JsonSchema): Map<string, TopicSchemas> {
  const versions = [
    { topic: 'order.placed', version: 1, file: 'schemas/order.placed/v1.json', schema: v1 },
    { topic: 'order.placed', version: 2, file: 'schemas/order.placed/v2.json', schema: v2 },
  ];
  return new Map([['order.placed', { topic: 'order.placed', versions, latest: versions[1]! }]]);
}

function gate(edit: (s: Mutable) => void, mode: CompatibilityMode): string[] {
  const v2 = structuredClone(V1) as Mutable;
  edit(v2);
  return runCompatibilityGate({ topics: topicOf(V1, v2), defaultMode: mode, flows: FLOWS }).violations.map((v) => v.message);
}

const AFFECTED = 'Affected subscriptions: reserve-inventory, notify-customer; publishers: checkout-api.';
/** notify-customer filters on total > 100: a change to total is flagged on it. */
const AFFECTED_TOTAL = 'Affected subscriptions: reserve-inventory, notify-customer (its filter reads total); publishers: checkout-api.';
const BACKWARD = 'breaks backward compatibility: consumers reading with v2 reject events written with v1.';
const FORWARD = 'breaks forward compatibility: consumers still on v1 reject events written with v2.';
const BOTH = 'breaks backward and forward compatibility: consumers reading with v2 reject events written with v1; consumers still on v1 reject events written with v2.';

interface Case {
  readonly name: string;
  readonly edit: (s: Mutable) => void;
  /** Message head (`field "x": rule (detail)`), and the directions it breaks; undefined: breaks none. */
  readonly head?: string;
  readonly breaks?: 'backward' | 'forward' | 'both';
  /** The affected-parties sentence, when not the default one. */
  readonly affected?: string;
}

const CASES: readonly Case[] = [
  {
    name: 'a new required field',
    edit: (s) => { s.properties.couponCode = { type: 'string' }; s.required.push('couponCode'); },
    head: 'field "couponCode": new required field (added, required)', breaks: 'backward',
  },
  {
    name: 'a new optional field',
    edit: (s) => { s.properties.couponCode = { type: 'string' }; },
  },
  {
    name: 'an optional field made required',
    edit: (s) => { s.required.push('currency'); },
    head: 'field "currency": field made required (optional → required)', breaks: 'backward',
  },
  {
    name: 'a removed field that consumers require',
    edit: (s) => { delete s.properties.customerId; s.required = s.required.filter((r: string) => r !== 'customerId'); },
    head: 'field "customerId": removed a field that consumers require (removed, was required)', breaks: 'forward',
  },
  {
    name: 'a removed optional field',
    edit: (s) => { delete s.properties.currency; },
  },
  {
    name: 'a required field made optional',
    edit: (s) => { s.required = s.required.filter((r: string) => r !== 'customerId'); },
    head: 'field "customerId": field that consumers require made optional (required → optional)', breaks: 'forward',
  },
  {
    name: 'a narrowed type',
    edit: (s) => { s.properties.total.type = 'integer'; },
    head: 'field "total": narrowed type (type number → integer)', breaks: 'backward', affected: AFFECTED_TOTAL,
  },
  {
    name: 'a widened type',
    edit: (s) => { s.properties.customerId.type = ['string', 'null']; },
    head: 'field "customerId": widened type (type string → string|null)', breaks: 'forward',
  },
  {
    name: 'a changed type',
    edit: (s) => { s.properties.total.type = 'string'; },
    head: 'field "total": changed type (type number → string)', breaks: 'both', affected: AFFECTED_TOTAL,
  },
  {
    name: 'a narrowed enum',
    edit: (s) => { s.properties.currency.enum = ['EUR']; },
    head: 'field "currency": narrowed enum (enum ["EUR", "USD"] → ["EUR"])', breaks: 'backward',
  },
  {
    name: 'a widened enum',
    edit: (s) => { s.properties.currency.enum = ['EUR', 'USD', 'GBP']; },
    head: 'field "currency": widened enum (enum ["EUR", "USD"] → ["EUR", "USD", "GBP"])', breaks: 'forward',
  },
  {
    name: 'a changed enum',
    edit: (s) => { s.properties.currency.enum = ['EUR', 'GBP']; },
    head: 'field "currency": changed enum (enum ["EUR", "USD"] → ["EUR", "GBP"])', breaks: 'both',
  },
  {
    name: 'a narrowed range (a bound added)',
    edit: (s) => { s.properties.total.maximum = 10000; },
    head: 'field "total": narrowed range (maximum (none) → 10000)', breaks: 'backward', affected: AFFECTED_TOTAL,
  },
  {
    name: 'a narrowed range in a nested array item',
    edit: (s) => { s.properties.lines.items.properties.quantity.minimum = 2; },
    head: 'field "lines[].quantity": narrowed range (minimum 1 → 2)', breaks: 'backward',
  },
  {
    name: 'a widened range',
    edit: (s) => { s.properties.customerId.minLength = 0; },
    head: 'field "customerId": widened range (minLength 1 → 0)', breaks: 'forward',
  },
  {
    name: 'a changed format',
    edit: (s) => { s.properties.orderId.format = 'uri'; },
    head: 'field "orderId": changed format (format "uuid" → "uri")', breaks: 'both',
  },
  {
    name: 'a new format',
    edit: (s) => { s.properties.customerId.format = 'email'; },
    head: 'field "customerId": new format (format (none) → "email")', breaks: 'backward',
  },
  {
    name: 'a removed format',
    edit: (s) => { delete s.properties.orderId.format; },
    head: 'field "orderId": removed format (format "uuid" → (none))', breaks: 'forward',
  },
  {
    name: 'a changed pattern',
    edit: (s) => { s.properties.lines.items.properties.sku.pattern = '^[A-Z]+$'; },
    head: 'field "lines[].sku": changed pattern (pattern "^[A-Z0-9-]+$" → "^[A-Z]+$")', breaks: 'both',
  },
  {
    name: 'additional properties closed',
    edit: (s) => { s.additionalProperties = false; },
    head: 'field "(root)": additional properties no longer allowed (additionalProperties → false)', breaks: 'backward',
  },
  {
    name: 'a changed composition (not analysed)',
    edit: (s) => { s.properties.customerId.allOf = [{ maxLength: 64 }]; },
    head: 'field "customerId": changed composition (allOf changed (not analysed: review by hand))', breaks: 'both',
  },
  {
    name: 'a description-only edit',
    edit: (s) => { s.properties.total.description = 'Gross total.'; },
  },
];

function expected(c: Case, mode: CompatibilityMode): string[] {
  if (c.head === undefined || c.breaks === undefined || mode === 'none') return [];
  const breaksMode = c.breaks === 'both' || mode === 'full' || c.breaks === mode;
  if (!breaksMode) return [];
  const reason = c.breaks === 'both' ? (mode === 'full' ? BOTH : mode === 'backward' ? BACKWARD : FORWARD) : c.breaks === 'backward' ? BACKWARD : FORWARD;
  return [`order.placed v2 against v1 (${mode}): ${c.head} ${reason} ${c.affected ?? AFFECTED}`];
}

for (const mode of ['backward', 'forward', 'full'] as const) {
  describe(`compatibility gate in ${mode} mode`, () => {
    for (const c of CASES) {
      const want = expected(c, mode);
      test(`${c.name} ${want.length > 0 ? 'fails with a message naming the field, the rule and the affected parties' : 'passes'}`, () => {
        assert.deepEqual(gate(c.edit, mode), want);
      });
    }
  });
}

test('mode none lets every change through', () => {
  for (const c of CASES) assert.deepEqual(gate(c.edit, 'none'), [], c.name);
});

test('the full-mode message for a change breaking both ways names both reasons', () => {
  assert.deepEqual(gate((s) => { s.properties.orderId.format = 'uri'; }, 'full'), [
    'order.placed v2 against v1 (full): field "orderId": changed format (format "uuid" → "uri") breaks backward and forward compatibility: consumers reading with v2 reject events written with v1; consumers still on v1 reject events written with v2. Affected subscriptions: reserve-inventory, notify-customer; publishers: checkout-api.',
  ]);
});

test('a topic\'s x-busline-compatibility keyword overrides the default mode', () => {
  const messages = gate((s) => { s['x-busline-compatibility'] = 'forward'; s.properties.couponCode = { type: 'string' }; s.required.push('couponCode'); }, 'backward');
  assert.deepEqual(messages, []);
  const forwardBreak = gate((s) => { s['x-busline-compatibility'] = 'forward'; s.required = s.required.filter((r: string) => r !== 'customerId'); }, 'backward');
  assert.equal(forwardBreak.length, 1);
  assert.match(forwardBreak[0]!, /^order\.placed v2 against v1 \(forward\): field "customerId"/);
});

test('an invalid x-busline-compatibility value is an error naming the file and the allowed modes', () => {
  assert.throws(() => gate((s) => { s['x-busline-compatibility'] = 'strict'; }, 'backward'), {
    message: 'schemas/order.placed/v2.json: "x-busline-compatibility" is "strict"; use one of backward, forward, full, none',
  });
});

test('without a flow declaration the message says the affected parties are unknown', () => {
  const v2 = structuredClone(V1) as Mutable;
  v2.required.push('currency');
  const { violations } = runCompatibilityGate({ topics: topicOf(V1, v2), defaultMode: 'backward', flows: [] });
  assert.deepEqual(violations.map((v) => v.message), [
    'order.placed v2 against v1 (backward): field "currency": field made required (optional → required) breaks backward compatibility: consumers reading with v2 reject events written with v1. Affected: unknown (no flow declaration read: pass --assembly <cdk.out>).',
  ]);
});

test('an array that gains an item schema narrows what its items may be', () => {
  const v1 = { type: 'object', properties: { tags: { type: 'array' } } };
  const v2 = { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } };
  const { violations } = runCompatibilityGate({ topics: topicOf(v1, v2), defaultMode: 'backward', flows: FLOWS });
  assert.deepEqual(violations.map((v) => v.message), [
    `order.placed v2 against v1 (backward): field "tags[]": narrowed type (type (any) → string) ${BACKWARD} ${AFFECTED}`,
  ]);
});

test('a change to a keyword the diff does not analyse (uniqueItems) is reported for review, breaking both ways', () => {
  assert.deepEqual(gate((s) => { s.properties.lines.uniqueItems = true; }, 'backward'), [
    `order.placed v2 against v1 (backward): field "lines": changed composition (uniqueItems changed (not analysed: review by hand)) ${BACKWARD} ${AFFECTED}`,
  ]);
});

describe('closed objects (additionalProperties: false)', () => {
  const closed = { ...V1, additionalProperties: false } as JsonSchema;
  const run = (edit: (s: Mutable) => void, mode: CompatibilityMode) => {
    const v2 = structuredClone(closed) as Mutable;
    edit(v2);
    return runCompatibilityGate({ topics: topicOf(closed, v2), defaultMode: mode, flows: FLOWS }).violations.map((v) => v.message);
  };

  test('a new optional field breaks forward: consumers on the old closed schema reject the unknown field', () => {
    const edit = (s: Mutable) => { s.properties.couponCode = { type: 'string' }; };
    assert.deepEqual(run(edit, 'backward'), []);
    assert.deepEqual(run(edit, 'forward'), [
      `order.placed v2 against v1 (forward): field "couponCode": new field on an object that does not allow additional properties (added while the older schema sets additionalProperties: false) ${FORWARD} ${AFFECTED}`,
    ]);
  });

  test('a removed optional field breaks backward: the new closed schema rejects old events that carry it', () => {
    const edit = (s: Mutable) => { delete s.properties.currency; };
    assert.deepEqual(run(edit, 'forward'), []);
    assert.deepEqual(run(edit, 'backward'), [
      `order.placed v2 against v1 (backward): field "currency": removed field is now rejected as an additional property (removed while the newer schema sets additionalProperties: false) ${BACKWARD} ${AFFECTED}`,
    ]);
  });

  test('opening a closed object breaks forward only', () => {
    const edit = (s: Mutable) => { delete s.additionalProperties; };
    assert.deepEqual(run(edit, 'backward'), []);
    assert.deepEqual(run(edit, 'forward'), [
      `order.placed v2 against v1 (forward): field "(root)": additional properties now allowed (additionalProperties: false removed) ${FORWARD} ${AFFECTED}`,
    ]);
  });
});
