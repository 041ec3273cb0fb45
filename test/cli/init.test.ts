/**
 * `busline init` in apps made by the installed aws-cdk CLI (`cdk init app --generate-only`,
 * offline, about two seconds), run through the real `busline` launcher with the app as cwd.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newAjv } from '../../lib/schema/validator-codegen.ts';
import { toDraft4 } from '../../lib/schema/draft4.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CDK = join(REPO, 'node_modules/.bin/cdk');
const BUSLINE = join(REPO, 'bin/busline.mjs');

let work: string;
const templates: Record<'typescript' | 'javascript', string> = { typescript: '', javascript: '' };

before(() => {
  work = mkdtempSync(join(tmpdir(), 'busline-init-'));
  for (const language of ['typescript', 'javascript'] as const) {
    // The folder's name is the project's: my-app → bin/my-app.ts, lib/my-app-stack.ts, MyAppStack.
    const dir = join(work, 'templates', language, 'my-app');
    mkdirSync(dir, { recursive: true });
    execFileSync(CDK, ['init', 'app', '--language', language, '--generate-only'], {
      cwd: dir,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: 'pipe',
    });
    templates[language] = dir;
  }
});

after(() => rmSync(work, { recursive: true, force: true }));

let apps = 0;
/** A fresh copy of the scaffolded app, named my-app like the template. */
function newApp(language: 'typescript' | 'javascript'): string {
  const dir = join(work, `app-${++apps}`, 'my-app');
  cpSync(templates[language], dir, { recursive: true });
  return dir;
}

function busline(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BUSLINE, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file of the app (path → bytes), to compare before and after. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'base64'));
    }
  };
  walk(dir);
  return files;
}

const read = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');

const FLOW_LINES = [
  "    const flow = new EventFlow(this, 'Flow');",
  "    const userSignedUp = flow.addTopic('user.signed-up', { source: 'my-app' });",
  "    flow.addSubscription('welcome-user', { topic: userSignedUp, handler: 'functions/welcome-user.ts' });",
];

test('in a TypeScript app from cdk init, init adds the import and the flow at the end of the stack constructor, and nothing else to the stack', () => {
  const app = newApp('typescript');
  const original = read(app, 'lib/my-app-stack.ts');
  const run = busline(app, 'init');
  assert.equal(run.code, 0, run.stderr);
  const edited = read(app, 'lib/my-app-stack.ts');
  assert.match(edited, /^import \{ Construct \} from 'constructs';\nimport \{ EventFlow \} from 'busline';\n/m);
  assert.ok(edited.includes(`\n\n${FLOW_LINES.join('\n')}\n  }\n}\n`), edited);
  const withoutAdditions = edited.replace("import { EventFlow } from 'busline';\n", '').replace(`\n\n${FLOW_LINES.join('\n')}`, '');
  assert.equal(withoutAdditions, original);
});

test('in a TypeScript CommonJS app, the handler is typed with the TopicMap, imported without an extension, and logs a field of the event', () => {
  const app = newApp('typescript');
  assert.equal(busline(app, 'init').code, 0);
  assert.equal(read(app, 'functions/welcome-user.ts'), [
    "import { defineHandler } from 'busline/runtime';",
    "import type { TopicMap } from '../schemas/types';",
    '',
    '/** Handles user.signed-up events: Busline checks their data against schemas/user.signed-up/v1.json before calling it. */',
    "export default defineHandler<TopicMap, 'user.signed-up'>(async function welcomeUser(user, ctx) {",
    "  ctx.logger.info('user.signed-up received', { userId: user.userId });",
    '});',
    '',
  ].join('\n'));
});

test('schemas/types.ts is what busline types generates from the schemas', () => {
  const app = newApp('typescript');
  assert.equal(busline(app, 'init').code, 0);
  const check = busline(app, 'types', '--check');
  assert.equal(check.code, 0, check.stderr);
  assert.match(read(app, 'schemas/types.ts'), /"user\.signed-up": UserSignedUpV1;/);
});

test("the example schema compiles with the build-time validator, converts for the schema registry, and its example is valid", () => {
  const app = newApp('typescript');
  assert.equal(busline(app, 'init').code, 0);
  const schema = JSON.parse(read(app, 'schemas/user.signed-up/v1.json')) as { examples: unknown[] };
  const validate = newAjv().compile(schema);
  assert.equal(validate(schema.examples[0]), true, JSON.stringify(validate.errors));
  assert.equal(validate({ userId: 'u-1', email: 'not an email' }), false);
  toDraft4(schema, 'v1.json');
});

test('init reports each file it created or edited and the commands to run next', () => {
  const app = newApp('typescript');
  const { stdout } = busline(app, 'init');
  const lines = stdout.split('\n');
  assert.match(stdout, /^busline init: TypeScript app \(CommonJS\), topic user\.signed-up from source my-app, subscription welcome-user\n/);
  for (const file of ['schemas/user.signed-up/v1.json', 'functions/welcome-user.ts', 'schemas/types.ts']) {
    assert.ok(lines.some((line) => /^ +created +/.test(line) && line.endsWith(file)), `created ${file}\n${stdout}`);
  }
  assert.ok(lines.some((line) => /^ +edited +lib\/my-app-stack\.ts: /.test(line)), stdout);
  const next = stdout.slice(stdout.indexOf('Next:'));
  assert.match(next, /npm install busline/);
  assert.match(next, /npx busline dev/);
  assert.match(next, /npx busline publish user\.signed-up '\{"userId":"user-1","email":"ada@example\.com"\}'/);
  assert.match(next, /npx cdk synth/);
});

test('running init a second time changes no byte and says nothing changed', () => {
  const app = newApp('typescript');
  assert.equal(busline(app, 'init').code, 0);
  const first = snapshot(app);
  const again = busline(app, 'init');
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(snapshot(app), first);
  assert.match(again.stdout, /Nothing changed/);
  assert.doesNotMatch(again.stdout, /created|edited/);
  assert.match(again.stdout, /kept +lib\/my-app-stack\.ts \(declares topic user\.signed-up and subscription welcome-user\)/);
});

test('in an ES module TypeScript app ("type": "module"), the handler imports the types with a .js extension and the stack is edited', () => {
  const app = newApp('typescript');
  const pkg = JSON.parse(read(app, 'package.json')) as Record<string, unknown>;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ ...pkg, type: 'module' }, null, 2));
  // An ES module app's relative imports name the file Node loads.
  writeFileSync(join(app, 'bin/my-app.ts'), read(app, 'bin/my-app.ts').replace("'../lib/my-app-stack'", "'../lib/my-app-stack.js'"));
  const run = busline(app, 'init');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /TypeScript app \(ES modules\)/);
  assert.match(read(app, 'functions/welcome-user.ts'), /^import type \{ TopicMap \} from '\.\.\/schemas\/types\.js';$/m);
  assert.ok(read(app, 'lib/my-app-stack.ts').includes(FLOW_LINES.join('\n')));
});

test('in a JavaScript app, init writes a CommonJS handler typed by JSDoc, requires EventFlow in the stack, and writes no types.ts', () => {
  const app = newApp('javascript');
  const run = busline(app, 'init');
  assert.equal(run.code, 0, run.stderr);
  const handler = read(app, 'functions/welcome-user.js');
  assert.match(handler, /^const \{ defineHandler \} = require\('busline\/runtime'\);$/m);
  assert.match(handler, /@param \{\{ userId: string, email: string \}\} user/);
  assert.match(handler, /ctx\.logger\.info\('user\.signed-up received', \{ userId: user\.userId \}\);/);
  assert.match(handler, /^module\.exports = defineHandler\(welcomeUser\);$/m);
  const stack = read(app, 'lib/my-app-stack.js');
  assert.match(stack, /^const \{ Stack, Duration \} = require\('aws-cdk-lib\/core'\);\nconst \{ EventFlow \} = require\('busline'\);$/m);
  assert.ok(stack.includes(FLOW_LINES.join('\n').replace('welcome-user.ts', 'welcome-user.js')), stack);
  assert.equal(existsSync(join(app, 'schemas/types.ts')), false);
  for (const file of ['functions/welcome-user.js', 'lib/my-app-stack.js']) {
    execFileSync(process.execPath, ['--check', join(app, file)]); // throws on a syntax error
  }
});

test('when the stack file declares two stacks, init edits nothing in it and prints the lines to add and where', () => {
  const app = newApp('typescript');
  const stackFile = join(app, 'lib/my-app-stack.ts');
  writeFileSync(stackFile, `${readFileSync(stackFile, 'utf8')}\nexport class AuditStack extends cdk.Stack {\n  constructor(scope: Construct, id: string) {\n    super(scope, id);\n  }\n}\n`);
  const before = readFileSync(stackFile, 'utf8');
  const run = busline(app, 'init');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(stackFile, 'utf8'), before);
  assert.match(run.stdout, /not edited +lib\/my-app-stack\.ts: it declares 2 stack classes \(MyAppStack, AuditStack\)/);
  assert.match(run.stdout, /beside the other imports at the top of the file:\n +import \{ EventFlow \} from 'busline';\n/);
  assert.match(run.stdout, /at the end of your stack's constructor:\n/);
  for (const line of FLOW_LINES) assert.ok(run.stdout.includes(`      ${line.trim()}\n`), line);
});

test('when the stack already has an EventFlow, init edits nothing in it and prints the topic and subscription lines to add to that flow', () => {
  const app = newApp('typescript');
  const stackFile = join(app, 'lib/my-app-stack.ts');
  const own = readFileSync(stackFile, 'utf8')
    .replace("import { Construct } from 'constructs';", "import { Construct } from 'constructs';\nimport { EventFlow } from 'busline';")
    .replace('super(scope, id, props);', "super(scope, id, props);\n    const events = new EventFlow(this, 'Events');");
  writeFileSync(stackFile, own);
  const run = busline(app, 'init');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(stackFile, 'utf8'), own);
  assert.match(run.stdout, /not edited +lib\/my-app-stack\.ts: it already uses an EventFlow/);
  assert.doesNotMatch(run.stdout, /new EventFlow/);
  assert.ok(run.stdout.includes(FLOW_LINES[1]!.trim()) && run.stdout.includes(FLOW_LINES[2]!.trim()), run.stdout);
});

test('an existing schema and handler are kept as they are, and the handler types come from the existing schema', () => {
  const app = newApp('typescript');
  const schema = `${JSON.stringify({ type: 'object', required: ['accountId'], properties: { accountId: { type: 'string' } } }, null, 2)}\n`;
  const handler = "export default async function mine(): Promise<void> {}\n";
  mkdirSync(join(app, 'schemas/user.signed-up'), { recursive: true });
  mkdirSync(join(app, 'functions'));
  writeFileSync(join(app, 'schemas/user.signed-up/v1.json'), schema);
  writeFileSync(join(app, 'functions/welcome-user.ts'), handler);
  const run = busline(app, 'init');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(read(app, 'schemas/user.signed-up/v1.json'), schema);
  assert.equal(read(app, 'functions/welcome-user.ts'), handler);
  assert.match(run.stdout, /kept +schemas\/user\.signed-up\/v1\.json \(exists\)/);
  assert.match(run.stdout, /kept +functions\/welcome-user\.ts \(exists\)/);
  assert.match(read(app, 'schemas/types.ts'), /accountId: string;/);
});

test('with --dry-run nothing is written and the output says what would be done', () => {
  const app = newApp('typescript');
  const before = snapshot(app);
  const run = busline(app, 'init', '--dry-run');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(snapshot(app), before);
  assert.match(run.stdout, /would create +functions\/welcome-user\.ts/);
  assert.match(run.stdout, /would edit +lib\/my-app-stack\.ts/);
  assert.match(run.stdout, /Dry run: nothing was written/);
});

test('--topic and --source name the topic, its source, the subscription and the example field', () => {
  const app = newApp('typescript');
  const run = busline(app, 'init', '--topic', 'order.placed', '--source', 'shop.orders');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual((JSON.parse(read(app, 'schemas/order.placed/v1.json')) as { required: string[] }).required, ['orderId']);
  assert.match(read(app, 'functions/handle-order-placed.ts'), /defineHandler<TopicMap, 'order\.placed'>\(async function handleOrderPlaced\(order, ctx\)[\s\S]*\{ orderId: order\.orderId \}/);
  assert.ok(read(app, 'lib/my-app-stack.ts').includes(
    "    const orderPlaced = flow.addTopic('order.placed', { source: 'shop.orders' });\n" +
    "    flow.addSubscription('handle-order-placed', { topic: orderPlaced, handler: 'functions/handle-order-placed.ts' });\n"));
});

test('outside a CDK app init exits 1, says where to run it, and writes nothing', () => {
  const dir = mkdtempSync(join(work, 'not-an-app-'));
  const run = busline(dir, 'init');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no cdk\.json in .*: run busline init in the root folder of a CDK app/);
  assert.deepEqual(readdirSync(dir), []);
});

test('a topic name EventBridge flows cannot use is refused with exit 2 before anything is written', () => {
  const app = newApp('typescript');
  const before = snapshot(app);
  const run = busline(app, 'init', '--topic', 'User Signed Up');
  assert.equal(run.code, 2);
  assert.match(run.stderr, /topic "User Signed Up" is not a topic name/);
  assert.deepEqual(snapshot(app), before);
});
