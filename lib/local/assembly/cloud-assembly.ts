/**
 * Reads a cloud assembly (the folder `cdk synth` writes, usually cdk.out): its manifest,
 * each stack's template, and the asset manifests that say which folder holds the code
 * behind an S3 bucket/key pair in a template.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface AssemblyStack {
  /** The artifact id, which is the deployed stack name unless `stackName` was set. */
  readonly artifactId: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
  readonly templateFile: string;
  /** Artifact ids of stacks this one depends on (deploy order). */
  readonly dependencies: readonly string[];
}

export interface CloudAssembly {
  readonly directory: string;
  /** Stacks in dependency order (a stack comes after the stacks it imports from). */
  readonly stacks: readonly AssemblyStack[];
  /** S3 object key (as written in templates) → absolute path of the asset folder or file. */
  readonly assetsByObjectKey: ReadonlyMap<string, string>;
}

/** Account and region used when a stack is environment-agnostic (`aws://unknown-account/...`). */
export const DEFAULT_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

export class CloudAssemblyError extends Error {
  override readonly name = 'CloudAssemblyError';
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly properties?: { templateFile?: string; stackName?: string; file?: string };
  readonly dependencies?: string[];
  readonly displayName?: string;
}

interface AssetManifest {
  readonly files?: Record<string, {
    source: { path?: string; packaging?: string };
    destinations: Record<string, { objectKey: string }>;
  }>;
}

export function readCloudAssembly(directory: string): CloudAssembly {
  const dir = resolve(directory);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new CloudAssemblyError(
      `no cloud assembly at ${dir}: manifest.json is missing. Run \`npx cdk synth\` first, or pass --app "<command>" so busline synthesizes it.`,
    );
  }
  const manifest = readJson<{ artifacts?: Record<string, ManifestArtifact> }>(manifestPath);
  const artifacts = manifest.artifacts ?? {};
  const assetsByObjectKey = new Map<string, string>();
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type === 'cdk:asset-manifest' && artifact.properties?.file) {
      const assets = readJson<AssetManifest>(join(dir, artifact.properties.file));
      for (const file of Object.values(assets.files ?? {})) {
        if (!file.source.path) continue;
        for (const destination of Object.values(file.destinations)) {
          assetsByObjectKey.set(destination.objectKey, join(dir, file.source.path));
        }
      }
    }
    if (artifact.type === 'aws:cloudformation:stack') {
      const templateFile = join(dir, artifact.properties?.templateFile ?? `${id}.template.json`);
      const [account, region] = parseEnvironment(artifact.environment);
      stacks.push({
        artifactId: id,
        stackName: artifact.properties?.stackName ?? id,
        account,
        region,
        template: readJson<CfnTemplate>(templateFile),
        templateFile,
        dependencies: (artifact.dependencies ?? []).filter((dep) => artifacts[dep]?.type === 'aws:cloudformation:stack'),
      });
    }
    if (artifact.type === 'cdk:cloud-assembly') {
      throw new CloudAssemblyError(
        `the assembly at ${dir} contains a nested assembly (${id}, a CDK Stage); point --assembly at ${join(dir, artifact.properties?.file ?? id)} instead`,
      );
    }
  }
  if (stacks.length === 0) throw new CloudAssemblyError(`the cloud assembly at ${dir} has no stacks`);
  return { directory: dir, stacks: orderByDependencies(stacks), assetsByObjectKey };
}

function parseEnvironment(environment: string | undefined): [string, string] {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment ?? '');
  const account = match?.[1] && !match[1].startsWith('unknown-') ? match[1] : DEFAULT_ACCOUNT;
  const region = match?.[2] && !match[2].startsWith('unknown-') ? match[2] : DEFAULT_REGION;
  return [account, region];
}

function orderByDependencies(stacks: AssemblyStack[]): AssemblyStack[] {
  const byId = new Map(stacks.map((s) => [s.artifactId, s]));
  const ordered: AssemblyStack[] = [];
  const seen = new Set<string>();
  const visit = (stack: AssemblyStack): void => {
    if (seen.has(stack.artifactId)) return;
    seen.add(stack.artifactId);
    for (const dep of stack.dependencies) {
      const d = byId.get(dep);
      if (d) visit(d);
    }
    ordered.push(stack);
  };
  stacks.forEach(visit);
  return ordered;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new CloudAssemblyError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
