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
  | { readonly ok: true; readonly candidates: readonly FieldValue[] | undefined }
  | { readonly ok: false; readonly mismatch: PatternMismatch };

function checkField(cond: FieldCondition, fields: EventFields, wantReason: boolean): FieldOutcome {
  const values = fields.get(cond.path);
  if (!values || values.length === 0) {
    if (cond.existsFalse) return { ok: true, candidates: undefined };
    return { ok: false, mismatch: wantReason ? missing(cond) : NO_REASON };
  }
  let candidates: FieldValue[] | undefined;
  for (const v of values) {
    if (valueSatisfies(cond, v)) (candidates ??= []).push(v);
  }
  if (!candidates) return { ok: false, mismatch: wantReason ? wrongValue(cond, values) : NO_REASON };
  return { ok: true, candidates };
}

const NO_REASON: PatternMismatch = { path: '', reason: '' };

export function branchMatches(branch: Branch, fields: EventFields): boolean {
  let chosen: Array<readonly FieldValue[]> | undefined;
  let inArrays = 0;
  for (const cond of branch.values()) {
    const r = checkField(cond, fields, false);
    if (!r.ok) return false;
    if (r.candidates) {
      (chosen ??= []).push(r.candidates);
      if (r.candidates.some((c) => c.arrays !== undefined)) inArrays++;
    }
  }
  // Array consistency only matters when two or more fields matched inside arrays.
  if (inArrays < 2 || !chosen) return true;
  return consistentChoice(chosen);
}

/** Is there one candidate per field such that all chosen leaves come from compatible array elements? */
function consistentChoice(lists: Array<readonly FieldValue[]>): boolean {
  const ordered = [...lists].sort((a, b) => a.length - b.length);
  const picked: FieldValue[] = [];
  const search = (i: number): boolean => {
    if (i === ordered.length) return true;
    for (const candidate of ordered[i]!) {
      if (picked.every((p) => compatible(p, candidate))) {
        picked.push(candidate);
        if (search(i + 1)) return true;
        picked.pop();
      }
    }
    return false;
  };
  return search(0);
}

/** The first failing condition of the branch, or undefined when it matches. Also returns how far it got. */
export function explainBranch(branch: Branch, fields: EventFields): { mismatch: PatternMismatch | undefined; satisfied: number } {
  let satisfied = 0;
  const chosen: Array<readonly FieldValue[]> = [];
  const inArrayPaths: string[] = [];
  for (const cond of branch.values()) {
    const r = checkField(cond, fields, true);
    if (!r.ok) return { mismatch: r.mismatch, satisfied };
    satisfied++;
    if (r.candidates) {
      chosen.push(r.candidates);
      if (r.candidates.some((c) => c.arrays !== undefined)) inArrayPaths.push(cond.path);
    }
  }
  if (inArrayPaths.length >= 2 && !consistentChoice(chosen)) {
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
  if (values.length === 1) {
    return { path: cond.path, reason: `${formatLeaf(values[0]!.value)} is not ${describeCondition(cond)}` };
  }
  const shown = values.map((v) => formatLeaf(v.value)).join(', ');
  return { path: cond.path, reason: `none of [${shown}] is ${describeCondition(cond)}` };
}

export function formatMismatch(m: PatternMismatch): string {
  return `${m.path}: ${m.reason}`;
}
