/**
 * Compatibility rules between versions of a topic's schema.
 *
 * Modes (per topic):
 *   backward — consumers on the newer schema can read events written with the older one (default);
 *   forward  — consumers still on the older schema can read events written with the newer one;
 *   full     — both; none — no check.
 * A topic states its mode with the keyword `"x-busline-compatibility": "full"` at the top of
 * its newest schema; `busline check --mode` sets the mode for topics that state none.
 */
import { diffSchemas, type ChangeKind, type Direction, type SchemaChange } from './schema-diff.ts';
import type { JsonSchema, TopicSchemas } from './schema-set.ts';

export type CompatibilityMode = 'backward' | 'forward' | 'full' | 'none';

export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = ['backward', 'forward', 'full', 'none'];
export const DEFAULT_COMPATIBILITY_MODE: CompatibilityMode = 'backward';
/** Schema keyword holding a topic's compatibility mode. */
export const COMPATIBILITY_KEYWORD = 'x-busline-compatibility';

export class CompatibilityModeError extends Error {
  override readonly name = 'CompatibilityModeError';
}

export function isCompatibilityMode(v: unknown): v is CompatibilityMode {
  return typeof v === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(v);
}

/** The mode a schema declares with `x-busline-compatibility`, or undefined. `file` names it in errors. */
export function declaredMode(schema: JsonSchema, file: string): CompatibilityMode | undefined {
  const v = schema[COMPATIBILITY_KEYWORD];
  if (v === undefined) return undefined;
  if (!isCompatibilityMode(v)) {
    throw new CompatibilityModeError(`${file}: "${COMPATIBILITY_KEYWORD}" is ${JSON.stringify(v)}; use one of ${COMPATIBILITY_MODES.join(', ')}`);
  }
  return v;
}

/** Directions a mode protects. */
export function directionsOf(mode: CompatibilityMode): readonly Direction[] {
  switch (mode) {
    case 'backward': return ['backward'];
    case 'forward': return ['forward'];
    case 'full': return ['backward', 'forward'];
    case 'none': return [];
  }
}

/** Changes from `older` to `newer` that break `mode`, each with the direction it breaks. */
export function breakingChanges(older: JsonSchema, newer: JsonSchema, mode: CompatibilityMode): BreakingChange[] {
  const protectedDirections = directionsOf(mode);
  const out: BreakingChange[] = [];
  for (const change of diffSchemas(older, newer)) {
    const broken = change.breaks.filter((d) => protectedDirections.includes(d));
    if (broken.length > 0) out.push({ ...change, broken });
  }
  return out;
}

export interface BreakingChange extends SchemaChange {
  /** The directions protected by the mode that this change breaks. */
  readonly broken: readonly Direction[];
}

/**
 * Schema versions a subscriber on the topic's latest version accepts by default: the latest,
 * and every earlier version whose events the latest schema can still read (no change from
 * it to the latest narrows what is valid). Checked pairwise against the latest, not as a chain:
 * v1 may be readable with v3 even if v2 was not.
 */
export function acceptedVersions(topic: TopicSchemas): number[] {
  const latest = topic.latest;
  return topic.versions
    .filter((v) => v.version === latest.version || breakingChanges(v.schema, latest.schema, 'backward').length === 0)
    .map((v) => v.version);
}

/** The sentence naming the rule a change breaks (without the field and the reason). */
const RULES: Readonly<Record<ChangeKind, string>> = {
  'new-optional-field': 'new optional field',
  'new-required-field': 'new required field',
  'field-made-required': 'field made required',
  'field-made-optional': 'field that consumers require made optional',
  'removed-optional-field': 'removed optional field',
  'removed-required-field': 'removed a field that consumers require',
  'field-added-to-closed-object': 'new field on an object that does not allow additional properties',
  'removed-field-now-rejected': 'removed field is now rejected as an additional property',
  'additional-properties-closed': 'additional properties no longer allowed',
  'additional-properties-opened': 'additional properties now allowed',
  'type-narrowed': 'narrowed type',
  'type-widened': 'widened type',
  'type-changed': 'changed type',
  'enum-narrowed': 'narrowed enum',
  'enum-widened': 'widened enum',
  'enum-changed': 'changed enum',
  'range-narrowed': 'narrowed range',
  'range-widened': 'widened range',
  'pattern-added': 'new pattern',
  'pattern-removed': 'removed pattern',
  'pattern-changed': 'changed pattern',
  'format-added': 'new format',
  'format-removed': 'removed format',
  'format-changed': 'changed format',
  'composition-changed': 'changed composition',
};

export function ruleOf(kind: ChangeKind): string {
  return RULES[kind];
}

/**
 * Why a broken direction matters, naming the two schemas: `olderLabel` wrote the events
 * (`v1`, `v2 at origin/main`), `newerLabel` is the schema under check.
 */
export function reasonOf(direction: Direction, olderLabel: string, newerLabel: string): string {
  return direction === 'backward'
    ? `consumers reading with ${newerLabel} reject events written with ${olderLabel}`
    : `consumers still on ${olderLabel} reject events written with ${newerLabel}`;
}
