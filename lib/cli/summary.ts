/**
 * Prints what a synthesized cloud assembly declares: each flow's topics and
 * subscriptions, read from the flow manifest in the bus's template metadata.
 * Usage: tsx lib/cli/summary.ts [cdk.out]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLOW_MANIFEST_METADATA_KEY, type FlowManifest } from '../schema/flow-manifest.ts';

interface Template {
  readonly Resources?: Record<string, { readonly Type: string; readonly Metadata?: Record<string, unknown> }>;
}

/** Every flow manifest in the assembly's templates, with the stack it lives in. */
export function readFlowManifests(assemblyDir: string): Array<{ stack: string; manifest: FlowManifest }> {
  const out: Array<{ stack: string; manifest: FlowManifest }> = [];
  for (const file of readdirSync(assemblyDir).filter((f) => f.endsWith('.template.json')).sort()) {
    const template = JSON.parse(readFileSync(join(assemblyDir, file), 'utf8')) as Template;
    for (const resource of Object.values(template.Resources ?? {})) {
      const manifest = resource.Metadata?.[FLOW_MANIFEST_METADATA_KEY];
      if (resource.Type === 'AWS::Events::EventBus' && manifest) {
        out.push({ stack: file.replace(/\.template\.json$/, ''), manifest: manifest as FlowManifest });
      }
    }
  }
  return out;
}

/** A short human summary of one flow. */
export function formatFlow(stack: string, m: FlowManifest): string {
  const lines = [`flow ${m.flow} (stack ${stack})`, '  topics:'];
  for (const t of m.topics) lines.push(`    ${t.name}  source ${t.source}, schema v${t.versions.join(', v')}`);
  lines.push('  subscriptions:');
  const width = Math.max(0, ...m.subscriptions.map((s) => s.name.length));
  for (const s of m.subscriptions) {
    const publishes = s.publishes.length > 0 ? ` → publishes ${s.publishes.join(', ')}` : '';
    const filter = s.filter ? ` (filter ${JSON.stringify(s.filter)})` : '';
    lines.push(`    ${s.name.padEnd(width)}  on ${s.topics.join(', ')}${filter}, ${s.delivery} delivery, ${s.retry.maxAttempts} attempts${publishes}`);
  }
  for (const p of m.publishers) lines.push(`  publisher ${p.name} → ${p.topics.join(', ')}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'cdk.out';
  const flows = readFlowManifests(dir);
  if (flows.length === 0) {
    process.stderr.write(`no Busline flow found in ${dir}: run \`npm run synth\` first\n`);
    process.exit(1);
  }
  process.stdout.write(flows.map((f) => formatFlow(f.stack, f.manifest)).join('\n\n') + '\n');
}
