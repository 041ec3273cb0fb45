/**
 * Matching one branch of a compiled pattern against a flattened event, and
 * explaining the first condition that fails.
 */
import type { Branch, FieldCondition } from './compile.ts';
import { compatible, type EventFields, type FieldValue } from './event-fields.ts';
import { formatLeaf } from './matchers.ts';

export interface PatternMismatch {
  readonly path: string;
  readonly reason: string;
}

function valueSatisfies(cond: FieldCondition, v: FieldValue): boolean {
  if (cond.existsTrue) return true;
  const ms = cond.matchers;
  for (let i = 0; i < ms.length; i++) if (ms[i]!.test(v.value)) return true;
  return false;
}

type FieldOutcome =
  | { readonly ok: true; readonly values: readonly FieldValue[] | undefined; readonly candidates: readonly FieldValue[] | undefined }
  | { readonly ok: false; readonly mismatch: PatternMismatch };

/**
 * One field on its own: its candidate leaves, or why it cannot match whatever
 * the other fields do. `exists:false` on a field present only inside arrays is
 * left to the array-consistency search (the leaf may sit in another element).
 */
function checkField(cond: FieldCondition, fields: EventFields, wantReason: boolean): FieldOutcome {
  const values = fields.get(cond.path);
  if (!values || values.length === 0) {
    if (cond.existsFalse) return { ok: true, values: undefined, candidates: undefined };
    return { ok: false, mismatch: wantReason ? missing(cond) : NO_REASON };
  }
  let candidates: FieldValue[] | undefined;
  for (const v of values) {
    if (valueSatisfies(cond, v)) (candidates ??= []).push(v);
  }
  if (!candidates && !(cond.existsFalse && values.every((v) => v.arrays !== undefined))) {
    return { ok: false, mismatch: wantReason ? wrongValue(cond, values) : NO_REASON };
  }
  return { ok: true, values, candidates };
}

const NO_REASON: PatternMismatch = { path: '', reason: '' };

interface FieldState {
  readonly cond: FieldCondition;
  readonly values: readonly FieldValue[] | undefined;
  readonly candidates: readonly FieldValue[] | undefined;
}

const byPathCache = new WeakMap<Branch, FieldCondition[]>();

/** AWS walks a rule's fields in lexical order of their paths; array consistency depends on that order. */
function conditionsByPath(branch: Branch): FieldCondition[] {
  let sorted = byPathCache.get(branch);
  if (!sorted) {
    sorted = [...branch.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    byPathCache.set(branch, sorted);
  }
  return sorted;
}

export function branchMatches(branch: Branch, fields: EventFields): boolean {
  const states: FieldState[] = [];
  let inArrays = false;
  for (const cond of conditionsByPath(branch)) {
    const r = checkField(cond, fields, false);
    if (!r.ok) return false;
    states.push({ cond, values: r.values, candidates: r.candidates });
    if (!inArrays && r.values) inArrays = r.values.some((v) => v.arrays !== undefined);
  }
  // Outside arrays every field was settled on its own.
  return !inArrays || consistentChoice(states);
}

/**
 * AWS matches the fields of a rule together: no two chosen leaves may come
 * from different elements of the same array. Fields are taken in path order;
 * `exists:false` holds when no leaf of the field is compatible with the leaves
 * chosen so far (a leaf in another array element does not count as present).
 */
function consistentChoice(states: readonly FieldState[]): boolean {
  const chosen: FieldValue[] = [];
  const fits = (v: FieldValue): boolean => chosen.every((c) => compatible(c, v));
  const search = (i: number): boolean => {
    if (i === states.length) return true;
    const { cond, values, candidates } = states[i]!;
    if (candidates) {
      for (const c of candidates) {
        if (!fits(c)) continue;
        chosen.push(c);
        if (search(i + 1)) return true;
        chosen.pop();
      }
    }
    if (cond.existsFalse && !(values ?? []).some(fits)) return search(i + 1);
    return false;
  };
  return search(0);
}

/** The first failing condition of the branch, or undefined when it matches. Also returns how far it got. */
export function explainBranch(branch: Branch, fields: EventFields): { mismatch: PatternMismatch | undefined; satisfied: number } {
  let satisfied = 0;
  const inArrayPaths: string[] = [];
  for (const cond of branch.values()) {
    const r = checkField(cond, fields, true);
    if (!r.ok) return { mismatch: r.mismatch, satisfied };
    satisfied++;
    if (r.values?.some((v) => v.arrays !== undefined)) inArrayPaths.push(cond.path);
  }
  if (inArrayPaths.length > 0 && !branchMatches(branch, fields)) {
    return {
      mismatch: {
        path: inArrayPaths.join(', '),
        reason: 'each field matches, but only in different elements of the same array (AWS matches fields of one array element together)',
      },
      satisfied,
    };
  }
  return { mismatch: undefined, satisfied };
}

function describeCondition(cond: FieldCondition): string {
  const parts = cond.matchers.map((m) => m.description);
  if (cond.existsFalse) parts.push('absent');
  if (parts.length <= 1) return parts[0] ?? 'present';
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

function missing(cond: FieldCondition): PatternMismatch {
  return { path: cond.path, reason: `is missing, but the pattern requires ${describeCondition(cond)}` };
}

function wrongValue(cond: FieldCondition, values: readonly FieldValue[]): PatternMismatch {
  const onlyAbsent = cond.matchers.length === 0 && cond.existsFalse;
  if (onlyAbsent) {
    const shown = values.length === 1 ? formatLeaf(values[0]!.value) : `[${values.map((v) => formatLeaf(v.value)).join(', ')}]`;
    return { path: cond.path, reason: `is present (${shown}), but the pattern requires it to be absent` };
  }
  const only = cond.matchers.length === 1 && !cond.existsFalse ? cond.matchers[0] : undefined;
  if (values.length === 1) {
    const shown = formatLeaf(values[0]!.value);
    if (only?.excludes) return { path: cond.path, reason: `${shown} is excluded by ${only.description}` };
    return { path: cond.path, reason: `${shown} is not ${describeCondition(cond)}` };
  }
  const shown = values.map((v) => formatLeaf(v.value)).join(', ');
  return { path: cond.path, reason: `none of [${shown}] is ${describeCondition(cond)}` };
}

export function formatMismatch(m: PatternMismatch): string {
  return `${m.path}: ${m.reason}`;
}
