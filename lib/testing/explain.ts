/**
 * Why an event went where it went: the rules of its bus that matched it (the journal's
 * rule.matched records), and for each rule that did not, the pattern engine's reason, worked out
 * from the bus's rules as the journal recorded them when the event was routed
 * (lib/local/journal/rule-mismatches.ts, the same reasons `busline events` prints).
 */
import type { JournalRecord } from '../local/index.ts';
import { RuleMismatches } from '../local/journal/rule-mismatches.ts';

/** A rule of the bus, named by its subscription when it has one. */
export interface RuleVerdict {
  /** The subscription the rule belongs to, or the rule's name for a rule outside every flow. */
  readonly subscription: string;
  /** The rule's physical name. */
  readonly rule: string;
  /** Why the rule did not match (absent for a rule that matched), e.g. `detail.data.name: "Ada" is not one of ["Mallory"]`. */
  readonly reason?: string;
}

/** The verdict of every rule of the bus on one event. */
export interface Explanation {
  /** `metadata.id` (or the EventBridge id) of the event. */
  readonly id: string;
  readonly topic: string;
  readonly matched: readonly RuleVerdict[];
  readonly unmatched: readonly RuleVerdict[];
}

/** The explanation of the event with EventBridge id `eventId` (its first acceptance). */
export function explainEvent(records: readonly JournalRecord[], eventId: string, id: string, subscriptionOf: (rule: string) => string): Explanation {
  let topic = '';
  const matched: RuleVerdict[] = [];
  const unmatched: RuleVerdict[] = [];
  const mismatches = new RuleMismatches();
  let explained = false;
  for (const r of records) {
    mismatches.observe(r);
    if (r.eventId !== eventId) continue;
    if (r.kind === 'event.accepted' && !explained) {
      explained = true;
      topic = r.topic ?? '';
      for (const u of mismatches.of(r)) unmatched.push({ subscription: subscriptionOf(u.rule), rule: u.rule, reason: u.reason });
    }
    if (r.kind === 'rule.matched') matched.push({ subscription: subscriptionOf(r.rule), rule: r.rule });
  }
  return { id, topic, matched, unmatched };
}
