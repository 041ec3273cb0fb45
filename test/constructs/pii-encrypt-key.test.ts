/**
 * The constructs' side of `"x-busline-pii": "encrypt"`: the key (the flow's customer managed key,
 * or `piiKey`), the per-topic grants (kms:GenerateDataKey to the topic's publishers, kms:Decrypt
 * to its subscriptions, each only for data keys whose encryption context names the topic), the
 * key's ARN and the encrypted paths in each function's runtime configuration, and the declarations
 * that cannot work failing synth.
 *
 * Sources:
 * - "Encryption context" and its use in policy conditions: "You can use the encryption context in
 *   key policies and IAM policies as conditions to control access"; the condition key
 *   kms:EncryptionContext:<key> (AWS KMS Developer Guide, "Encryption context",
 *   https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html).
 * - GenerateDataKey and Decrypt are the operations the runtime calls directly (AWS KMS API
 *   Reference, https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html,
 *   https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html): no AWS service calls
 *   on the function's behalf, so no kms:ViaService condition.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EventFlow, EventFlowDeclarationError, FlowEncryption, type EventFlowProps } from '../../lib/constructs/index.ts';
import { RUNTIME_ENV } from '../../lib/runtime/subscription-config.ts';
import { toolMissing } from '../support/prerequisites.ts';
import { cdkJsonContext, cfnLintErrors, cleanup, nagViolations, projectWith, tempDir } from './helpers.ts';

after(cleanup);

const ENV = { account: '111122223333', region: 'eu-west-1' };

const SCHEMAS = {
  'schemas/customer.registered/v1.json': JSON.stringify({
    type: 'object',
    required: ['customerId', 'email'],
    properties: {
      customerId: { type: 'string' },
      email: { type: 'string', 'x-busline-pii': 'encrypt' },
      cards: { type: 'array', items: { type: 'object', properties: { number: { type: 'string', 'x-busline-pii': 'encrypt' }, brand: { type: 'string' } } } },
      country: { type: 'string' },
    },
  }),
  'schemas/customer.welcomed/v1.json': JSON.stringify({ type: 'object', properties: { customerId: { type: 'string' }, email: { type: 'string', 'x-busline-pii': 'encrypt' } } }),
  'schemas/audit.logged/v1.json': JSON.stringify({ type: 'object', properties: { n: { type: 'number' } } }),
  'functions/noop.ts': 'export default async () => {};\n',
};

interface Fixture { app: App; stack: Stack; flow: EventFlow; outdir: string }

/**
 * welcome: consumes customer.registered (encrypted), publishes customer.welcomed (encrypted);
 * audit: consumes audit.logged (plain), publishes nothing.
 */
function piiFlow(props: (stack: Stack) => EventFlowProps = () => ({ encryption: FlowEncryption.customerManaged() })): Fixture {
  const root = projectWith(SCHEMAS);
  const outdir = tempDir('busline-pii-');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'S', { env: ENV });
  const flow = new EventFlow(stack, 'Customers', { rootDir: root, ...props(stack) });
  const registered = flow.addTopic('customer.registered', { source: 'app.customers' });
  const welcomed = flow.addTopic('customer.welcomed', { source: 'app.welcome' });
  const audit = flow.addTopic('audit.logged', { source: 'app.audit' });
  flow.addSubscription('welcome', { topic: registered, handler: 'functions/noop.ts', publishes: [welcomed] });
  flow.addSubscription('audit', { topic: audit, handler: 'functions/noop.ts' });
  return { app, stack, flow, outdir };
}

interface StatementJson { readonly Effect?: string; readonly Resource?: unknown; readonly Action: string | string[]; readonly Condition?: Record<string, Record<string, unknown>> }
interface PolicyJson { readonly Properties: { readonly PolicyDocument: { readonly Statement: StatementJson[] } } }
const asList = (a: unknown): string[] => (Array.isArray(a) ? a : [a]) as string[];

/** The KMS statements of the role policy whose logical id starts with `prefix`, without the flow key's SQS/DynamoDB ones. */
function directKmsStatements(t: Template, prefix: string): StatementJson[] {
  const policies = Object.entries(t.findResources('AWS::IAM::Policy')) as Array<[string, PolicyJson]>;
  const policy = policies.find(([id]) => id.startsWith(prefix));
  assert.ok(policy, `a policy starting with ${prefix}`);
  return policy[1].Properties.PolicyDocument.Statement.filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')) && !s.Condition?.StringEquals?.['kms:ViaService']);
}

const keyArnOf = (t: Template, prefix: string): unknown => {
  const id = Object.keys(t.findResources('AWS::KMS::Key')).find((k) => k.startsWith(prefix));
  assert.ok(id, `a key starting with ${prefix}`);
  return { 'Fn::GetAtt': [id, 'Arn'] };
};

const topicCondition = (topic: string) => ({ StringEquals: { 'kms:EncryptionContext:busline:topic': topic } });

test('the encrypted paths of each topic reach the runtime config beside the PII paths', () => {
  const { flow } = piiFlow();
  const welcome = flow.subscriptions.find((s) => s.name === 'welcome')!;
  assert.deepEqual(welcome.config.topics['customer.registered']!.encryptPaths, [['email'], ['cards', '*', 'number']]);
  assert.deepEqual(welcome.config.topics['customer.registered']!.piiPaths, [['email'], ['cards', '*', 'number']]);
  assert.deepEqual(welcome.config.topics['customer.welcomed']!.encryptPaths, [['email']]);
  const audit = flow.subscriptions.find((s) => s.name === 'audit')!;
  assert.equal(audit.config.topics['audit.logged']!.encryptPaths, undefined);
});

test('the flow manifest carries each topic\'s encrypted paths and the logical id of the PII key, for publishers from outside the flow', () => {
  const { stack, flow } = piiFlow((s) => ({ piiKey: new kms.Key(s, 'PiiKey', { enableKeyRotation: true }) }));
  const manifest = flow.manifest();
  const byName = new Map(manifest.topics.map((t) => [t.name, t]));
  assert.deepEqual(byName.get('customer.registered')!.encryptPaths, [['email'], ['cards', '*', 'number']]);
  assert.equal(byName.get('audit.logged')!.encryptPaths, undefined);
  const keyId = Object.keys(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0];
  assert.equal(manifest.piiKeyLogicalId, keyId);
});

test('an imported piiKey is not named in the manifest: it is no resource of the stack', () => {
  const { flow } = piiFlow((s) => ({ piiKey: kms.Key.fromKeyArn(s, 'Imported', 'arn:aws:kms:eu-west-1:111122223333:key/0b9c7f4e-55aa-4cde-9a7e-3f2d1c0b9a88') }));
  assert.equal(flow.manifest().piiKeyLogicalId, undefined);
});

test("with a customer managed key, a subscription of an encrypted topic may kms:Decrypt that topic's data keys only", () => {
  const t = Template.fromStack(piiFlow().stack);
  const decrypt = directKmsStatements(t, 'CustomersWelcomeRole').filter((s) => asList(s.Action).includes('kms:Decrypt'));
  assert.deepEqual(decrypt, [{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArnOf(t, 'CustomersKey'), Condition: topicCondition('customer.registered') }]);
});

test("a subscription publishing an encrypted topic may kms:GenerateDataKey for that topic's data keys only", () => {
  const t = Template.fromStack(piiFlow().stack);
  const generate = directKmsStatements(t, 'CustomersWelcomeRole').filter((s) => asList(s.Action).includes('kms:GenerateDataKey'));
  assert.deepEqual(generate, [{ Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: keyArnOf(t, 'CustomersKey'), Condition: topicCondition('customer.welcomed') }]);
});

test('a subscription whose topics have no encrypted fields gets no direct KMS permission and no key in its environment', () => {
  const { stack, flow } = piiFlow();
  const t = Template.fromStack(stack);
  assert.deepEqual(directKmsStatements(t, 'CustomersAuditRole'), []);
  const audit = flow.subscriptions.find((s) => s.name === 'audit')!;
  const env = (t.toJSON().Resources[stack.getLogicalId(audit.function.node.defaultChild as never)].Properties.Environment.Variables) as Record<string, unknown>;
  assert.equal(env[RUNTIME_ENV.piiKey], undefined);
});

test("the function of a subscription that consumes or publishes an encrypted topic has the key's ARN in BUSLINE_PII_KEY", () => {
  const { stack, flow } = piiFlow();
  const t = Template.fromStack(stack);
  const welcome = flow.subscriptions.find((s) => s.name === 'welcome')!;
  const env = (t.toJSON().Resources[stack.getLogicalId(welcome.function.node.defaultChild as never)].Properties.Environment.Variables) as Record<string, unknown>;
  assert.deepEqual(env[RUNTIME_ENV.piiKey], keyArnOf(t, 'CustomersKey'));
});

test("grantPublish of an encrypted topic to a producer outside the flow adds kms:GenerateDataKey for that topic's data keys", () => {
  const f = piiFlow();
  const producer = new iam.Role(f.stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
  f.flow.grantPublish(producer, f.flow.topic('customer.registered'), f.flow.topic('audit.logged'));
  const t = Template.fromStack(f.stack);
  assert.deepEqual(directKmsStatements(t, 'Producer'), [{ Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: keyArnOf(t, 'CustomersKey'), Condition: topicCondition('customer.registered') }]);
});

test('piiKey with AWS managed keys: the grants name that key, and the flow makes no key of its own', () => {
  let team!: kms.Key;
  const t = Template.fromStack(piiFlow((stack) => {
    team = new kms.Key(stack, 'PiiKey', { enableKeyRotation: true });
    return { piiKey: team };
  }).stack);
  t.resourceCountIs('AWS::KMS::Key', 1);
  const [decrypt] = directKmsStatements(t, 'CustomersWelcomeRole').filter((s) => asList(s.Action).includes('kms:Decrypt'));
  assert.deepEqual(decrypt!.Resource, keyArnOf(t, 'PiiKey'));
});

test('piiKey wins over the customer managed key for the encrypted fields', () => {
  const t = Template.fromStack(piiFlow((stack) => ({ encryption: FlowEncryption.customerManaged(), piiKey: new kms.Key(stack, 'PiiKey', { enableKeyRotation: true }) })).stack);
  for (const s of directKmsStatements(t, 'CustomersWelcomeRole')) assert.deepEqual(s.Resource, keyArnOf(t, 'PiiKey'));
});

test('a topic with encrypted fields in a flow with no key fails synth at the flow, naming the topic, the fields and the fix', () => {
  const root = projectWith(SCHEMAS);
  const stack = new Stack(new App({ outdir: tempDir() }), 'S', { env: ENV });
  const flow = new EventFlow(stack, 'Customers', { rootDir: root });
  assert.throws(
    () => flow.addTopic('customer.registered', { source: 'app.customers' }),
    (e: unknown) => e instanceof EventFlowDeclarationError && e.constructPath === 'S/Customers'
      && /topic 'customer\.registered' marks 'email', 'cards\.\*\.number' "x-busline-pii": "encrypt"/.test(e.message)
      && /FlowEncryption\.customerManaged\(\) or piiKey/.test(e.message),
  );
});

test('a subscription filter on an encrypted field fails synth at the subscription: EventBridge sees only ciphertext', () => {
  const f = piiFlow();
  for (const filter of [{ email: [{ suffix: '@example.com' }] }, { cards: { number: [{ prefix: '4' }] } }]) {
    assert.throws(
      () => f.flow.addSubscription(`f-${Object.keys(filter)[0]}`, { topic: f.flow.topic('customer.registered'), handler: 'functions/noop.ts', filter }),
      (e: unknown) => e instanceof EventFlowDeclarationError && /filter field '(email|cards\.number)' of customer\.registered is marked "x-busline-pii": "encrypt"/.test(e.message) && /filter in the handler/.test(e.message),
      JSON.stringify(filter),
    );
  }
});

test('a filter on a plain field of a topic with encrypted fields is accepted', () => {
  const f = piiFlow();
  const sub = f.flow.addSubscription('by-country', { topic: f.flow.topic('customer.registered'), handler: 'functions/noop.ts', filter: { country: ['NL'], cards: { brand: ['visa'] } } });
  assert.deepEqual(sub.filter, { country: ['NL'], cards: { brand: ['visa'] } });
});

test('piiKey given as an alias fails synth at the flow: grants need the key itself', () => {
  const stack = new Stack(new App({ outdir: tempDir() }), 'S', { env: ENV });
  assert.throws(
    () => new EventFlow(stack, 'Customers', { rootDir: projectWith(SCHEMAS), piiKey: kms.Alias.fromAliasName(stack, 'A', 'alias/pii') }),
    (e: unknown) => e instanceof EventFlowDeclarationError && /piiKey was given the alias/.test(e.message),
  );
});

test("a flow with encrypted fields synthesizes with 0 findings of cdk-nag's AwsSolutions pack", () => {
  const f = piiFlow();
  assert.deepEqual(nagViolations(f.app, f.outdir), []);
});

test('a flow with encrypted fields passes cfn-lint with 0 errors', { skip: toolMissing('cfn-lint') }, () => {
  const f = piiFlow();
  const { errors, status, error } = cfnLintErrors(f.app, f.outdir);
  assert.equal(error, undefined);
  assert.deepEqual(errors, []);
  assert.equal(status! & 2, 0, `cfn-lint exit status ${status}`);
});
