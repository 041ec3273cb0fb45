/**
 * Why an event went where it went: the verdict of each rule of its bus (lib/local/journal/
 * rule-verdicts.ts, the same verdicts `busline explain` and the dashboard give), split into the
 * rules that matched it and those that did not, each with the pattern engine's reason.
 */
import type { JournalRecord } from '../local/index.ts';
import { ruleVerdicts, type RuleVerdict } from '../local/journal/rule-verdicts.ts';

export type { RuleVerdict } from '../local/journal/rule-verdicts.ts';

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
  const verdicts = ruleVerdicts(records, eventId, { acceptance: 'first', subscriptionOf });
  const rules = verdicts?.rules ?? [];
  return { id, topic: verdicts?.accepted.topic ?? '', matched: rules.filter((r) => r.matched), unmatched: rules.filter((r) => !r.matched) };
}
