/**
 * Many rules, one event. Each rule branch is filed under the value of one of
 * its plain-equality fields (preferably `detail-type`, then `source`), so an
 * event only meets the branches filed under its own values, plus the few
 * branches that have no equality field at all. The event is flattened once,
 * and only along the paths some rule reads.
 */
import type { Branch, FieldCondition } from './compile.ts';
import { branchMatches } from './evaluate.ts';
import { flattenEvent } from './event-fields.ts';
import { CompiledPattern, type EventPattern } from './event-pattern.ts';
import { ExactLiteral, ExactNumber, ExactString, type Leaf } from './matchers.ts';
import { comparableFromNumber } from './numbers.ts';

interface Rule<T> {
  readonly id: string;
  readonly seq: number;
  readonly pattern: EventPattern;
  readonly value: T;
  /** Where this rule's branches were filed, to undo on remove. */
  readonly filed: Array<{ path: string; key: string; ref: BranchRef<T> }>;
  readonly unfiled: Array<BranchRef<T>>;
}

interface BranchRef<T> {
  readonly rule: Rule<T>;
  /** undefined: a foreign EventPattern implementation, matched through its own matches(). */
  readonly branch: Branch | undefined;
}

const PREFERRED_KEYS = ['detail-type', 'source'];

/** Index key of an event leaf; equal keys ⇔ an exact pattern value would match. */
function leafKey(v: Leaf): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number') {
    const micros = comparableFromNumber(v);
    return micros !== undefined ? `n${micros}` : `x${v}`;
  }
  return `l${String(v)}`;
}

/** Index keys of a condition made only of plain equality values, else undefined. */
function equalityKeys(cond: FieldCondition): string[] | undefined {
  if (cond.existsTrue || cond.existsFalse || cond.matchers.length === 0) return undefined;
  const keys: string[] = [];
  for (const m of cond.matchers) {
    if (m instanceof ExactString) keys.push(`s${m.expected}`);
    else if (m instanceof ExactLiteral) keys.push(`l${String(m.expected)}`);
    else if (m instanceof ExactNumber) keys.push(leafKey(m.value));
    else return undefined; // prefixes, ranges, IP literals...: not filed by value
  }
  return keys;
}

function chooseKeyField(branch: Branch): { path: string; keys: string[] } | undefined {
  for (const path of PREFERRED_KEYS) {
    const cond = branch.get(path);
    const keys = cond && equalityKeys(cond);
    if (keys) return { path, keys };
  }
  let best: { path: string; keys: string[] } | undefined;
  for (const cond of branch.values()) {
    const keys = equalityKeys(cond);
    if (keys && (!best || keys.length < best.keys.length)) best = { path: cond.path, keys };
  }
  return best;
}

export class PatternIndex<T> {
  private readonly rules = new Map<string, Rule<T>>();
  private readonly byField = new Map<string, Map<string, Set<BranchRef<T>>>>();
  private readonly unfiled = new Set<BranchRef<T>>();
  private needed: Set<string> | undefined = new Set();
  private seq = 0;

  get size(): number {
    return this.rules.size;
  }

  /** Add a rule; adding an id again replaces the earlier rule. */
  add(id: string, pattern: EventPattern, value: T): void {
    if (this.rules.has(id)) this.remove(id);
    const rule: Rule<T> = { id, seq: this.seq++, pattern, value, filed: [], unfiled: [] };
    this.rules.set(id, rule);
    const branches = pattern instanceof CompiledPattern ? pattern.branches : [undefined];
    for (const branch of branches) {
      const ref: BranchRef<T> = { rule, branch };
      const key = branch && chooseKeyField(branch);
      if (!key) {
        this.unfiled.add(ref);
        rule.unfiled.push(ref);
        continue;
      }
      let byKey = this.byField.get(key.path);
      if (!byKey) this.byField.set(key.path, (byKey = new Map()));
      for (const k of new Set(key.keys)) {
        let refs = byKey.get(k);
        if (!refs) byKey.set(k, (refs = new Set()));
        refs.add(ref);
        rule.filed.push({ path: key.path, key: k, ref });
      }
    }
    this.needed = undefined;
  }

  remove(id: string): void {
    const rule = this.rules.get(id);
    if (!rule) return;
    this.rules.delete(id);
    for (const { path, key, ref } of rule.filed) {
      const byKey = this.byField.get(path);
      const refs = byKey?.get(key);
      refs?.delete(ref);
      if (refs && refs.size === 0) byKey!.delete(key);
      if (byKey && byKey.size === 0) this.byField.delete(path);
    }
    for (const ref of rule.unfiled) this.unfiled.delete(ref);
    this.needed = undefined;
  }

  /** Values of every rule that matches, in the order the rules were added. */
  match(event: unknown): T[] {
    if (this.rules.size === 0) return [];
    const fields = flattenEvent(event, this.neededPaths());
    const matched = new Set<Rule<T>>();
    const test = (ref: BranchRef<T>): void => {
      if (matched.has(ref.rule)) return;
      const ok = ref.branch ? branchMatches(ref.branch, fields) : ref.rule.pattern.matches(event);
      if (ok) matched.add(ref.rule);
    };
    for (const [path, byKey] of this.byField) {
      const values = fields.get(path);
      if (!values) continue;
      for (const v of values) {
        const refs = byKey.get(leafKey(v.value));
        if (refs) for (const ref of refs) test(ref);
      }
    }
    for (const ref of this.unfiled) test(ref);
    if (matched.size === 0) return [];
    return [...matched].sort((a, b) => a.seq - b.seq).map((r) => r.value);
  }

  private neededPaths(): ReadonlySet<string> | undefined {
    if (this.needed) return this.needed;
    const needed = new Set<string>();
    for (const rule of this.rules.values()) {
      if (!(rule.pattern instanceof CompiledPattern)) return undefined; // a foreign pattern may read anything
      for (const p of rule.pattern.neededPaths) needed.add(p);
    }
    this.needed = needed;
    return needed;
  }
}

