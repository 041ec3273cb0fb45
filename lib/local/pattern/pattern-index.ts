/**
 * Many rules, one event. Each rule branch is filed under the values of one of
 * its fields that only lists plain values or prefixes: of those, the one whose
 * values the fewest branches are filed under so far (then preferably
 * `detail-type`, then `source`), so that rules sharing a detail-type and told
 * apart by a field of their detail are filed apart. An event only meets the
 * branches filed under its own values or their prefixes, plus the few branches
 * that have no such field. The event is flattened once, and only along the
 * paths some rule reads.
 */
import type { Branch, FieldCondition } from './compile.ts';
import { branchMatches } from './evaluate.ts';
import { flattenEvent, type EventFields } from './event-fields.ts';
import { CompiledPattern, type EventPattern } from './event-pattern.ts';
import { ExactLiteral, ExactNumber, ExactString, Prefix, type Leaf } from './matchers.ts';
import { comparableFromNumber } from './numbers.ts';

interface Rule<T> {
  readonly id: string;
  readonly seq: number;
  readonly pattern: EventPattern;
  readonly value: T;
  /** Where this rule's branches were filed, to undo on remove. */
  readonly filed: Array<{ path: string; key: string; ref: BranchRef<T> }>;
  readonly filedByPrefix: Array<{ path: string; prefix: string; ref: BranchRef<T> }>;
  readonly unfiled: Array<BranchRef<T>>;
  /** The match() call that last found this rule matching (saves a Set per event). */
  matchedIn: number;
}

interface BranchRef<T> {
  readonly rule: Rule<T>;
  /** undefined: a foreign EventPattern implementation, matched through its own matches(). */
  readonly branch: Branch | undefined;
  /** The match() call that last tested this branch: a branch filed under several values is tested once. */
  testedIn: number;
}

const PREFERRED_KEYS = ['detail-type', 'source'];

/** Matched rules in the order they were added, and their values (match() sorts and maps with these). */
const bySeq = (a: { readonly seq: number }, b: { readonly seq: number }): number => a.seq - b.seq;
const valueOf = <T>(rule: Rule<T>): T => rule.value;

/** Index key of an event leaf; equal keys ⇔ an exact pattern value would match. */

function leafKey(v: Leaf): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number') {
    const micros = comparableFromNumber(v);
    return micros !== undefined ? `n${micros}` : `x${v}`;
  }
  return `l${String(v)}`;
}

interface FilingKeys {
  readonly path: string;
  /** Exact-value keys (leafKey form). */
  readonly keys: string[];
  /** Case-sensitive string prefixes. */
  readonly prefixes: string[];
}

/** How a condition can be filed: only when every alternative is a plain value or a prefix. */
function filingKeys(cond: FieldCondition): FilingKeys | undefined {
  if (cond.existsTrue || cond.existsFalse || cond.matchers.length === 0) return undefined;
  const keys: string[] = [];
  const prefixes: string[] = [];
  for (const m of cond.matchers) {
    if (m instanceof ExactString) keys.push(`s${m.expected}`);
    else if (m instanceof ExactLiteral) keys.push(`l${String(m.expected)}`);
    else if (m instanceof ExactNumber) keys.push(leafKey(m.value));
    else if (m instanceof Prefix && !m.ignoreCase) prefixes.push(m.prefix);
    else return undefined; // ranges, anything-but, IP literals...: cannot be looked up by value
  }
  return { path: cond.path, keys, prefixes };
}

/**
 * Prefer the field whose values the fewest branches are filed under already (`crowding`: an
 * event carrying one of them meets them all), then a well-known equality field, then any
 * equality field, then fields with prefixes.
 */
function chooseKeyField(branch: Branch, crowding: (f: FilingKeys) => number): FilingKeys | undefined {
  let best: FilingKeys | undefined;
  let bestRank = Infinity;
  for (const cond of branch.values()) {
    const f = filingKeys(cond);
    if (!f) continue;
    const preferred = PREFERRED_KEYS.indexOf(cond.path);
    const rank = crowding(f) * 1000 + (f.prefixes.length > 0 ? 100 : 0) + (preferred >= 0 ? preferred : 10) + (f.keys.length + f.prefixes.length) / 1000;
    if (rank < bestRank) {
      best = f;
      bestRank = rank;
    }
  }
  return best;
}

/** Branches filed under string prefixes of one field, looked up by the event value's prefixes of each filed length. */
class PrefixShelf<T> {
  readonly byPrefix = new Map<string, Set<BranchRef<T>>>();
  private readonly lengths = new Map<number, number>(); // prefix length → how many prefixes have it

  add(prefix: string, ref: BranchRef<T>): void {
    let refs = this.byPrefix.get(prefix);
    if (!refs) {
      this.byPrefix.set(prefix, (refs = new Set()));
      this.lengths.set(prefix.length, (this.lengths.get(prefix.length) ?? 0) + 1);
    }
    refs.add(ref);
  }

  delete(prefix: string, ref: BranchRef<T>): void {
    const refs = this.byPrefix.get(prefix);
    if (!refs) return;
    refs.delete(ref);
    if (refs.size > 0) return;
    this.byPrefix.delete(prefix);
    const n = (this.lengths.get(prefix.length) ?? 1) - 1;
    if (n === 0) this.lengths.delete(prefix.length);
    else this.lengths.set(prefix.length, n);
  }

  get empty(): boolean {
    return this.byPrefix.size === 0;
  }

  lookup(value: string, visit: (ref: BranchRef<T>) => void): void {
    for (const length of this.lengths.keys()) {
      if (length > value.length) continue;
      const refs = this.byPrefix.get(value.slice(0, length));
      if (refs) for (const ref of refs) visit(ref);
    }
  }
}

export class PatternIndex<T> {
  private readonly rules = new Map<string, Rule<T>>();
  private readonly byField = new Map<string, Map<string, Set<BranchRef<T>>>>();
  private readonly byFieldPrefix = new Map<string, PrefixShelf<T>>();
  private readonly unfiled = new Set<BranchRef<T>>();
  private needed: Set<string> | undefined = new Set();
  private seq = 0;
  private matchCalls = 0;
  private tested = 0;

  get size(): number {
    return this.rules.size;
  }

  /** How many rule branches the last match() tested: what its cost follows (for tests and benchmarks). */
  get testedInLastMatch(): number {
    return this.tested;
  }

  /** Add a rule; adding an id again replaces the earlier rule. */
  add(id: string, pattern: EventPattern, value: T): void {
    if (this.rules.has(id)) this.remove(id);
    const rule: Rule<T> = { id, seq: this.seq++, pattern, value, filed: [], filedByPrefix: [], unfiled: [], matchedIn: 0 };
    this.rules.set(id, rule);
    const branches = pattern instanceof CompiledPattern ? pattern.branches : [undefined];
    for (const branch of branches) {
      const ref: BranchRef<T> = { rule, branch, testedIn: 0 };
      const key = branch && chooseKeyField(branch, (f) => this.crowding(f));
      if (!key) {
        this.unfiled.add(ref);
        rule.unfiled.push(ref);
        continue;
      }
      if (key.keys.length > 0) {
        let byKey = this.byField.get(key.path);
        if (!byKey) this.byField.set(key.path, (byKey = new Map()));
        for (const k of new Set(key.keys)) {
          let refs = byKey.get(k);
          if (!refs) byKey.set(k, (refs = new Set()));
          refs.add(ref);
          rule.filed.push({ path: key.path, key: k, ref });
        }
      }
      if (key.prefixes.length > 0) {
        let shelf = this.byFieldPrefix.get(key.path);
        if (!shelf) this.byFieldPrefix.set(key.path, (shelf = new PrefixShelf()));
        for (const prefix of new Set(key.prefixes)) {
          shelf.add(prefix, ref);
          rule.filedByPrefix.push({ path: key.path, prefix, ref });
        }
      }
    }
    this.needed = undefined;
  }

  /** How many branches are filed under the values (and prefixes) of `f` already. */
  private crowding(f: FilingKeys): number {
    let n = 0;
    const byKey = this.byField.get(f.path);
    if (byKey) for (const k of f.keys) n += byKey.get(k)?.size ?? 0;
    const shelf = this.byFieldPrefix.get(f.path);
    if (shelf) for (const prefix of f.prefixes) n += shelf.byPrefix.get(prefix)?.size ?? 0;
    return n;
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
    for (const { path, prefix, ref } of rule.filedByPrefix) {
      const shelf = this.byFieldPrefix.get(path);
      shelf?.delete(prefix, ref);
      if (shelf?.empty) this.byFieldPrefix.delete(path);
    }
    for (const ref of rule.unfiled) this.unfiled.delete(ref);
    this.needed = undefined;
  }

  /** Values of every rule that matches, in the order the rules were added. */
  match(event: unknown): T[] {
    this.tested = 0;
    if (this.rules.size === 0) return [];
    const fields = flattenEvent(event, this.neededPaths());
    const call = ++this.matchCalls;
    const matched: Array<Rule<T>> = [];
    // No closure per call: this runs for every routed event.
    for (const [path, byKey] of this.byField) {
      const values = fields.get(path);
      if (!values) continue;
      for (const v of values) {
        const refs = byKey.get(leafKey(v.value));
        if (refs) for (const ref of refs) this.test(ref, call, fields, event, matched);
      }
    }
    if (this.byFieldPrefix.size > 0) {
      const visit = (ref: BranchRef<T>): void => this.test(ref, call, fields, event, matched);
      for (const [path, shelf] of this.byFieldPrefix) {
        const values = fields.get(path);
        if (!values) continue;
        for (const v of values) if (typeof v.value === 'string') shelf.lookup(v.value, visit);
      }
    }
    for (const ref of this.unfiled) this.test(ref, call, fields, event, matched);
    if (matched.length === 1) return [matched[0]!.value];
    if (matched.length > 1) matched.sort(bySeq);
    return matched.map(valueOf);
  }

  /** Tests one branch in match() call `call`, once per call, and records its rule if it matches. */
  private test(ref: BranchRef<T>, call: number, fields: EventFields, event: unknown, matched: Array<Rule<T>>): void {
    if (ref.rule.matchedIn === call || ref.testedIn === call) return;
    ref.testedIn = call;
    this.tested++;
    const ok = ref.branch ? branchMatches(ref.branch, fields) : ref.rule.pattern.matches(event);
    if (ok) {
      ref.rule.matchedIn = call;
      matched.push(ref.rule);
    }
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

