/**
 * The text a timed-out wait shows: the lineage recorded so far, one line per subscription's
 * handling, and what was still pending (messages on the subscriptions' queues, invocations
 * running).
 */
import type { JournalRecord, LocalApp } from '../local/index.ts';
import type { EventLineage } from './lineage.ts';

/** An indented tree of events and their handlings, e.g. `greeting.sent id=… \n  greet: succeeded after 1 attempt`. */
export function describeLineage(trees: readonly EventLineage[], indent = ''): string[] {
  const lines: string[] = [];
  for (const tree of trees) {
    lines.push(`${indent}${tree.topic || '(no detail-type)'} id=${tree.id}`);
    if (tree.handledBy.length === 0) lines.push(`${indent}  (no subscription matched)`);
    for (const h of tree.handledBy) {
      const attempts = `${h.attempts} attempt${h.attempts === 1 ? '' : 's'}`;
      const why = h.deadLetter ? `: ${h.deadLetter.reason}` : h.lastError ? `; last error: ${h.lastError}` : '';
      lines.push(`${indent}  ${h.subscription}: ${h.outcome} after ${attempts}${why}`);
    }
    lines.push(...describeLineage(tree.caused, `${indent}  `));
  }
  return lines;
}

/** What keeps the flow busy: subscriptions' queues with messages, and invocations still running. */
export function describePending(app: LocalApp, records: readonly JournalRecord[]): string[] {
  const lines: string[] = [];
  for (const s of app.subscriptions) {
    if (!s.queueName) continue;
    const c = app.engine.queueCounts(s.queueName);
    if (c.visible + c.inFlight + c.delayed > 0) {
      lines.push(`queue of ${s.name}: ${c.visible} waiting, ${c.inFlight} being handled or waiting out a retry delay, ${c.delayed} delayed`);
    }
  }
  const open = new Map<string, number>();
  for (const r of records) {
    if (r.kind === 'invocation.started') open.set(r.functionName, (open.get(r.functionName) ?? 0) + 1);
    if (r.kind === 'invocation.finished') open.set(r.functionName, (open.get(r.functionName) ?? 0) - 1);
  }
  for (const [fn, n] of open) {
    if (n > 0) lines.push(`${app.subscriptions.find((s) => s.functionName === fn)?.name ?? fn}: ${n} invocation(s) running`);
  }
  return lines;
}
