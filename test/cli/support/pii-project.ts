/**
 * A tiny CDK project (tiny-project.ts) whose topic `contact.added` marks `email` PII, in mask
 * mode (`"x-busline-pii": true`) or encrypt mode (`"encrypt"`, with the flow's `piiKey` a KMS key
 * of the stack, logical id `PiiKey…`): its subscription `welcome` (through a queue, 2 attempts, no backoff) logs the contact with
 * ctx.logger, fails while `ctx.event.attempt <= failTimes` with an error quoting the email, and
 * otherwise records what it received: in mask mode in the table `Received`, keyed by the email;
 * in encrypt mode as a JSON line in the project's file {@link RECEIVED_FILE}, outside the state
 * folder (the engine's DynamoDB is one store for every table, so a table would put the value
 * among the state files a test searches). Encrypt mode also has the queue {@link TAP_QUEUE}, a
 * plain SQS target of a rule on the bus matching every `contact.added`, so a test can read what
 * the bus carried, raw.
 */
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tinyProject, type TinyProject } from './tiny-project.ts';

/** Encrypt mode: the file, in the project folder, where the handler records what it received. */
export const RECEIVED_FILE = 'received.jsonl';
/** Encrypt mode: the queue that gets every `contact.added` event as the bus carried it. */
export const TAP_QUEUE = 'contacts-tap';

const CONSTRUCTS = fileURLToPath(new URL('../../../lib/constructs/index.ts', import.meta.url));

export type PiiMode = 'mask' | 'encrypt';

/** The project's files for a PII mode. */
export const piiProjectFiles = (mode: PiiMode): Readonly<Record<string, string>> => ({
  'stack.ts': [
    "import { dirname, join } from 'node:path';",
    "import { fileURLToPath } from 'node:url';",
    "import { Duration, RemovalPolicy, Stack, type App } from 'aws-cdk-lib';",
    "import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';",
    "import { Key } from 'aws-cdk-lib/aws-kms';",
    "import { Rule } from 'aws-cdk-lib/aws-events';",
    "import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';",
    "import { Queue } from 'aws-cdk-lib/aws-sqs';",
    `import { Backoff, EventFlow } from ${JSON.stringify(CONSTRUCTS)};`,
    'export function notesStack(app: App): Stack {',
    "  const stack = new Stack(app, 'Contacts', { env: { account: '000000000000', region: 'us-east-1' } });",
    mode === 'encrypt'
      ? "  const flow = new EventFlow(stack, 'Contacts', { rootDir: dirname(fileURLToPath(import.meta.url)), schemaRegistry: false, piiKey: new Key(stack, 'PiiKey', { removalPolicy: RemovalPolicy.DESTROY }) });"
      : "  const flow = new EventFlow(stack, 'Contacts', { rootDir: dirname(fileURLToPath(import.meta.url)), schemaRegistry: false });",
    "  const added = flow.addTopic('contact.added', { source: 'test.contacts' });",
    "  const received = new Table(stack, 'Received', { partitionKey: { name: 'email', type: AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });",
    "  const welcome = flow.addSubscription('welcome', {",
    "    topic: added, handler: 'handlers/welcome.ts', maxAttempts: 2, backoff: Backoff.fixed(Duration.seconds(0)),",
    `    environment: { RECEIVED_TABLE: received.tableName, RECEIVED_FILE: join(dirname(fileURLToPath(import.meta.url)), ${JSON.stringify(RECEIVED_FILE)}) },`,
    '  });',
    '  received.grantWriteData(welcome.function);',
    ...(mode === 'encrypt'
      ? [`  new Rule(stack, 'Tap', { eventBus: flow.bus, eventPattern: { detailType: ['contact.added'] }, targets: [new SqsQueue(new Queue(stack, 'TapQueue', { queueName: ${JSON.stringify(TAP_QUEUE)} }))] });`]
      : []),
    '  return stack;',
    '}',
    '',
  ].join('\n'),
  'handlers/welcome.ts': [
    "import { appendFileSync } from 'node:fs';",
    "import { defineHandler } from 'busline/runtime';",
    'export default defineHandler(async (contact: { contactId: string; email: string; failTimes: number }, ctx) => {',
    "  ctx.logger.info('welcoming', { to: contact.email, contactId: contact.contactId });",
    '  if (ctx.event.attempt <= contact.failTimes) throw new Error(`the mail server refused ${contact.email}`);',
    ...(mode === 'encrypt'
      ? ['  appendFileSync(process.env.RECEIVED_FILE!, `${JSON.stringify({ ...contact, attempt: ctx.event.attempt })}\\n`);']
      : [
        '  ctx.write({ Put: { TableName: process.env.RECEIVED_TABLE!, Item: {',
        '    email: { S: contact.email }, contactId: { S: contact.contactId }, attempt: { N: String(ctx.event.attempt) },',
        '  } } });',
      ]),
    '});',
    '',
  ].join('\n'),
  'schemas/contact.added/v1.json': `${JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'contact.added v1',
    type: 'object',
    required: ['contactId', 'email', 'failTimes'],
    properties: {
      contactId: { type: 'string' },
      email: { type: 'string', 'x-busline-pii': mode === 'encrypt' ? 'encrypt' : true },
      failTimes: { type: 'integer', minimum: 0 },
    },
  }, null, 2)}\n`,
});

/** The project written to a fresh folder: tiny-project.ts's files with its flow replaced by the one above. */
export function piiProject(mode: PiiMode = 'mask'): TinyProject {
  const project = tinyProject();
  for (const path of ['handlers/keep.ts', 'handlers/shout.ts', 'schemas/note.sent']) rmSync(join(project.dir, path), { recursive: true, force: true });
  for (const [path, text] of Object.entries(piiProjectFiles(mode))) project.write(path, text);
  return project;
}

/** Where the project's `busline dev` keeps its state. */
export const stateDirOf = (project: TinyProject): string => join(project.dir, '.busline');
