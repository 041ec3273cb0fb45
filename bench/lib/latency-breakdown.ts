/**
 * Where an event's end-to-end latency goes, from the engine's journal: the time from its publish
 * to its last effect, cut at each journal record of its correlation id (in time order) and each
 * piece named by the two records around it ("delivery.enqueued → delivery.received" is time on
 * a queue). The pieces of one event add up to its latency, so comparing every event with the
 * slowest ones shows which step the tail is made of.
 */
import type { JournalRecord } from '../../lib/local/journal/types.ts';

export interface TracedEvent {
  /** When the publish call started (ms since epoch). */
  readonly sentAt: number;
  /** When its last effect was done (ms since epoch): the end of its latency. */
  readonly doneAt: number;
  /** The journal records of its correlation id. */
  readonly records: readonly JournalRecord[];
}

/** Each step's time in one event (ms): the gaps between consecutive milestones, by their names. */
export function eventSteps(event: TracedEvent): Map<string, number> {
  const marks = event.records
    .map((r) => ({ name: r.kind, at: Date.parse(r.at) }))
    .filter((m) => m.at >= event.sentAt && m.at <= event.doneAt)
    .sort((a, b) => a.at - b.at);
  const steps = new Map<string, number>();
  let previous = { name: 'publish', at: event.sentAt };
  for (const mark of [...marks, { name: 'done', at: event.doneAt }]) {
    const step = `${previous.name} → ${mark.name}`;
    steps.set(step, (steps.get(step) ?? 0) + (mark.at - previous.at));
    previous = mark;
  }
  return steps;
}

export interface StepShare {
  readonly step: string;
  /** Mean ms per event over every event. */
  readonly allMs: number;
  /** Mean ms per event over the slowest ones. */
  readonly tailMs: number;
}

/** Mean time per step over all events and over the slowest `tailShare` of them (at least one), largest in the tail first. */
export function latencyBreakdown(events: readonly TracedEvent[], tailShare = 0.01): StepShare[] {
  const bySlowest = [...events].sort((a, b) => (b.doneAt - b.sentAt) - (a.doneAt - a.sentAt));
  const tail = bySlowest.slice(0, Math.max(1, Math.ceil(events.length * tailShare)));
  const mean = (group: readonly TracedEvent[]): Map<string, number> => {
    const sums = new Map<string, number>();
    for (const e of group) for (const [step, ms] of eventSteps(e)) sums.set(step, (sums.get(step) ?? 0) + ms);
    return new Map([...sums].map(([step, ms]) => [step, ms / group.length]));
  };
  const all = mean(events);
  const slow = mean(tail);
  return [...new Set([...all.keys(), ...slow.keys()])]
    .map((step) => ({ step, allMs: all.get(step) ?? 0, tailMs: slow.get(step) ?? 0 }))
    .sort((a, b) => b.tailMs - a.tailMs);
}

/** "delivery.enqueued → delivery.received 4.1 ms (slowest 1%: 12.0 ms), …" for the `top` steps of the tail. */
export function formatBreakdownSteps(shares: readonly StepShare[], top = 5): string {
  return shares.slice(0, top).map((s) => `${s.step} ${s.allMs.toFixed(1)} ms (slowest: ${s.tailMs.toFixed(1)} ms)`).join(', ');
}
