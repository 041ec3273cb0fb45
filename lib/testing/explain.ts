/**
 * Why an event went where it went: the rules of its bus that matched it, and for each rule that
 * did not, the pattern engine's reason (the journal's rule.matched / rule.unmatched records).
 */
import type { JournalRecord } from '../local/index.ts';

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
  for (const r of records) {
    if (r.eventId !== eventId) continue;
    if (r.kind === 'event.accepted') topic = r.topic ?? '';
    if (r.kind === 'rule.matched') matched.push({ subscription: subscriptionOf(r.rule), rule: r.rule });
    if (r.kind === 'rule.unmatched') unmatched.push({ subscription: subscriptionOf(r.rule), rule: r.rule, reason: r.reason });
  }
  return { id, topic, matched, unmatched };
}
