/**
 * FlowEncryption.customerManaged(): every resource that stores events carries the key, the
 * key policy holds the statements EventBridge needs, the functions' roles what they use.
 * Sources of each statement:
 * - "Authorizing EventBridge to use a customer managed key",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
 *   (kms:DescribeKey, kms:GenerateDataKey, kms:Decrypt; aws:SourceArn, aws:SourceAccount and
 *   kms:EncryptionContext:aws:events:event-bus:arn against the confused deputy)
 * - "Encrypting EventBridge archives with AWS KMS keys",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-archives.html
 *   (kms:GenerateDataKey, kms:Decrypt, kms:ReEncrypt* with the bus ARN as encryption context;
 *   kms:DescribeKey without condition)
 * - "Amazon SQS Key management", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 *   (an AWS service sending to an encrypted queue needs kms:GenerateDataKey and kms:Decrypt in
 *   the key policy; producers kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt)
 * - "Configuring an Amazon SQS queue to trigger an AWS Lambda function",
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html
 *   (an encrypted source queue needs kms:Decrypt on the execution role)
 * - "How Amazon DynamoDB uses AWS KMS", https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html
 *   (table users need kms:Decrypt and kms:DescribeKey, through DynamoDB: kms:ViaService)
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Delivery, EventFlow, EventFlowDeclarationError, FlowEncryption } from '../../lib/constructs/index.ts';
import { toolMissing } from '../support/prerequisites.ts';
import { cdkJsonContext, cfnLintErrors, cleanup, nagViolations, ROOT, tempDir } from './helpers.ts';

after(cleanup);

const ENV = { account: '111122223333', region: 'eu-west-1' };

interface Fixture { app: App; stack: Stack; flow: EventFlow; outdir: string }

/** A flow with one subscription of each delivery kind. */
function cmkFlow(encryption: FlowEncryption | undefined, before?: (stack: Stack) => void): Fixture {
  const outdir = tempDir('busline-kms-');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  before?.(stack);
  const flow = new EventFlow(stack, 'Orders', { rootDir: ROOT, ...(encryption ? { encryption } : {}) });
  const topic = flow.addTopic('order.placed', { source: 'shop.orders' });
  flow.addSubscription('reserve-inventory', { topic, handler: 'functions/reserve-inventory.ts' });
  flow.addSubscription('customer-history', { topic, handler: 'functions/customer-history.ts', delivery: Delivery.ordered({ messageGroupPath: 'customerId' }) });
  flow.addSubscription('notify', { topic, handler: 'functions/reserve-inventory.ts', delivery: Delivery.direct() });
  return { app, stack, flow, outdir };
}

let shared: { f: Fixture; t: Template } | undefined;
/** One synthesized flow with a created key, for the tests that only read its template. */
function created(): { f: Fixture; t: Template } {
  if (!shared) {
    const f = cmkFlow(FlowEncryption.customerManaged());
    shared = { f, t: Template.fromStack(f.stack) };
  }
  return shared;
}

const keyArn = (t: Template): unknown => {
  const [id] = Object.keys(t.findResources('AWS::KMS::Key'));
  return { 'Fn::GetAtt': [id, 'Arn'] };
};

function keyStatements(t: Template): StatementJson[] {
  const [key] = Object.values(t.findResources('AWS::KMS::Key')) as Array<{ Properties: { KeyPolicy: { Statement: StatementJson[] } } }>;
  return key!.Properties.KeyPolicy.Statement;
}

function roleStatements(t: Template): StatementJson[] {
  return resourcesOf(t, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const asList = (a: unknown): string[] => (Array.isArray(a) ? a : [a]) as string[];

/** What these tests read of a synthesized resource: its properties, and a policy document's statements. */
interface StatementJson { readonly Sid?: string; readonly Effect?: string; readonly Resource?: unknown; readonly Action: string | string[]; readonly Principal?: { readonly Service?: string }; readonly Condition?: Record<string, Record<string, unknown>> }
interface ResourceJson { readonly Properties: Record<string, unknown> & { readonly PolicyDocument: { readonly Statement: StatementJson[] } } }
const resourcesOf = (t: Template, type: string): Array<[string, ResourceJson]> => Object.entries(t.findResources(type)) as Array<[string, ResourceJson]>;

test('with AWS managed keys (the default) no KMS key is made and the bus, queues and table use AWS keys', () => {
  const t = Template.fromStack(cmkFlow(undefined).stack);
  t.resourceCountIs('AWS::KMS::Key', 0);
  t.hasResourceProperties('AWS::Events::EventBus', { KmsKeyIdentifier: Match.absent() });
  for (const [, q] of resourcesOf(t, 'AWS::SQS::Queue')) {
    assert.equal(q.Properties.SqsManagedSseEnabled, true);
    assert.equal(q.Properties.KmsMasterKeyId, undefined);
  }
  t.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() } });
});

test('customerManaged() with no key creates one symmetric key with rotation on, retained when the stack goes', () => {
  const { t } = created();
  t.resourceCountIs('AWS::KMS::Key', 1);
  t.hasResource('AWS::KMS::Key', {
    Properties: { EnableKeyRotation: true, KeySpec: Match.absent(), KeyUsage: Match.absent() },
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  });
});

test('the bus, the archive, the dedupe table and every queue and DLQ of every delivery kind carry the key', () => {
  const { t } = created();
  const arn = keyArn(t);
  t.hasResourceProperties('AWS::Events::EventBus', { KmsKeyIdentifier: arn });
  t.hasResourceProperties('AWS::Events::Archive', { KmsKeyIdentifier: arn });
  t.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arn } });
  const queues = resourcesOf(t, 'AWS::SQS::Queue');
  // queue delivery: queue + DLQ; ordered: queue + DLQ + delivery DLQ; direct: DLQ.
  assert.equal(queues.length, 6);
  for (const [id, q] of queues) {
    assert.deepEqual(q.Properties.KmsMasterKeyId, arn, id);
    assert.equal(q.Properties.SqsManagedSseEnabled, undefined, id);
  }
});

test('the key policy lets EventBridge use the key for the bus only: SourceAccount, SourceArn and the bus as encryption context', () => {
  const { t } = created();
  const bus = keyStatements(t).find((s) => s.Sid === 'BuslineEventBridgeBus')!;
  assert.deepEqual(bus.Principal, { Service: 'events.amazonaws.com' });
  assert.deepEqual(asList(bus.Action).sort(), ['kms:Decrypt', 'kms:GenerateDataKey']);
  const c = bus.Condition?.StringEquals ?? {};
  const [busId] = Object.keys(t.findResources('AWS::Events::EventBus'));
  const busName = (t.toJSON().Resources[busId!].Properties as { Name: string }).Name;
  const busArn = `arn:aws:events:${ENV.region}:${ENV.account}:event-bus/${busName}`;
  assert.deepEqual(c, { 'aws:SourceAccount': ENV.account, 'aws:SourceArn': busArn, 'kms:EncryptionContext:aws:events:event-bus:arn': busArn });
});

test('the key policy lets EventBridge describe the key, with no condition (a DescribeKey request has no encryption context)', () => {
  const s = keyStatements(created().t).find((x) => x.Sid === 'BuslineEventBridgeDescribeKey')!;
  assert.deepEqual(s.Principal, { Service: 'events.amazonaws.com' });
  assert.equal(s.Action, 'kms:DescribeKey');
  assert.equal(s.Condition, undefined);
});

test("the key policy lets EventBridge archive and replay the bus's events: GenerateDataKey, Decrypt, ReEncrypt* for the bus's encryption context", () => {
  const statements = keyStatements(created().t);
  const archive = statements.find((x) => x.Sid === 'BuslineEventBridgeArchive')!;
  const bus = statements.find((x) => x.Sid === 'BuslineEventBridgeBus')!;
  assert.deepEqual(asList(archive.Action).sort(), ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*']);
  assert.deepEqual(archive.Condition, { StringEquals: { 'kms:EncryptionContext:aws:events:event-bus:arn': bus.Condition?.StringEquals?.['kms:EncryptionContext:aws:events:event-bus:arn'] } });
});

test("the key policy lets the flow's rules deliver to the encrypted queues and DLQs: GenerateDataKey and Decrypt for the account", () => {
  const s = keyStatements(created().t).find((x) => x.Sid === 'BuslineEventBridgeToQueues')!;
  assert.deepEqual(s.Principal, { Service: 'events.amazonaws.com' });
  assert.deepEqual(asList(s.Action).sort(), ['kms:Decrypt', 'kms:GenerateDataKey']);
  assert.deepEqual(s.Condition, { StringEquals: { 'aws:SourceAccount': ENV.account } });
});

test('the key policy holds the account statement and the four Busline statements, nothing else', () => {
  const sids = keyStatements(created().t).map((s) => s.Sid ?? `account:${JSON.stringify(s.Action)}`);
  assert.deepEqual(sids, ['account:"kms:*"', 'BuslineEventBridgeBus', 'BuslineEventBridgeDescribeKey', 'BuslineEventBridgeArchive', 'BuslineEventBridgeToQueues']);
});

test('each function may use the key only through SQS (Decrypt, GenerateDataKey) and DynamoDB (Decrypt, DescribeKey)', () => {
  const { t, f } = created();
  const arn = keyArn(t);
  for (const sub of f.flow.subscriptions) {
    const policy = resourcesOf(t, 'AWS::IAM::Policy').find(([id]) => id.includes(`${sub.node.id}Role`))![1];
    const kmsStatements = policy.Properties.PolicyDocument.Statement.filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    assert.deepEqual(kmsStatements, [
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: arn, Condition: { StringEquals: { 'kms:ViaService': `sqs.${ENV.region}.amazonaws.com` } } },
      { Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: arn, Condition: { StringEquals: { 'kms:ViaService': `dynamodb.${ENV.region}.amazonaws.com` } } },
    ], sub.name);
  }
});

test('no role is granted kms:Encrypt, kms:ReEncrypt* or a wildcard KMS action', () => {
  const actions = roleStatements(created().t).flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('kms:'));
  assert.deepEqual([...new Set(actions)].sort(), ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
});

test("a publisher outside the flow is granted PutEvents only: EventBridge encrypts with its own principal, publishers need no key", () => {
  const f = cmkFlow(FlowEncryption.customerManaged());
  const role = new iam.Role(f.stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
  f.flow.grantPublish(role, f.flow.topic('order.placed'));
  const t = Template.fromStack(f.stack);
  const policy = resourcesOf(t, 'AWS::IAM::Policy').find(([id]) => id.startsWith('Producer'))![1];
  assert.deepEqual(policy.Properties.PolicyDocument.Statement.map((s) => s.Action), ['events:PutEvents']);
});

test("the rule's SendMessage grant on its queue keeps the rule-ARN condition with a customer managed key", () => {
  const t = created().t;
  const statements = resourcesOf(t, 'AWS::SQS::QueuePolicy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const fromEvents = statements.filter((s) => s.Principal?.Service === 'events.amazonaws.com');
  assert.ok(fromEvents.length >= 3);
  for (const s of fromEvents) assert.ok(s.Condition?.ArnEquals?.['aws:SourceArn'], JSON.stringify(s));
});

test('a key given to customerManaged(key) is used as is: no other key is made, and its policy gets the statements', () => {
  let key!: kms.Key;
  const f = cmkFlow(undefined, (stack) => { key = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true }); });
  // The flow above used AWS managed keys; declare a second one with the team's key.
  const flow = new EventFlow(f.stack, 'Billing', { rootDir: ROOT, encryption: FlowEncryption.customerManaged(key) });
  assert.equal(flow.encryptionKey, key);
  const t = Template.fromStack(f.stack);
  t.resourceCountIs('AWS::KMS::Key', 1);
  const [keyId] = Object.keys(t.findResources('AWS::KMS::Key'));
  assert.ok(keyId!.startsWith('TeamKey'));
  t.hasResourceProperties('AWS::Events::EventBus', { Name: Match.stringLikeRegexp('Billing'), KmsKeyIdentifier: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  assert.deepEqual(keyStatements(t).map((s) => s.Sid).filter(Boolean), ['BuslineEventBridgeBus', 'BuslineEventBridgeDescribeKey', 'BuslineEventBridgeArchive', 'BuslineEventBridgeToQueues']);
});

test('an imported key, whose policy the app cannot change, is used and synth warns at the flow, listing the statements to add', () => {
  const outdir = tempDir('busline-kms-');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  const key = kms.Key.fromKeyArn(stack, 'Imported', `arn:aws:kms:${ENV.region}:${ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
  new EventFlow(stack, 'Orders', { rootDir: ROOT, encryption: FlowEncryption.customerManaged(key) });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::Events::EventBus', { KmsKeyIdentifier: key.keyArn });
  const warnings = Annotations.fromStack(stack).findWarning('/S/Orders', Match.stringLikeRegexp('cannot add to its key policy'));
  assert.equal(warnings.length, 1);
  const text = String(warnings[0]!.entry.data);
  for (const sid of ['BuslineEventBridgeBus', 'BuslineEventBridgeDescribeKey', 'BuslineEventBridgeArchive', 'BuslineEventBridgeToQueues']) assert.ok(text.includes(sid), sid);
});

test('a key of another Region fails synth at the flow, naming both Regions', () => {
  const app = new App({ outdir: tempDir('busline-kms-'), context: cdkJsonContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  const key = kms.Key.fromKeyArn(stack, 'Far', `arn:aws:kms:us-east-1:${ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
  assert.throws(
    () => new EventFlow(stack, 'Orders', { rootDir: ROOT, encryption: FlowEncryption.customerManaged(key) }),
    (e: unknown) => e instanceof EventFlowDeclarationError && e.constructPath === 'S/Orders' && /Region us-east-1, the stack in eu-west-1/.test(e.message),
  );
});

test('a key of another account fails synth at the flow, naming both accounts', () => {
  const app = new App({ outdir: tempDir('busline-kms-'), context: cdkJsonContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  const key = kms.Key.fromKeyArn(stack, 'Theirs', `arn:aws:kms:${ENV.region}:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
  assert.throws(
    () => new EventFlow(stack, 'Orders', { rootDir: ROOT, encryption: FlowEncryption.customerManaged(key) }),
    (e: unknown) => e instanceof EventFlowDeclarationError && e.constructPath === 'S/Orders' && /account 999988887777, the stack in 111122223333/.test(e.message),
  );
});

test('an asymmetric key fails synth at the flow: the services encrypt only with symmetric keys', () => {
  const app = new App({ outdir: tempDir('busline-kms-'), context: cdkJsonContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  const key = new kms.Key(stack, 'Rsa', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });
  assert.throws(
    () => new EventFlow(stack, 'Orders', { rootDir: ROOT, encryption: FlowEncryption.customerManaged(key) }),
    (e: unknown) => e instanceof EventFlowDeclarationError && e.constructPath === 'S/Orders' && /keySpec RSA_2048 \/ keyUsage SIGN_VERIFY/.test(e.message),
  );
});

test('an alias instead of a key fails synth at the flow, saying to pass the key', () => {
  const app = new App({ outdir: tempDir('busline-kms-'), context: cdkJsonContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  const alias = kms.Alias.fromAliasName(stack, 'Alias', 'alias/team');
  assert.throws(
    () => new EventFlow(stack, 'Orders', { rootDir: ROOT, encryption: FlowEncryption.customerManaged(alias) }),
    (e: unknown) => e instanceof EventFlowDeclarationError && e.constructPath === 'S/Orders' && /pass the key/.test(e.message),
  );
});

test("a flow with a customer managed key synthesizes with 0 findings of cdk-nag's AwsSolutions pack", () => {
  const f = cmkFlow(FlowEncryption.customerManaged());
  assert.deepEqual(nagViolations(f.app, f.outdir), []);
});

test('a flow with a customer managed key passes cfn-lint with 0 errors', { skip: toolMissing('cfn-lint') }, () => {
  const f = cmkFlow(FlowEncryption.customerManaged());
  const { errors, status, error } = cfnLintErrors(f.app, f.outdir);
  assert.equal(error, undefined);
  assert.deepEqual(errors, []);
  assert.equal(status! & 2, 0, `cfn-lint exit status ${status}`);
});
