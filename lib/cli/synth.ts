/**
 * Synthesizes a CDK app into a folder the way the CDK CLI runs an app: the app command with
 * CDK_OUTDIR and the context of cdk.json / cdk.context.json in CDK_CONTEXT_JSON. Running the
 * app directly skips the CDK CLI's own start-up (about two seconds) and makes no network calls.
 * A local synth does not run CDK's built-in CloudFormation template validation (CDK_VALIDATION=false,
 * unless the environment sets CDK_VALIDATION): it checks what a deployment would, and takes more
 * than half of a synth's CPU; `cdk synth`, the tests and CI run it. Validation plugins the app
 * adds itself (cdk-nag) run unless the app reads CDK_VALIDATION too. The templates are the same.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appProcess } from './app-process.ts';

export class SynthError extends Error {
  override readonly name = 'SynthError';
}

export interface SynthOptions {
  readonly projectDir: string;
  /** The app command; default: "app" of cdk.json. */
  readonly app?: string;
  readonly outdir: string;
  /** Added to the app's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export function appCommandFromCdkJson(projectDir: string): string {
  const file = join(projectDir, 'cdk.json');
  if (!existsSync(file)) {
    throw new SynthError(`no cdk.json in ${projectDir}: pass --app "<command that runs your CDK app>" or --assembly <cdk.out folder>`);
  }
  const app = (JSON.parse(readFileSync(file, 'utf8')) as { app?: string }).app;
  if (!app) throw new SynthError(`${file} has no "app" entry: add "app": "npx tsx bin/app.ts" (or pass --app)`);
  return app;
}

/** The context the CDK CLI would give the app: cdk.json's "context", then cdk.context.json. */
export function contextOf(projectDir: string): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const name of ['cdk.json', 'cdk.context.json']) {
    const file = join(projectDir, name);
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    Object.assign(context, name === 'cdk.json' ? (json.context as Record<string, unknown> | undefined) ?? {} : json);
  }
  return context;
}

/** Whether a local synth runs CDK's built-in template validation: the CDK_VALIDATION the app is given. */
export function synthValidation(): string {
  return process.env.CDK_VALIDATION ?? 'false';
}

export async function synthesize(options: SynthOptions): Promise<string> {
  const projectDir = resolve(options.projectDir);
  const app = options.app ?? appCommandFromCdkJson(projectDir);
  const outdir = resolve(options.outdir);
  mkdirSync(outdir, { recursive: true });
  const launch = appProcess(app, projectDir);
  const child = spawn(launch.command, launch.args, {
    cwd: projectDir, shell: launch.shell, stdio: ['ignore', 'inherit', 'pipe'],
    env: {
      ...process.env,
      CDK_VALIDATION: synthValidation(),
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(contextOf(projectDir)),
      CDK_CLI_ASM_VERSION: '55.0.0',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
      ...options.env,
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number>((r) => {
    child.once('error', (error) => { stderr += `${error.message}\n`; r(1); });
    child.once('close', (c) => r(c ?? 1));
  });
  if (code !== 0) throw new SynthError(`the CDK app (\`${app}\`) failed with exit code ${code}:\n${stderr.trim()}`);
  if (!existsSync(join(outdir, 'manifest.json'))) {
    throw new SynthError(`the CDK app (\`${app}\`) wrote no cloud assembly to ${outdir}: does it call app.synth()?`);
  }
  return outdir;
}
