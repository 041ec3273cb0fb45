/**
 * A tiny CDK project (tiny-project.ts) whose topic `contact.added` marks `email` PII (mask mode):
 * its subscription `welcome` (through a queue, 2 attempts, no backoff) logs the contact with
 * ctx.logger, fails while `ctx.event.attempt <= failTimes` with an error quoting the email, and
 * otherwise records what it received in the table `Received`, keyed by the email.
 */
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tinyProject, type TinyProject } from './tiny-project.ts';

const CONSTRUCTS = fileURLToPath(new URL('../../../lib/constructs/index.ts', import.meta.url));

export const PII_PROJECT_FILES: Readonly<Record<string, string>> = {
  'stack.ts': [
    "import { dirname } from 'node:path';",
    "import { fileURLToPath } from 'node:url';",
    "import { Duration, RemovalPolicy, Stack, type App } from 'aws-cdk-lib';",
    "import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';",
    `import { Backoff, EventFlow } from ${JSON.stringify(CONSTRUCTS)};`,
    'export function notesStack(app: App): Stack {',
    "  const stack = new Stack(app, 'Contacts', { env: { account: '000000000000', region: 'us-east-1' } });",
    "  const flow = new EventFlow(stack, 'Contacts', { rootDir: dirname(fileURLToPath(import.meta.url)), schemaRegistry: false });",
    "  const added = flow.addTopic('contact.added', { source: 'test.contacts' });",
    "  const received = new Table(stack, 'Received', { partitionKey: { name: 'email', type: AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });",
    "  const welcome = flow.addSubscription('welcome', {",
    "    topic: added, handler: 'handlers/welcome.ts', maxAttempts: 2, backoff: Backoff.fixed(Duration.seconds(0)),",
    '    environment: { RECEIVED_TABLE: received.tableName },',
    '  });',
    '  received.grantWriteData(welcome.function);',
    '  return stack;',
    '}',
    '',
  ].join('\n'),
  'handlers/welcome.ts': [
    "import { defineHandler } from 'busline/runtime';",
    'export default defineHandler(async (contact: { contactId: string; email: string; failTimes: number }, ctx) => {',
    "  ctx.logger.info('welcoming', { to: contact.email, contactId: contact.contactId });",
    '  if (ctx.event.attempt <= contact.failTimes) throw new Error(`the mail server refused ${contact.email}`);',
    '  ctx.write({ Put: { TableName: process.env.RECEIVED_TABLE!, Item: {',
    '    email: { S: contact.email }, contactId: { S: contact.contactId }, attempt: { N: String(ctx.event.attempt) },',
    '  } } });',
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
      email: { type: 'string', 'x-busline-pii': true },
      failTimes: { type: 'integer', minimum: 0 },
    },
  }, null, 2)}\n`,
};

/** The project written to a fresh folder: tiny-project.ts's files with its flow replaced by the one above. */
export function piiProject(): TinyProject {
  const project = tinyProject();
  for (const path of ['handlers/keep.ts', 'handlers/shout.ts', 'schemas/note.sent']) rmSync(join(project.dir, path), { recursive: true, force: true });
  for (const [path, text] of Object.entries(PII_PROJECT_FILES)) project.write(path, text);
  return project;
}

/** Where the project's `busline dev` keeps its state. */
export const stateDirOf = (project: TinyProject): string => join(project.dir, '.busline');
