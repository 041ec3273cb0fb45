/**
 * FlowSchemaRegistry: every topic version of the fixture flow becomes an EventBridge schema
 * (JSONSchemaDraft4) in one registry; draft-7 keywords are converted, and keywords draft 4
 * cannot express fail synthesis with the file, keyword and fix.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FlowSchemaRegistry } from '../../lib/constructs/schema-registry.ts';
import { toDraft4 } from '../../lib/schema/draft4.ts';
import { loadSchemas, type TopicSchemas } from '../../lib/schema/schema-set.ts';
import { toolMissing } from '../support/prerequisites.ts';

const SCHEMAS = fileURLToPath(new URL('../fixtures/schema/schemas', import.meta.url));

function synth(topics: readonly TopicSchemas[]) {
  const stack = new Stack(new App(), 'OrdersStack');
  new FlowSchemaRegistry(stack, 'Registry', { flowName: 'orders', topics: topics.map((schemas) => ({ schemas, source: 'busline.orders' })) });
  return Template.fromStack(stack);
}

function contentOf(template: Template, schemaName: string): Record<string, any> {
  const found = Object.values(template.findResources('AWS::EventSchemas::Schema', { Properties: { SchemaName: schemaName } }));
  assert.equal(found.length, 1, `one schema named ${schemaName}`);
  return JSON.parse(found[0]!.Properties.Content);
}

describe('FlowSchemaRegistry', () => {
  const template = synth([...loadSchemas(SCHEMAS).values()]);

  test('creates one registry and one JSONSchemaDraft4 schema per topic version', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    // No fixed name: CloudFormation generates one, so two stages of the stack do not clash.
    assert.equal(Object.values(template.findResources('AWS::EventSchemas::Registry'))[0]!.Properties.RegistryName, undefined);
    template.resourceCountIs('AWS::EventSchemas::Schema', 4);
    const names = Object.values(template.findResources('AWS::EventSchemas::Schema')).map((r) => r.Properties.SchemaName).sort();
    assert.deepEqual(names, [
      'busline.orders@inventory.reserved-v1', 'busline.orders@order.placed-v1', 'busline.orders@order.placed-v2', 'busline.orders@shipment.scheduled-v1',
    ]);
    for (const r of Object.values(template.findResources('AWS::EventSchemas::Schema'))) {
      assert.equal(r.Properties.Type, 'JSONSchemaDraft4');
      assert.deepEqual(r.Properties.RegistryName, { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::EventSchemas::Registry'))[0], 'RegistryName'] });
    }
  });

  test('topics added after construction are published too, and adding one twice is an error', () => {
    const stack = new Stack(new App(), 'S');
    const registry = new FlowSchemaRegistry(stack, 'Registry', { registryName: 'orders-events' });
    const [first] = loadSchemas(SCHEMAS).values();
    registry.addTopic({ schemas: first!, source: 'busline.orders' });
    Template.fromStack(stack).resourceCountIs('AWS::EventSchemas::Schema', first!.versions.length);
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'orders-events' });
    assert.throws(() => registry.addTopic({ schemas: first!, source: 'busline.orders' }), {
      message: `S/Registry: topic ${first!.topic} is added twice: add each topic once`,
    });
  });

  test('each schema describes the whole event: detail-type, source, metadata and the topic data', () => {
    const c = contentOf(template, 'busline.orders@order.placed-v2');
    assert.equal(c.$schema, 'http://json-schema.org/draft-04/schema#');
    assert.deepEqual(c.properties['detail-type'], { type: 'string', enum: ['order.placed'] });
    assert.deepEqual(c.properties.source, { type: 'string', enum: ['busline.orders'] });
    assert.deepEqual(c.properties.detail.properties.metadata.properties.schemaVersion, { type: 'integer', enum: [2] });
    assert.deepEqual(c.properties.detail.properties.data.required, ['orderId', 'customerId', 'lines', 'total']);
  });

  test('a numeric exclusiveMinimum becomes draft-4 minimum with exclusiveMinimum: true', () => {
    const total = contentOf(template, 'busline.orders@order.placed-v1').properties.detail.properties.data.properties.total;
    assert.deepEqual(total, { type: 'number', minimum: 0, exclusiveMinimum: true, description: "Order total in the currency's major unit." });
  });

  test('const becomes a one-value enum, and Busline keywords are dropped', () => {
    const data = contentOf(template, 'busline.orders@inventory.reserved-v1').properties.detail.properties.data;
    assert.deepEqual(data.properties.warehouse, { type: 'string', enum: ['FRA-1'] });
    assert.equal('x-busline-compatibility' in contentOf(template, 'busline.orders@order.placed-v2').properties.detail.properties.data, false);
  });

  test('the synthesized template passes cfn-lint', { skip: toolMissing('cfn-lint') }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'busline-registry-'));
    try {
      const file = join(dir, 'template.json');
      writeFileSync(file, JSON.stringify(template.toJSON()));
      execFileSync('cfn-lint', ['--', file], { encoding: 'utf8' });
    } catch (err) {
      assert.fail(`cfn-lint found problems: ${(err as { stdout?: string }).stdout ?? err}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('draft 4 conversion', () => {
  test('an exclusive bound keeps the stricter of the inclusive and exclusive forms', () => {
    assert.deepEqual(toDraft4({ type: 'number', minimum: 5, exclusiveMinimum: 0, exclusiveMaximum: 10, maximum: 20 }, 'f.json'), {
      $schema: 'http://json-schema.org/draft-04/schema#', type: 'number', minimum: 5, maximum: 10, exclusiveMaximum: true,
    });
  });

  test('$defs become definitions and their refs follow; boolean subschemas become objects', () => {
    assert.deepEqual(toDraft4({ $defs: { id: { type: 'string' } }, properties: { a: { $ref: '#/$defs/id' }, b: true, c: false }, dependentRequired: { a: ['b'] } }, 'f.json'), {
      $schema: 'http://json-schema.org/draft-04/schema#',
      definitions: { id: { type: 'string' } },
      properties: { a: { $ref: '#/definitions/id' }, b: {}, c: { not: {} } },
      dependencies: { a: ['b'] },
    });
  });

  test('a keyword draft 4 cannot express fails synthesis naming the construct, file, keyword and fix', () => {
    const [topic] = loadSchemas(SCHEMAS).values();
    const schema = { ...topic!.latest.schema, properties: { tags: { type: 'array', contains: { const: 'vip' } } } };
    const bad: TopicSchemas = { ...topic!, versions: [{ ...topic!.latest, schema }], latest: { ...topic!.latest, schema } };
    assert.throws(() => synth([bad]), {
      name: 'Draft4ConversionError',
      message: `OrdersStack/Registry: ${topic!.latest.file}: keyword "contains" at /properties/tags/contains has no JSON Schema draft 4 equivalent, and the EventBridge schema registry stores JSONSchemaDraft4: remove it, or move the required element into its own field`,
    });
  });

  test('if/then/else is rejected with a rewrite hint', () => {
    assert.throws(() => toDraft4({ if: { properties: { a: { const: 1 } } }, then: { required: ['b'] } }, 'schemas/x/v1.json'), {
      message: 'schemas/x/v1.json: keyword "if" at /if has no JSON Schema draft 4 equivalent, and the EventBridge schema registry stores JSONSchemaDraft4: express the condition as anyOf/oneOf of the allowed alternatives',
    });
  });
});
