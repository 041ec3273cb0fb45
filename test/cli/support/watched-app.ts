/**
 * A team's CDK app in a temporary folder, made to be edited while `busline dev` runs on it: the
 * greetings fixture's handlers and schemas, a stack (app.ts) whose flow has `greet` (through a
 * queue, publishing greeting.recorded) and `record`, plus a plain queue `Parked` that a rule
 * fills with every greeting.sent and nothing consumes (messages that must survive every reload).
 * `busline` resolves to this checkout's sources through the app's tsconfig paths.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GREETINGS_DIR } from '../../fixtures/greetings-flow/stack.ts';
import { loadSchemas } from '../../../lib/schema/schema-set.ts';
import { generateTypesModule } from '../../../lib/schema/type-codegen.ts';

const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** The stack's extra declarations go where this marker is. */
export const STACK_EXTRAS = '// extras';

export const WATCHED_STACK = `import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EventFlow } from 'busline';

const app = new App();
const stack = new Stack(app, 'Watched', { env: { account: '000000000000', region: 'us-east-1' } });
const flow = new EventFlow(stack, 'Greetings', { schemaRegistry: false });
const sent = flow.addTopic('greeting.sent', { source: 'test.greetings' });
const recorded = flow.addTopic('greeting.recorded', { source: 'test.greetings' });
flow.addSubscription('greet', { topic: sent, handler: 'handlers/greet.ts', publishes: [recorded] });
flow.addSubscription('record', { topic: recorded, handler: 'handlers/record.ts' });
const parked = new sqs.Queue(stack, 'Parked', { queueName: 'parked' });
new events.Rule(stack, 'ParkSent', { eventBus: flow.bus, eventPattern: { detailType: ['greeting.sent'] }, targets: [new targets.SqsQueue(parked)] });
${STACK_EXTRAS}
app.synth();
`;

export interface WatchedApp {
  readonly dir: string;
  path(relativePath: string): string;
  read(relativePath: string): string;
  write(relativePath: string, content: string): void;
  /** Replaces `from` (which must be in the file) with `to`. */
  edit(relativePath: string, from: string, to: string): void;
  remove(): void;
}

export async function makeWatchedApp(): Promise<WatchedApp> {
  const dir = mkdtempSync(join(tmpdir(), 'busline-watched-app-'));
  cpSync(join(GREETINGS_DIR, 'handlers'), join(dir, 'handlers'), { recursive: true });
  cpSync(join(GREETINGS_DIR, 'schemas'), join(dir, 'schemas'), { recursive: true });
  cpSync(join(GREETINGS_DIR, 'types.ts'), join(dir, 'types.ts'));
  writeFileSync(join(dir, 'schemas', 'types.ts'), await generateTypesModule(loadSchemas(join(dir, 'schemas')).values()));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'app.ts'), WATCHED_STACK);
  writeFileSync(join(dir, 'cdk.json'), `${JSON.stringify({ app: 'npx tsx app.ts' })}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({
    compilerOptions: {
      module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, allowImportingTsExtensions: true, noEmit: true,
      paths: {
        busline: [join(REPO, 'lib/constructs/index.ts')],
        'busline/runtime': [join(REPO, 'lib/runtime/index.ts')],
      },
    },
  }, null, 2)}\n`);
  const path = (p: string): string => join(dir, p);
  return {
    dir, path,
    read: (p) => readFileSync(path(p), 'utf8'),
    write: (p, content) => writeFileSync(path(p), content),
    edit(p, from, to) {
      const before = readFileSync(path(p), 'utf8');
      if (!before.includes(from)) throw new Error(`${p} does not contain ${JSON.stringify(from)}`);
      writeFileSync(path(p), before.replace(from, to));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
