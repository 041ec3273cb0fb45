/**
 * Where a flow under test comes from: a CDK Stack or App synthesized in this process, or a
 * cloud assembly folder synthesized before (`cdk synth`, `busline dev`).
 */
import { existsSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { Stack, Stage, type App } from 'aws-cdk-lib';
import { FlowStartError } from './errors.ts';

/** What {@link startFlow} runs: a Stack (its App is synthesized), an App, or a cloud assembly folder. */
export type FlowSource = Stack | App | string;

/** A synthesized assembly and how to clean it up. */
export interface ResolvedAssembly {
  readonly dir: string;
  /** Removes the assembly when the harness made it in a temporary folder; a no-op otherwise. */
  readonly cleanup: () => void;
}

/**
 * Synthesizes `source` (a Stack: the Stage it belongs to, usually its App) or checks that a
 * folder holds a cloud assembly. An App made without `outdir` synthesizes into a temporary
 * folder (CDK's own choice); that folder is removed by `cleanup`.
 */
export function resolveAssembly(source: FlowSource): ResolvedAssembly {
  if (typeof source === 'string') {
    const dir = resolve(source);
    if (!existsSync(join(dir, 'manifest.json'))) {
      throw new FlowStartError(`${dir} is not a cloud assembly (no manifest.json): pass a cdk.out folder, or the Stack or App to synthesize`);
    }
    return { dir, cleanup: () => {} };
  }
  const stage = Stack.isStack(source) ? Stage.of(source) : Stage.isStage(source) ? source : undefined;
  if (!stage) throw new FlowStartError('startFlow: pass a Stack, an App (or Stage) or the path of a cloud assembly folder');
  let dir: string;
  try {
    dir = stage.synth().directory;
  } catch (error) {
    throw new FlowStartError(`synth failed: ${(error as Error).message}`, { cause: error });
  }
  return { dir, cleanup: madeByCdkInTmp(dir) ? () => rmSync(dir, { recursive: true, force: true }) : () => {} };
}

/** CDK synthesizes an App without outdir (and no CDK_OUTDIR) into `<tmpdir>/cdk.outXXXXXX`. */
function madeByCdkInTmp(dir: string): boolean {
  if (process.env.CDK_OUTDIR) return false;
  const tmp = realpathSync(tmpdir());
  const real = realpathSync(dir);
  return real.startsWith(`${tmp}${sep}cdk.out`) && statSync(real).isDirectory();
}
