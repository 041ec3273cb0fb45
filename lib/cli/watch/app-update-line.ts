/**
 * A stack change applied to the running engine, said in words: what was added, changed and
 * removed, and, on a line of its own, what the engine kept as it was and why.
 */
import type { AppResourceChange, LocalAppUpdate } from '../../local/app-update.ts';

export function describeAppUpdate(update: LocalAppUpdate, label: (physicalName: string) => string): { readonly summary: string; readonly kept?: string } {
  const list = (changes: readonly AppResourceChange[]): string => changes.map((c) => `${c.kind} ${label(c.name)}`).join(', ');
  const parts = [
    update.added.length ? `added ${list(update.added)}` : '',
    update.changed.length ? `changed ${list(update.changed)}` : '',
    update.removed.length ? `removed ${list(update.removed)}` : '',
  ].filter((p) => p !== '');
  const summary = parts.length ? parts.join('; ') : 'no resource changed';
  if (update.kept.length === 0) return { summary };
  return { summary, kept: `kept as they were: ${update.kept.map((k) => `${k.kind} ${label(k.name)} (${k.reason})`).join('; ')}` };
}
