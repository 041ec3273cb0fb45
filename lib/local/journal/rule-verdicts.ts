/**
 * The verdict of every rule of an event's bus on one acceptance of the event: the rules that
 * matched it (the journal's `rule.matched` records after that acceptance, up to the next
 * acceptance of the same event id — a replay keeps the id), then each rule that did not, with
 * the pattern engine's reason (RuleMismatches). `busline explain`, the dashboard, its MCP
 * endpoint and busline/testing's `explain()` all read them here.
 */
import { RuleMismatches } from './rule-mismatches.ts';
import type { EventAcceptedRecord, JournalRecord } from './types.ts';

/** One rule of the bus on one event. */
export interface RuleVerdict {
  /** The rule's physical name. */
  readonly rule: string;
  /** The subscription the rule belongs to, or the rule's name for a rule outside every flow. */
  readonly subscription: string;
  /** Whether the rule matched the event. */
  readonly matched: boolean;
  /** Why the rule did not match (absent for a rule that matched), e.g. `detail.data.name: "Ada" is not one of ["Mallory"]`. */
  readonly reason?: string;
}

export interface RuleVerdictsOptions {
  /** Which acceptance of the event to judge, when it was accepted more than once (replays, redrives). @default 'latest' */
  readonly acceptance?: 'first' | 'latest';
  /** The subscription of a rule (physical name). @default the rule's name */
  readonly subscriptionOf?: (rule: string) => string;
}

/**
 * The verdicts on the event whose `metadata.id` or EventBridge id is `id`: matched rules first,
 * in journal order, then the others in the bus's rule order. Undefined when the journal has no
 * such event.
 */
export function ruleVerdicts(records: readonly JournalRecord[], id: string, options: RuleVerdictsOptions = {}): { readonly accepted: EventAcceptedRecord; readonly rules: readonly RuleVerdict[] } | undefined {
  const subscriptionOf = options.subscriptionOf ?? ((rule: string) => rule);
  const mismatches = new RuleMismatches();
  let accepted: EventAcceptedRecord | undefined;
  let start = -1;
  for (const [i, r] of records.entries()) {
    mismatches.observe(r);
    if (r.kind === 'event.accepted' && (r.metadataId === id || r.eventId === id)) {
      accepted = r;
      start = i;
      if (options.acceptance === 'first') break;
    }
  }
  if (!accepted) return undefined;
  const { eventId } = accepted;
  const rules: RuleVerdict[] = [];
  for (const r of records.slice(start + 1)) {
    if (r.kind === 'event.accepted' && r.eventId === eventId) break; // a later replay of it
    if (r.kind === 'rule.matched' && r.eventId === eventId) rules.push({ rule: r.rule, subscription: subscriptionOf(r.rule), matched: true });
  }
  for (const u of mismatches.of(accepted)) rules.push({ rule: u.rule, subscription: subscriptionOf(u.rule), matched: false, reason: u.reason });
  return { accepted, rules };
}
