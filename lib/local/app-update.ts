/**
 * What changes between two models of an app (the assembly an engine runs and a newly
 * synthesized one), said the way a developer reads it: what was added, changed and removed, and
 * what the running engine keeps as it was, with why. lib/local/app.ts applies the difference.
 */
import { basename } from 'node:path';
import type { LocalAppModel, LocalFunction } from './assembly/app-model.ts';

export type AppResourceKind = 'bus' | 'archive' | 'rule' | 'queue' | 'function' | 'event source mapping' | 'table' | 'async invoke config' | 'kms key' | 'kms alias';

export interface AppResourceChange {
  readonly kind: AppResourceKind;
  /** Physical name (a mapping: the function it feeds). */
  readonly name: string;
}

export interface KeptResource extends AppResourceChange {
  /** Why the engine kept it as it was, and what would change it. */
  readonly reason: string;
}

/** The difference a changed assembly made to a running app. */
export interface LocalAppUpdate {
  readonly added: readonly AppResourceChange[];
  readonly changed: readonly AppResourceChange[];
  readonly removed: readonly AppResourceChange[];
  /** What could not be applied in place: the engine runs it as it was. */
  readonly kept: readonly KeptResource[];
}

interface KindSpec<T> {
  readonly kind: AppResourceKind;
  readonly list: (m: LocalAppModel) => readonly T[];
  /** What identifies it across the two models. */
  readonly key: (x: T) => string;
  readonly name: (x: T) => string;
  /** The part of a resource whose change matters. @default - all of it */
  readonly shape?: (x: T) => unknown;
  /** Kept, rather than removed, when the assembly drops it (its state stays). */
  readonly keptWhenRemoved?: string;
  /** Kept, rather than changed, when it changes. */
  readonly keptWhenChanged?: string;
}

const spec = <T>(s: KindSpec<T>): KindSpec<unknown> => s as unknown as KindSpec<unknown>;
const RESTART_FOR_ASYNC = 'asynchronous invoke settings change on a restart';

const KINDS: readonly KindSpec<unknown>[] = [
  spec({ kind: 'bus', list: (m) => m.buses.filter((b) => b.name !== 'default'), key: (b) => b.name, name: (b) => b.name, shape: (b) => b.name }),
  spec({ kind: 'archive', list: (m) => m.archives, key: (a) => a.name, name: (a) => a.name,
    keptWhenRemoved: 'no longer in the stack; kept with its events', keptWhenChanged: 'an archive changes on a restart' }),
  spec({ kind: 'rule', list: (m) => m.rules, key: (r) => `${r.busName}/${r.name}`, name: (r) => r.name }),
  spec({ kind: 'queue', list: (m) => m.queues, key: (q) => q.name, name: (q) => q.name,
    keptWhenRemoved: 'no longer in the stack; kept with its messages (the local engine deletes no queue)' }),
  spec({ kind: 'function', list: (m) => m.functions, key: (f) => f.name, name: (f) => f.name, shape: functionShape }),
  spec({ kind: 'event source mapping', list: (m) => m.mappings, key: (e) => `${e.stackName}/${e.logicalId}`, name: (e) => e.functionName }),
  spec({ kind: 'table', list: (m) => m.tables, key: (t) => t.name, name: (t) => t.name, shape: (t) => t.createTableInput,
    keptWhenRemoved: 'no longer in the stack; kept with its items (the local engine deletes no table)',
    keptWhenChanged: 'the local engine does not alter a table: delete it (DeleteTable) and restart `busline dev` to create it anew' }),
  spec({ kind: 'kms key', list: (m) => m.keys, key: (k) => k.keyId, name: (k) => `${k.logicalId} (${k.keyId})`,
    keptWhenRemoved: 'no longer in the stack; kept with its secret (what it encrypted still decrypts)' }),
  spec({ kind: 'kms alias', list: (m) => m.aliases, key: (a) => a.name, name: (a) => a.name,
    keptWhenRemoved: 'no longer in the stack; the engine keeps it until DeleteAlias' }),
  spec({ kind: 'async invoke config', list: (m) => m.invokeConfigs, key: (c) => c.functionName, name: (c) => c.functionName,
    keptWhenRemoved: RESTART_FOR_ASYNC, keptWhenChanged: RESTART_FOR_ASYNC }),
];

/** A function's definition with its code folder named by the asset (its content hash), not by where the assembly is. */
export function functionShape(fn: LocalFunction): unknown {
  return { ...fn, codeDir: fn.codeDir === undefined ? undefined : basename(fn.codeDir) };
}

export function diffAppModels(before: LocalAppModel, after: LocalAppModel): LocalAppUpdate {
  const added: AppResourceChange[] = [];
  const changed: AppResourceChange[] = [];
  const removed: AppResourceChange[] = [];
  const kept: KeptResource[] = [];
  for (const k of KINDS) {
    const { key, name } = k;
    const shape = k.shape ?? ((x: unknown) => x);
    const old = new Map(k.list(before).map((x) => [key(x), x]));
    const next = new Map(k.list(after).map((x) => [key(x), x]));
    for (const [id, x] of next) {
      const was = old.get(id);
      if (was === undefined) added.push({ kind: k.kind, name: name(x) });
      else if (JSON.stringify(shape(was)) !== JSON.stringify(shape(x))) {
        if (k.keptWhenChanged) kept.push({ kind: k.kind, name: name(x), reason: k.keptWhenChanged });
        else changed.push({ kind: k.kind, name: name(x) });
      }
    }
    for (const [id, x] of old) {
      if (next.has(id)) continue;
      if (k.keptWhenRemoved) kept.push({ kind: k.kind, name: name(x), reason: k.keptWhenRemoved });
      else removed.push({ kind: k.kind, name: name(x) });
    }
  }
  return { added, changed, removed, kept };
}
