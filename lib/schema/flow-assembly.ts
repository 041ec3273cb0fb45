/**
 * Finds the flow declarations (FlowManifest) in a synthesized cloud assembly: every
 * `*.template.json` in the assembly folder (and nested stage assemblies) is scanned for
 * resources carrying `Metadata["Busline::Flow"]`. When no assembly exists, the CDK app is
 * synthesized into a temporary folder with the project's own CDK CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FLOW_MANIFEST_METADATA_KEY, type FlowManifest } from './flow-manifest.ts';

const execFileAsync = promisify(execFile);

export class FlowAssemblyError extends Error {
  override readonly name = 'FlowAssemblyError';
}

export interface FoundFlow {
  readonly manifest: FlowManifest;
  /** Template file the manifest was read from. */
  readonly template: string;
}

export function readFlowManifests(assemblyDir: string): FoundFlow[] {
  if (!existsSync(assemblyDir) || !statSync(assemblyDir).isDirectory()) {
    throw new FlowAssemblyError(`cloud assembly ${assemblyDir} does not exist: run \`npx cdk synth\` first or pass --assembly <folder>`);
  }
  const found: FoundFlow[] = [];
  for (const template of templatesIn(assemblyDir, 0)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(template, 'utf8'));
    } catch (err) {
      throw new FlowAssemblyError(`template ${template} is not valid JSON (${(err as Error).message}): synthesize again`);
    }
    const resources = (parsed as { Resources?: Record<string, { Metadata?: Record<string, unknown> }> }).Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      const manifest = resource.Metadata?.[FLOW_MANIFEST_METADATA_KEY];
      if (manifest === undefined) continue;
      if (!isFlowManifest(manifest)) {
        throw new FlowAssemblyError(`${template}: resource ${logicalId} has a ${FLOW_MANIFEST_METADATA_KEY} metadata entry that is not a version-1 flow manifest: synthesize with a matching Busline version`);
      }
      found.push({ manifest, template });
    }
  }
  return found.sort((a, b) => a.manifest.flow.localeCompare(b.manifest.flow));
}

function templatesIn(dir: string, depth: number): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name.endsWith('.template.json')) out.push(path);
    // Stages synthesize into nested assemblies named assembly-<stage>.
    else if (depth < 3 && name.startsWith('assembly-') && statSync(path).isDirectory()) out.push(...templatesIn(path, depth + 1));
  }
  return out;
}

function isFlowManifest(v: unknown): v is FlowManifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return m.manifestVersion === 1 && typeof m.flow === 'string' && Array.isArray(m.topics) && Array.isArray(m.subscriptions) && Array.isArray(m.publishers);
}

/**
 * Runs `cdk synth` for the app in `appDir` (its cdk.json) into a fresh temporary folder
 * and returns that folder. Telemetry, notices and version checks are off: this runs offline.
 */
export async function synthesizeAssembly(appDir: string): Promise<string> {
  if (!existsSync(join(appDir, 'cdk.json'))) {
    throw new FlowAssemblyError(`no cloud assembly and no cdk.json in ${appDir}: pass --assembly <cdk.out folder> or run from the CDK app's folder`);
  }
  const out = mkdtempSync(join(tmpdir(), 'busline-synth-'));
  try {
    await execFileAsync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', out], {
      cwd: appDir,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new FlowAssemblyError(`cdk synth failed in ${appDir}: ${(e.stderr ?? e.message).trim().split('\n').slice(-5).join('\n')}`);
  }
  return out;
}

/**
 * The flows for a CLI run: from `--assembly` when given, else from ./cdk.out when present,
 * else by synthesizing the app in `appDir`.
 */
export async function loadFlows(options: { readonly assembly?: string; readonly appDir: string }): Promise<FoundFlow[]> {
  if (options.assembly !== undefined) return readFlowManifests(options.assembly);
  const defaultOut = join(options.appDir, 'cdk.out');
  if (existsSync(defaultOut)) return readFlowManifests(defaultOut);
  const synthesized = await synthesizeAssembly(options.appDir);
  try {
    return readFlowManifests(synthesized);
  } finally {
    rmSync(synthesized, { recursive: true, force: true });
  }
}

/** Who touches a topic, by flow: the subscriptions consuming it and the producers publishing it. */
export interface TopicParties {
  readonly subscribers: ReadonlyArray<{ readonly flow: string; readonly name: string; readonly filter?: Readonly<Record<string, unknown>>; readonly acceptsVersions?: readonly number[] }>;
  readonly publishers: ReadonlyArray<{ readonly flow: string; readonly name: string; readonly kind: 'subscription' | 'publisher' }>;
}

export function partiesOf(topic: string, flows: readonly FlowManifest[]): TopicParties {
  const subscribers: Array<TopicParties['subscribers'][number]> = [];
  const publishers: Array<TopicParties['publishers'][number]> = [];
  for (const flow of flows) {
    for (const s of flow.subscriptions) {
      if (s.topics.includes(topic)) {
        const accepts = s.acceptsVersions?.[topic];
        subscribers.push({ flow: flow.flow, name: s.name, ...(s.filter ? { filter: s.filter } : {}), ...(accepts ? { acceptsVersions: accepts } : {}) });
      }
      if (s.publishes.includes(topic)) publishers.push({ flow: flow.flow, name: s.name, kind: 'subscription' });
    }
    for (const p of flow.publishers) {
      if (p.topics.includes(topic)) publishers.push({ flow: flow.flow, name: p.name, kind: 'publisher' });
    }
  }
  return { subscribers, publishers };
}
