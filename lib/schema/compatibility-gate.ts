/**
 * The compatibility gate behind `busline check`: each schema under check is compared with
 * its topic's previous version and, when a base git ref is given, with the same file at that
 * ref. Every change that breaks the topic's mode becomes a violation whose message names the
 * field, the rule broken, why it matters, and the subscriptions and publishers affected.
 */
import { breakingChanges, declaredMode, reasonOf, ruleOf, type BreakingChange, type CompatibilityMode } from './compatibility.ts';
import { partiesOf } from './flow-assembly.ts';
import type { FlowManifest } from './flow-manifest.ts';
import type { JsonSchema, SchemaVersion, TopicSchemas } from './schema-set.ts';

export interface GateInput {
  readonly topics: ReadonlyMap<string, TopicSchemas>;
  /** Mode for topics whose newest schema declares none. */
  readonly defaultMode: CompatibilityMode;
  /** Flow declarations naming who publishes and consumes each topic; empty when none was read. */
  readonly flows: readonly FlowManifest[];
  /** When set, only these schema files are checked (paths as in SchemaVersion.file); else every version. */
  readonly changedFiles?: ReadonlySet<string>;
  /** The base side: ref name and each changed file's content there (undefined when the file is new). */
  readonly base?: { readonly ref: string; readonly schemaAt: (file: string) => JsonSchema | undefined };
}

export interface GateComparison {
  readonly topic: string;
  readonly version: number;
  readonly file: string;
  /** `v1` (previous version) or `v2 at main` (same file at the base ref). */
  readonly against: string;
  readonly mode: CompatibilityMode;
}

export interface GateViolation extends GateComparison {
  readonly change: BreakingChange;
  readonly message: string;
}

export interface GateResult {
  readonly comparisons: readonly GateComparison[];
  readonly violations: readonly GateViolation[];
}

export function runCompatibilityGate(input: GateInput): GateResult {
  const comparisons: GateComparison[] = [];
  const violations: GateViolation[] = [];
  for (const topic of input.topics.values()) {
    const mode = declaredMode(topic.latest.schema, topic.latest.file) ?? input.defaultMode;
    topic.versions.forEach((current, i) => {
      if (input.changedFiles !== undefined && !input.changedFiles.has(current.file)) return;
      const previous = topic.versions[i - 1];
      if (previous !== undefined) {
        compare(previous.schema, `v${previous.version}`, current, mode, input.flows, comparisons, violations);
      }
      const atBase = input.base?.schemaAt(current.file);
      if (input.base !== undefined && atBase !== undefined) {
        compare(atBase, `v${current.version} at ${input.base.ref}`, current, mode, input.flows, comparisons, violations);
      }
    });
  }
  return { comparisons, violations };
}

function compare(
  older: JsonSchema,
  olderLabel: string,
  current: SchemaVersion,
  mode: CompatibilityMode,
  flows: readonly FlowManifest[],
  comparisons: GateComparison[],
  violations: GateViolation[],
): void {
  const comparison: GateComparison = { topic: current.topic, version: current.version, file: current.file, against: olderLabel, mode };
  comparisons.push(comparison);
  for (const change of breakingChanges(older, current.schema, mode)) {
    violations.push({ ...comparison, change, message: violationMessage(comparison, change, flows) });
  }
}

/**
 * e.g. `user.signed-up v2 against v1 (backward): field "referrer": new required field (added, required)
 * breaks backward compatibility: consumers reading with v2 reject events written with v1.
 * Affected subscriptions: send-welcome; publishers: sign-up.`
 */
export function violationMessage(c: GateComparison, change: BreakingChange, flows: readonly FlowManifest[]): string {
  const newerLabel = `v${c.version}`;
  const reasons = change.broken.map((d) => reasonOf(d, c.against, newerLabel)).join('; ');
  const head = `${c.topic} ${newerLabel} against ${c.against} (${c.mode}): field "${change.field}": ${ruleOf(change.kind)} (${change.detail})`;
  return `${head} breaks ${change.broken.join(' and ')} compatibility: ${reasons}. ${affectedOf(c.topic, change.field, flows)}`;
}

function affectedOf(topic: string, field: string, flows: readonly FlowManifest[]): string {
  if (flows.length === 0) return 'Affected: unknown (no flow declaration read: pass --assembly <cdk.out>).';
  const parties = partiesOf(topic, flows);
  const qualify = flows.length > 1;
  const name = (p: { flow: string; name: string }) => (qualify ? `${p.flow}/${p.name}` : p.name);
  // A subscription whose content filter reads the field may silently stop (or start) matching.
  const subs = parties.subscribers.map((s) => {
    const read = s.filter ? filterPaths(s.filter).filter((p) => overlaps(p, field)) : [];
    return read.length > 0 ? `${name(s)} (its filter reads ${read.join(', ')})` : name(s);
  });
  const pubs = parties.publishers.map(name);
  return `Affected subscriptions: ${subs.length > 0 ? subs.join(', ') : '(none)'}; publishers: ${pubs.length > 0 ? pubs.join(', ') : '(none)'}.`;
}

/** Dotted paths of the `data` fields a content filter tests (`{ profile: { plan: [...] } }` → `profile.plan`). */
export function filterPaths(filter: Readonly<Record<string, unknown>>, prefix = ''): string[] {
  return Object.entries(filter).flatMap(([key, value]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? filterPaths(value as Record<string, unknown>, path) : [path];
  });
}

/** A filter path and a schema field overlap when one is the other or contains it (array items read as their array). */
function overlaps(filterPath: string, field: string): boolean {
  const f = field.replace(/\[\]/g, '');
  return f === filterPath || f.startsWith(`${filterPath}.`) || filterPath.startsWith(`${f}.`);
}
