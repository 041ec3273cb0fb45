/**
 * A team's CDK app with Busline installed from the packed tarball, made as a new team makes it:
 * `cdk init app --language typescript|javascript` (the aws-cdk CLI of this repository, offline),
 * `npm install <busline tarball>` (the npm registry for the template's own dependencies), then
 * `npx busline init`. The ESM variant is the TypeScript template switched to "type": "module"
 * with the edits NodeNext asks of any ESM app (relative imports end in .js; jest maps them back).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = fileURLToPath(new URL('../../..', import.meta.url));
const CDK = join(PROJECT_DIR, 'node_modules', '.bin', 'cdk');

export type AppKind = 'typescript' | 'typescript-esm' | 'javascript';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a developer's shell has, less this repository's test runner's variables. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' };
  for (const key of Object.keys(env)) if (key.startsWith('NODE_TEST') || key === 'NODE_OPTIONS' || key.startsWith('npm_')) delete env[key];
  return env;
}

/** Runs a shell command in `cwd`; never throws (the caller asserts on the result). */
export function sh(command: string, cwd: string, timeoutMs = 300_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, { cwd, shell: true, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export function describeFailure(what: string, r: CommandResult): string {
  const tail = (s: string): string => s.trim().split('\n').slice(-40).join('\n');
  return `${what} exited ${r.code}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`;
}

/** `npm pack` of this checkout (its prepack builds dist/), into a fresh folder; returns the tarball. */
export async function packBusline(): Promise<string> {
  const dest = mkdtempSync(join(tmpdir(), 'busline-pack-'));
  const r = await sh(`npm pack --pack-destination ${JSON.stringify(dest)}`, PROJECT_DIR);
  if (r.code !== 0) throw new Error(describeFailure('npm pack', r));
  const tarball = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball to ${dest}:\n${r.stdout}`);
  return join(dest, tarball);
}

export interface ConsumerApp {
  readonly kind: AppKind;
  readonly dir: string;
  /** The app's stack file, relative to dir. */
  readonly stackFile: string;
  /** The app's jest test file, relative to dir. */
  readonly testFile: string;
}

/** `cdk init app` in a fresh folder named like a team's project; the ESM variant adapted. */
export async function scaffoldApp(kind: AppKind, parent: string): Promise<ConsumerApp> {
  const dir = join(parent, 'signups');
  mkdirSync(dir, { recursive: true });
  const language = kind === 'javascript' ? 'javascript' : 'typescript';
  const r = await sh(`${JSON.stringify(CDK)} init app --language ${language} --generate-only`, dir, 120_000);
  if (r.code !== 0) throw new Error(describeFailure(`cdk init app --language ${language}`, r));
  const ext = kind === 'javascript' ? 'js' : 'ts';
  const app: ConsumerApp = { kind, dir, stackFile: `lib/signups-stack.${ext}`, testFile: `test/signups.test.${ext}` };
  if (kind === 'typescript-esm') toEsm(app);
  return app;
}

function edit(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the ESM conversion found nothing to change in ${file}: has the cdk init template changed?`);
  writeFileSync(file, after);
}

/** What any TypeScript ESM app does, Busline or not: "type": "module" and NodeNext's .js imports. */
function toEsm(app: ConsumerApp): void {
  edit(join(app.dir, 'package.json'), (t) => t.replace('"version": "0.1.0",', '"version": "0.1.0",\n  "type": "module",'));
  edit(join(app.dir, 'bin', 'signups.ts'), (t) => t.replace("'../lib/signups-stack'", "'../lib/signups-stack.js'"));
  edit(join(app.dir, app.testFile), (t) => t.replace("'../lib/signups-stack'", "'../lib/signups-stack.js'"));
  // jest.config.js is an ES module now; jest itself still runs the tests as CommonJS (through
  // @swc/jest), so imports ending in .js are mapped back to their .ts files.
  edit(join(app.dir, 'jest.config.js'), (t) =>
    t.replace('module.exports = {', () => "export default {\n  moduleNameMapper: { '^(\\\\.{1,2}/.*)\\\\.js$': '$1' },"));
}

/** `npm install <tarball>`: the template's dependencies and Busline, as a team installs them. */
export async function installBusline(app: ConsumerApp, tarball: string): Promise<void> {
  const r = await sh(`npm install --no-audit --no-fund --prefer-offline ${JSON.stringify(tarball)}`, app.dir, 600_000);
  if (r.code !== 0) throw new Error(describeFailure(`npm install ${tarball}`, r));
}

/**
 * The app's jest tests, as a team writes them: its stack's template (replacing the template's
 * commented example), and its flow run by busline/testing's testFlow (publish, settle, the
 * toHaveDelivered matcher, the logs).
 */
export function writeJestTests(app: ConsumerApp): void {
  const js = app.kind === 'javascript';
  const stackModule = `../lib/signups-stack${app.kind === 'typescript-esm' ? '.js' : ''}`;
  const imports = (names: Record<string, string>): string[] =>
    Object.entries(names).map(([module, binding]) => (js ? `const ${binding} = require('${module}');` : `import ${binding.startsWith('{') ? binding : `* as ${binding}`} from '${module}';`));
  const stackTest = [
    ...imports({ 'aws-cdk-lib/core': 'cdk', 'aws-cdk-lib/assertions': '{ Template, Match }', [stackModule]: '{ SignupsStack }' }),
    '',
    "test('the stack routes user.signed-up to the welcome-user queue', () => {",
    "  const template = Template.fromStack(new SignupsStack(new cdk.App(), 'TestStack'));",
    "  template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['user.signed-up'] }) });",
    "  template.resourceCountIs('AWS::Lambda::Function', 1);",
    '});',
    '',
  ];
  const flowTest = [
    ...imports({ 'aws-cdk-lib/core': 'cdk', 'busline/testing': '{ testFlow, flowMatchers }', [stackModule]: '{ SignupsStack }' }),
    // The matchers' types, declared on jest's Matchers as docs/testing.md shows.
    ...(js ? [] : [
      "import type { FlowMatchers } from 'busline/testing';",
      'declare global {',
      '  namespace jest {',
      '    interface Matchers<R> extends FlowMatchers<R> {}',
      '  }',
      '}',
    ]),
    '',
    'expect.extend(flowMatchers);',
    '',
    "test('a signed-up user is welcomed', async () => {",
    "  const flow = await testFlow(new SignupsStack(new cdk.App(), 'FlowTest'));",
    '  try {',
    "    await flow.publish('user.signed-up', { userId: 'u-7', email: 'ada@example.com' });",
    '    await flow.settle();',
    "    expect(flow).toHaveDelivered('welcome-user', { data: { userId: 'u-7' }, outcome: 'succeeded', attempts: 1 });",
    "    expect(flow.logs('welcome-user').some((line) => line.fields.userId === 'u-7')).toBe(true);",
    '  } finally {',
    '    await flow.close();',
    '  }',
    '}, 120_000);',
    '',
  ];
  writeFileSync(join(app.dir, app.testFile), stackTest.join('\n'));
  writeFileSync(join(app.dir, app.testFile.replace('signups.test', 'signups-flow.test')), flowTest.join('\n'));
}

/** A free-port `busline dev` in the app; resolves once it prints its publish command. */
export interface DevProcess {
  output(): string;
  stop(): Promise<void>;
}

export async function startDev(app: ConsumerApp): Promise<DevProcess> {
  const child = spawn('npx busline dev --port 0', { cwd: app.dir, shell: true, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM'); // the shell, npx and the engine: one process group
    await exited;
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error(`busline dev printed no publish command within 240 s:\n${out}`)); }, 240_000);
    child.stdout.on('data', () => { if (out.includes('Publish an event')) { clearTimeout(timer); resolve(); } });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`busline dev exited (${code}) before serving:\n${out}`)); });
  });
  return { output: () => out, stop };
}

/** A temporary parent folder, removed by the caller. */
export function tempParent(kind: AppKind): string {
  return mkdtempSync(join(tmpdir(), `busline-${kind}-`));
}
