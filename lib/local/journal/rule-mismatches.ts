/**
 * Why an event did not match the other rules of its bus, worked out when someone reads the
 * journal rather than while the engine routes (where it would cost every event as much as
 * there are rules). Routing journals a `bus.rules` record (every rule of the bus: name,
 * pattern, state) before the first event it routes on a bus whose rules changed; an event is
 * explained against the last such record of its bus before it, so a rule changed or deleted
 * later does not change what the journal says about an earlier event.
 */
import { compilePattern, formatMismatch, type EventPattern } from '../pattern/index.ts';
import type { EventAcceptedRecord, JournaledRule, JournalRecord, RuleUnmatchedRecord } from './types.ts';

export class RuleMismatches {
  /** Each bus's rules as its latest `bus.rules` record (so far) lists them. */
  private readonly rulesOf = new Map<string, readonly JournaledRule[]>();
  /** The rules each event observed was routed with. */
  private readonly routedWith = new WeakMap<EventAcceptedRecord, readonly JournaledRule[]>();
  /** Compiled patterns by text (a pattern is compiled once however many events it explains). */
  private readonly patterns = new Map<string, EventPattern | Error>();

  /**
   * Takes the next record of the journal, in journal order: a `bus.rules` record becomes its
   * bus's rules, an `event.accepted` record is tied to its bus's rules of the moment. Cheap:
   * nothing is explained here.
   */
  observe(record: JournalRecord): void {
    if (record.kind === 'bus.rules') this.rulesOf.set(record.bus, record.rules);
    else if (record.kind === 'event.accepted') {
      const rules = this.rulesOf.get(record.bus);
      if (rules) this.routedWith.set(record, rules);
    }
  }

  /**
   * The `rule.unmatched` records of an observed event, computed now: one per rule it was
   * routed with (a replay's rules only, when it named some) that is disabled or whose pattern
   * does not match it, in the bus's rule order. None for an event whose bus's rules the journal
   * does not have (written before the journal had `bus.rules` records, or never observed).
   */
  of(accepted: EventAcceptedRecord): RuleUnmatchedRecord[] {
    const rules = this.routedWith.get(accepted);
    if (!rules) return [];
    const only = accepted.onlyRules ? new Set(accepted.onlyRules) : undefined;
    const out: RuleUnmatchedRecord[] = [];
    for (const rule of rules) {
      if (only && !only.has(rule.name)) continue;
      const reason = this.reasonFor(rule, accepted.event);
      if (reason === undefined) continue;
      out.push({
        seq: accepted.seq,
        at: accepted.at,
        kind: 'rule.unmatched',
        eventId: accepted.eventId,
        bus: accepted.bus,
        rule: rule.name,
        reason,
        ...(accepted.topic !== undefined && { topic: accepted.topic }),
        ...(accepted.correlationId !== undefined && { correlationId: accepted.correlationId }),
      });
    }
    return out;
  }

  /** Why the rule did not match the event; undefined when it matched. */
  private reasonFor(rule: JournaledRule, event: unknown): string | undefined {
    if (rule.state === 'DISABLED') return 'rule is DISABLED';
    const pattern = this.pattern(rule.pattern);
    if (pattern instanceof Error) return `its pattern cannot be read back from the journal: ${pattern.message}`;
    const mismatch = pattern.explain(event);
    return mismatch ? formatMismatch(mismatch) : undefined;
  }

  private pattern(text: string): EventPattern | Error {
    let pattern = this.patterns.get(text);
    if (pattern === undefined) {
      try {
        pattern = compilePattern(text, { maxLength: Infinity });
      } catch (error) {
        pattern = error as Error;
      }
      this.patterns.set(text, pattern);
    }
    return pattern;
  }
}
