/**
 * diffAppModels: what a changed assembly changes in a running app, and what the engine keeps as
 * it was (lib/local/app-update.ts; LocalApp.update applies it, test/cli/dev-watch.test.ts runs it
 * through `busline dev`'s watch mode).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalAppModel, LocalFunction, LocalTable } from '../../lib/local/assembly/app-model.ts';
import { diffAppModels } from '../../lib/local/app-update.ts';

const ref = { stackName: 'S', logicalId: 'X' };

function fn(name: string, codeDir: string, timeoutSeconds = 3): LocalFunction {
  return { ...ref, logicalId: name, name, arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, codeDir, handler: 'index.handler', runtime: 'nodejs24.x', timeoutSeconds, memoryMb: 128, environment: {} };
}

function table(name: string, key: string): LocalTable {
  return {
    ...ref, logicalId: name, name, arn: `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`,
    createTableInput: { TableName: name, KeySchema: [{ AttributeName: key, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' },
  };
}

function model(parts: Partial<LocalAppModel>): LocalAppModel {
  return { account: '000000000000', region: 'us-east-1', buses: [], archives: [], rules: [], queues: [], functions: [], mappings: [], invokeConfigs: [], tables: [], keys: [], aliases: [], flows: [], warnings: [], roles: [], resourcePolicies: [], ...parts };
}

test('a function is changed when its asset or its settings change, not when the same asset sits in another assembly folder', () => {
  const before = model({ functions: [fn('same', '/a/cdk.out/asset.1'), fn('code', '/a/cdk.out/asset.2'), fn('timeout', '/a/cdk.out/asset.3')] });
  const after = model({ functions: [fn('same', '/b/synth/1/asset.1'), fn('code', '/b/synth/1/asset.9'), fn('timeout', '/b/synth/1/asset.3', 30)] });
  assert.deepEqual(diffAppModels(before, after).changed, [{ kind: 'function', name: 'code' }, { kind: 'function', name: 'timeout' }]);
});

test('added and removed functions are said as such', () => {
  const update = diffAppModels(model({ functions: [fn('old', '/a/asset.1')] }), model({ functions: [fn('new', '/a/asset.2')] }));
  assert.deepEqual(update.added, [{ kind: 'function', name: 'new' }]);
  assert.deepEqual(update.removed, [{ kind: 'function', name: 'old' }]);
});

test('a table whose keys change, and one taken out of the stack, are kept as they were, each with why', () => {
  const update = diffAppModels(model({ tables: [table('rekeyed', 'pk'), table('dropped', 'pk')] }), model({ tables: [table('rekeyed', 'id')] }));
  assert.deepEqual(update.changed, []);
  assert.deepEqual(update.removed, []);
  assert.deepEqual(update.kept.map((k) => [k.kind, k.name]), [['table', 'rekeyed'], ['table', 'dropped']]);
  assert.match(update.kept[0]!.reason, /does not alter a table: delete it \(DeleteTable\) and restart/);
  assert.match(update.kept[1]!.reason, /kept with its items/);
});
