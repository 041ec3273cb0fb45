/** Shared set-up of the construct tests: a stack with an EventFlow over the repository's reference schemas. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EventFlow, type EventFlowProps, type Topic } from '../../lib/constructs/index.ts';

/** The repository root: its schemas/ and functions/ serve as a user's project. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

const tempDirs: string[] = [];

/** A temporary folder removed by `cleanup()`. */
export function tempDir(prefix = 'busline-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every folder made by `tempDir()`; register with `after(cleanup)`. */
export function cleanup(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface FlowFixture {
  readonly app: App;
  readonly stack: Stack;
  readonly flow: EventFlow;
  readonly orderPlaced: Topic;
  readonly inventoryReserved: Topic;
  readonly shipmentScheduled: Topic;
}

/** A fresh app and stack with flow 'Orders' and the three reference topics declared. */
export function newFlow(props: EventFlowProps = {}): FlowFixture {
  const app = new App({ outdir: tempDir('busline-cdk-out-'), context: cdkJsonContext() });
  const stack = new Stack(app, 'TestStack');
  const flow = new EventFlow(stack, 'Orders', { rootDir: ROOT, ...props });
  return {
    app,
    stack,
    flow,
    orderPlaced: flow.addTopic('order.placed', { source: 'shop.orders' }),
    inventoryReserved: flow.addTopic('inventory.reserved', { source: 'shop.inventory' }),
    shipmentScheduled: flow.addTopic('shipment.scheduled', { source: 'shop.shipping' }),
  };
}

export function template(f: FlowFixture): Template {
  return Template.fromStack(f.stack);
}

/** A project folder holding the given files (path → content), for declarations that must fail. */
export function projectWith(files: Record<string, string>): string {
  const root = tempDir('busline-project-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** The one resource of a type whose logical id contains `fragment`. */
export function resourceOf(t: Template, type: string, fragment: string): { id: string; props: Record<string, any> } {
  const found = Object.entries(t.findResources(type)).filter(([id]) => id.includes(fragment));
  if (found.length !== 1) throw new Error(`expected one ${type} with '${fragment}' in its id, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  const [id, res] = found[0]!;
  return { id, props: (res as { Properties: Record<string, any> }).Properties };
}

/** Synthesizes `app` (writing to `outdir`) with cdk-nag's AwsSolutions pack and returns its findings. */
export function nagViolations(app: App, outdir: string): unknown[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  const file = join(outdir, 'validation-report.json');
  const report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as { pluginReports: Array<{ violations: unknown[] }> } : { pluginReports: [] };
  return report.pluginReports.flatMap((r) => r.violations);
}

/** Synthesizes `app` (one stack, into `outdir`) and returns cfn-lint's error lines on its template, with its exit status. */
export function cfnLintErrors(app: App, outdir: string): { errors: string[]; status: number | null; error?: Error } {
  app.synth();
  const templates = readdirSync(outdir).filter((x) => x.endsWith('.template.json'));
  if (templates.length !== 1) throw new Error(`expected one template in ${outdir}, found ${templates.join(', ') || 'none'}`);
  const run = spawnSync('cfn-lint', ['--format', 'parseable', '--', join(outdir, templates[0]!)], { encoding: 'utf8' });
  return { errors: run.stdout.trim().split('\n').filter((line) => /:E\d+:/.test(line)), status: run.status, ...(run.error ? { error: run.error } : {}) };
}
