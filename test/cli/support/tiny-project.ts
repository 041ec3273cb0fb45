/**
 * A tiny CDK project written to a fresh folder under test/.tmp (inside the checkout, so the app
 * resolves aws-cdk-lib and tsx from its node_modules): cdk.json, an app entry, a stack file, one
 * flow with a topic whose handler imports a helper, and the topic's schema. Tests edit its files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKOUT = fileURLToPath(new URL('../../../', import.meta.url));
const CONSTRUCTS = join(CHECKOUT, 'lib', 'constructs', 'index.ts');

export interface TinyProject {
  readonly dir: string;
  /** Writes (or rewrites) a file of the project. */
  write(path: string, text: string): void;
  remove(): void;
}

export const TINY_FILES: Readonly<Record<string, string>> = {
  'cdk.json': `${JSON.stringify({ app: 'node --import tsx app.ts', context: { tone: 'plain' } }, null, 2)}\n`,
  'app.ts': [
    "import { App } from 'aws-cdk-lib';",
    "import { notesStack } from './stack.ts';",
    'const app = new App();',
    'notesStack(app);',
    'app.synth();',
    '',
  ].join('\n'),
  'stack.ts': [
    "import { dirname } from 'node:path';",
    "import { fileURLToPath } from 'node:url';",
    "import { Stack, type App } from 'aws-cdk-lib';",
    `import { EventFlow } from ${JSON.stringify(CONSTRUCTS)};`,
    'export function notesStack(app: App): Stack {',
    "  const stack = new Stack(app, 'Notes', { env: { account: '000000000000', region: 'us-east-1' } });",
    "  const flow = new EventFlow(stack, 'Notes', { rootDir: dirname(fileURLToPath(import.meta.url)), schemaRegistry: false });",
    "  const sent = flow.addTopic('note.sent', { source: 'test.notes' });",
    "  flow.addSubscription('keep', { topic: sent, handler: 'handlers/keep.ts' });",
    '  return stack;',
    '}',
    '',
  ].join('\n'),
  'handlers/keep.ts': [
    "import { defineHandler } from 'busline/runtime';",
    "import { shout } from './shout.ts';",
    'export default defineHandler(async (note: { text: string }, ctx) => {',
    "  ctx.logger.info(shout(note.text));",
    '});',
    '',
  ].join('\n'),
  'handlers/shout.ts': 'export const shout = (text: string): string => text.toUpperCase();\n',
  'schemas/note.sent/v1.json': `${JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'note.sent v1',
    type: 'object',
    required: ['text'],
    properties: { text: { type: 'string' } },
  }, null, 2)}\n`,
};

export function tinyProject(): TinyProject {
  const parent = join(CHECKOUT, 'test', '.tmp');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'tiny-project-'));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  for (const [path, text] of Object.entries(TINY_FILES)) write(path, text);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
