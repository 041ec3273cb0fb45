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
const CMK = /customer managed KMS key, which is not emulated/;

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
  assert.match(queue.message, /^KmsMasterKeyId: .*stored unencrypted locally.*key policy and the kms: grants of the roles are not checked.*fails only on AWS/);
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
