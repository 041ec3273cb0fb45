import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readCloudAssembly } from '../../lib/local/assembly/cloud-assembly.ts';
import { loadAppModel } from '../../lib/local/assembly/load-app-model.ts';
import { StackResolver } from '../../lib/local/assembly/intrinsics.ts';
import { synthMiniAppToTemp } from '../fixtures/mini-app/synth-temp.ts';

const asm = synthMiniAppToTemp();
after(() => asm.cleanup());
const model = loadAppModel(readCloudAssembly(asm.dir), { queueUrl: (account, region, name) => `http://127.0.0.1:9/${account}/${name}` });

test('unnamed resources get CloudFormation-style names <stack>-<logicalId>-<13 chars>, stable across loads', () => {
  const queue = model.queues.find((q) => q.logicalId.startsWith('WorkQueue'))!;
  assert.match(queue.name, /^Mini-WorkQueue[0-9A-F]{8}-[A-Z0-9]{13}$/);
  const again = loadAppModel(readCloudAssembly(asm.dir), { queueUrl: () => 'x' });
  assert.equal(again.queues.find((q) => q.logicalId === queue.logicalId)!.name, queue.name);
  const table = model.tables[0]!;
  assert.match(table.name, /^Mini-SeenTable[0-9A-F]{8}-[A-Z0-9]{13}$/);
});

test('explicit names are kept (the bus named mini-bus)', () => {
  assert.deepEqual(model.buses.map((b) => b.name), ['mini-bus']);
  assert.equal(model.buses[0]!.arn, 'arn:aws:events:us-east-1:000000000000:event-bus/mini-bus');
});

test('Ref to a table in a function environment resolves to the table name', () => {
  const worker = model.functions.find((f) => f.logicalId.startsWith('Worker'))!;
  assert.equal(worker.environment.TABLE_NAME, model.tables[0]!.name);
  assert.equal(worker.handler, 'record.handler');
  assert.equal(worker.timeoutSeconds, 2);
  assert.ok(worker.codeDir?.includes('asset.'), 'the code is the asset folder named in the asset manifest');
});

test('a rule targets its queue by ARN, and the queue redrives to its DLQ at maxReceiveCount', () => {
  const rule = model.rules.find((r) => r.logicalId.startsWith('WorkRule'))!;
  const queue = model.queues.find((q) => q.logicalId.startsWith('WorkQueue'))!;
  const dlq = model.queues.find((q) => q.logicalId.startsWith('WorkDlq'))!;
  assert.equal(rule.busName, 'mini-bus');
  assert.deepEqual(rule.eventPattern, { source: ['mini.orders'], 'detail-type': ['order.placed'] });
  assert.deepEqual(rule.targets.map((t) => [t.kind, t.arn]), [['sqs', queue.arn]]);
  assert.deepEqual(queue.redrive, { deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 });
  assert.equal(queue.visibilityTimeoutSeconds, 2);
});

test('the event source mapping keeps batch size, window, partial batch responses and max concurrency', () => {
  const [m] = model.mappings;
  const worker = model.functions.find((f) => f.logicalId.startsWith('Worker'))!;
  assert.equal(m!.functionName, worker.name);
  assert.equal(m!.batchSize, 5);
  assert.equal(m!.maximumBatchingWindowSeconds, 1);
  assert.equal(m!.reportBatchItemFailures, true);
  assert.equal(m!.maximumConcurrency, 2);
});

test('the EventInvokeConfig gives retries, max event age and the on-failure queue of the direct function', () => {
  const [c] = model.invokeConfigs;
  const direct = model.functions.find((f) => f.logicalId.startsWith('Direct'))!;
  const dlq = model.queues.find((q) => q.logicalId.startsWith('DirectDlq'))!;
  assert.deepEqual(
    { fn: c!.functionName, retries: c!.maximumRetryAttempts, age: c!.maximumEventAgeSeconds, onFailure: c!.onFailureArn },
    { fn: direct.name, retries: 1, age: 300, onFailure: dlq.arn },
  );
});

test('IAM roles with their attached policies, and queue policies, are read for the engine to enforce; Lambda permissions are listed as having no local effect', () => {
  const types = new Set(model.warnings.filter((w) => w.kind === 'no-effect').map((w) => w.resourceType));
  assert.ok(types.has('AWS::Lambda::Permission'));
  for (const t of ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::SQS::QueuePolicy']) assert.ok(!types.has(t), t);
  const withRole = model.functions.filter((f) => f.roleArn !== undefined);
  assert.ok(withRole.length > 0);
  for (const fn of withRole) {
    const role = model.roles.find((r) => r.arn === fn.roleArn);
    assert.ok(role, `role of ${fn.name}`);
    assert.ok(role.policies.some((p) => JSON.stringify(p.document).includes('sqs:ChangeMessageVisibility') || JSON.stringify(p.document).includes('sqs:SendMessage')), `policies of ${role.name}`);
  }
  assert.ok(model.resourcePolicies.some((p) => p.resourceArns.some((arn) => arn.startsWith('arn:aws:sqs:'))));
});

test('an unknown resource type and an unknown property are each reported as not emulated', () => {
  const asmDir = readCloudAssembly(asm.dir);
  const stack = asmDir.stacks[0]!;
  const patched = {
    ...asmDir, stacks: [{
      ...stack, template: {
        ...stack.template,
        Resources: {
          ...stack.template.Resources,
          Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
          OddQueue: { Type: 'AWS::SQS::Queue', Properties: { Unheard: 1 } },
        },
      },
    }],
  };
  const m = loadAppModel(patched, { queueUrl: () => 'x' });
  assert.ok(m.warnings.some((w) => w.logicalId === 'Topic' && w.kind === 'not-emulated' && w.message.includes('AWS::SNS::Topic')));
  assert.ok(m.warnings.some((w) => w.logicalId === 'OddQueue' && w.message === 'property Unheard is not emulated'));
});

test('intrinsics: Join, Select, Split, GetAtt QueueName and Ref to a queue (its URL) resolve locally', () => {
  const stack = readCloudAssembly(asm.dir).stacks[0]!;
  const r = new StackResolver({
    stackName: 'Mini', account: '000000000000', region: 'us-east-1', template: stack.template,
    queueUrl: (name) => `http://local/000000000000/${name}`, exports: new Map(),
  });
  const queueId = Object.keys(stack.template.Resources!).find((k) => k.startsWith('WorkQueue') && stack.template.Resources![k]!.Type === 'AWS::SQS::Queue')!;
  const name = r.physicalName(queueId);
  assert.equal(r.resolve({ Ref: queueId }, 't'), `http://local/000000000000/${name}`);
  assert.equal(r.resolve({ 'Fn::GetAtt': [queueId, 'QueueName'] }, 't'), name);
  assert.equal(r.resolve({ 'Fn::Select': [1, { 'Fn::Split': ['-', { 'Fn::Join': ['-', ['a', 'b', 'c']] }] }] }, 't'), 'b');
  assert.equal(r.resolve({ 'Fn::Sub': '${AWS::Region}-${AWS::StackName}' }, 't'), 'us-east-1-Mini');
  assert.equal(r.resolve({ 'Fn::Sub': ['${Q}!', { Q: { 'Fn::GetAtt': [queueId, 'Arn'] } }] }, 't'), `arn:aws:sqs:us-east-1:000000000000:${name}!`);
});

test('a rule in one stack targets a queue exported by another (Fn::ImportValue), stacks read in dependency order', () => {
  const producer = {
    artifactId: 'Shared', stackName: 'Shared', account: '000000000000', region: 'us-east-1', templateFile: 'Shared.template.json', dependencies: [],
    template: {
      Resources: { Inbox: { Type: 'AWS::SQS::Queue', Properties: {} } },
      Outputs: { InboxArn: { Value: { 'Fn::GetAtt': ['Inbox', 'Arn'] }, Export: { Name: 'Shared:InboxArn' } } },
    },
  };
  const consumer = {
    artifactId: 'App', stackName: 'App', account: '000000000000', region: 'us-east-1', templateFile: 'App.template.json', dependencies: ['Shared'],
    template: {
      Resources: {
        Route: {
          Type: 'AWS::Events::Rule',
          Properties: { EventPattern: { source: ['x'] }, Targets: [{ Id: 'T', Arn: { 'Fn::ImportValue': 'Shared:InboxArn' } }] },
        },
      },
    },
  };
  const m = loadAppModel({ directory: '/nowhere', stacks: [producer, consumer], assetsByObjectKey: new Map() }, { queueUrl: () => 'x' });
  const inbox = m.queues.find((q) => q.logicalId === 'Inbox')!;
  assert.match(inbox.name, /^Shared-Inbox-[A-Z0-9]{13}$/);
  assert.deepEqual(m.rules[0]!.targets.map((t) => t.arn), [inbox.arn]);
});

test('a rule target that is a bus of the app\'s account and Region is read as emulated; another account\'s bus is reported as not emulated', () => {
  const stack = {
    artifactId: 'App', stackName: 'App', account: '000000000000', region: 'us-east-1', templateFile: 'App.template.json', dependencies: [],
    template: {
      Resources: {
        Inner: { Type: 'AWS::Events::EventBus', Properties: { Name: 'inner' } },
        Route: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventPattern: { source: ['x'] },
            Targets: [
              { Id: 'Local', Arn: { 'Fn::GetAtt': ['Inner', 'Arn'] } },
              { Id: 'Elsewhere', Arn: 'arn:aws:events:eu-west-1:111122223333:event-bus/central' },
            ],
          },
        },
      },
    },
  };
  const m = loadAppModel({ directory: '/nowhere', stacks: [stack], assetsByObjectKey: new Map() }, { queueUrl: () => 'x' });
  assert.deepEqual(m.rules[0]!.targets.map((t) => [t.id, t.kind]), [['Local', 'eventbus'], ['Elsewhere', 'eventbus']]);
  const warnings = m.warnings.filter((w) => w.logicalId === 'Route').map((w) => w.message);
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(warnings[0]!, /Elsewhere .* another account or Region: not emulated/);
});
