import { readFileSync } from 'node:fs';
import { cpus, totalmem, loadavg, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonPackageVersion } from './python-version.ts';

/** The machine a run was made on, for the head of RESULTS.md. */
export function describeMachine(): string[] {
  const cpu = cpus();
  return [
    `CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores`,
    `Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `OS: ${platform()} ${release()}`,
    `Node: ${process.version}`,
    `Load average at start (1/5/15 min): ${loadavg().map((x) => x.toFixed(2)).join(' / ')}`,
    `Date: ${new Date().toISOString()}`,
  ];
}

/** Packages measured against (peers) and the tools that shape the figures. */
export const PEER_PACKAGES = [
  '@middy/core',
  '@middy/validator',
  '@middy/sqs-partial-batch-failure',
  '@middy/event-normalizer',
  '@aws-lambda-powertools/batch',
  '@aws-lambda-powertools/idempotency',
  '@aws-lambda-powertools/validation',
  '@aws-lambda-powertools/parser',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/tracer',
  'zod',
  'ajv',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-sqs',
  'dynalite',
  'esbuild',
  'aws-cdk-lib',
  'aws-cdk',
] as const;

/** The repository root (bench/lib/ is two levels below it). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The installed version, from the package's manifest in the project's node_modules. */
export function installedVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** The peers' versions from node_modules, and moto's from the Python that runs moto_server. */
export function peerVersions(): string[] {
  return [...PEER_PACKAGES.map((name) => `${name} ${installedVersion(name)}`), `${pythonPackageVersion('moto_server', 'moto')} (moto_server)`];
}
