import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { EventFlow, FlowEncryption } from '../../lib/constructs/index.ts';
import { readCloudAssembly, type CloudAssembly } from '../../lib/local/assembly/cloud-assembly.ts';
import { formatWarnings } from '../../lib/local/assembly/format-warnings.ts';
import { loadAppModel } from '../../lib/local/assembly/load-app-model.ts';
import { cdkJsonContext, cleanup, ROOT, tempDir } from '../constructs/helpers.ts';

after(cleanup);

function synthFlow(encryption: FlowEncryption): CloudAssembly {
  const outdir = tempDir('busline-kms-local-');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'Kms');
  const flow = new EventFlow(stack, 'Signups', { rootDir: ROOT, encryption });
  const topic = flow.addTopic('order.placed', { source: 'shop.orders' });
  flow.addSubscription('welcome', { topic, handler: 'functions/reserve-inventory.ts' });
  app.synth();
  return readCloudAssembly(outdir);
}

const load = (asm: CloudAssembly) => loadAppModel(asm, { queueUrl: (account, _region, name) => `http://127.0.0.1:9/${account}/${name}` });
const CMK = /customer managed KMS key, which is not emulated at rest/;

test('a flow with a customer managed key gets a start-up warning (not a note) for its bus, archive, every queue and its table', () => {
  const model = load(synthFlow(FlowEncryption.customerManaged()));
  const warned = model.warnings.filter((w) => w.kind === 'not-emulated' && CMK.test(w.message));
  assert.deepEqual(warned.map((w) => w.resourceType).sort(), [
    'AWS::DynamoDB::Table', 'AWS::Events::Archive', 'AWS::Events::EventBus', 'AWS::SQS::Queue', 'AWS::SQS::Queue',
  ]);
  const lines = formatWarnings(model.warnings).filter((l) => CMK.test(l));
  assert.equal(lines.length, 5);
  for (const line of lines) assert.match(line, /^warning: Kms\//);
});

test('the warning names the property holding the key and says what fails only on AWS', () => {
  const model = load(synthFlow(FlowEncryption.customerManaged()));
  const queue = model.warnings.find((w) => w.resourceType === 'AWS::SQS::Queue' && CMK.test(w.message))!;
  assert.match(queue.message, /^KmsMasterKeyId: .*stored unencrypted locally.*kms:GenerateDataKey, kms:Decrypt.*fail only on AWS/);
  assert.match(queue.message, /serves the key itself over KMS.*key policy is not evaluated and rotation and grants are not modelled/);
  const table = model.warnings.find((w) => w.resourceType === 'AWS::DynamoDB::Table' && CMK.test(w.message))!;
  assert.match(table.message, /^SSESpecification: /);
});

test('the key property is not also listed among the quiet no-effect notes', () => {
  const model = load(synthFlow(FlowEncryption.customerManaged()));
  const queueNotes = model.warnings.filter((w) => w.resourceType === 'AWS::SQS::Queue' && w.kind === 'no-effect');
  for (const n of queueNotes) assert.doesNotMatch(n.message, /KmsMasterKeyId/);
});

test('a flow with AWS managed keys gets no such warning: SSE-SQS and the archive\'s empty key stay quiet notes', () => {
  const model = load(synthFlow(FlowEncryption.awsManaged()));
  assert.deepEqual(model.warnings.filter((w) => CMK.test(w.message)), []);
});

test("a queue on SQS's own AWS managed key (alias/aws/sqs) is not reported as customer managed", () => {
  const asm = synthFlow(FlowEncryption.awsManaged());
  const stack = asm.stacks[0]!;
  const patched: CloudAssembly = {
    ...asm,
    stacks: [{ ...stack, template: { ...stack.template, Resources: { ...stack.template.Resources, Sse: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: 'alias/aws/sqs' } } } } }],
  };
  assert.deepEqual(load(patched).warnings.filter((w) => w.logicalId === 'Sse' && w.kind === 'not-emulated'), []);
});

test("the flow's key is a key of the local app: a UUID-shaped key id, stable across loads, its ARN the one the queues name", () => {
  const asm = synthFlow(FlowEncryption.customerManaged());
  const model = load(asm);
  assert.equal(model.keys.length, 1);
  const key = model.keys[0]!;
  assert.match(key.keyId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(key.arn, `arn:aws:kms:${model.region}:${model.account}:key/${key.keyId}`);
  assert.equal(load(asm).keys[0]!.keyId, key.keyId);
  assert.deepEqual(model.warnings.filter((w) => w.resourceType === 'AWS::KMS::Key' && w.kind === 'not-emulated'), []);
  const resources = asm.stacks[0]!.template.Resources ?? {};
  const keyRefs = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::Queue').map((r) => JSON.stringify(r.Properties?.KmsMasterKeyId));
  assert.ok(keyRefs.every((ref) => ref.includes(key.logicalId)), `queues name the key ${key.logicalId}: ${keyRefs.join(', ')}`);
});

test("the key's policy and rotation are a quiet no-effect note", () => {
  const model = load(synthFlow(FlowEncryption.customerManaged()));
  const note = model.warnings.find((w) => w.resourceType === 'AWS::KMS::Key' && w.kind === 'no-effect');
  assert.ok(note, 'a note on the key');
  assert.match(note.message, /KeyPolicy/);
  assert.match(note.message, /EnableKeyRotation/);
});
