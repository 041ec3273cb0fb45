/**
 * The lineage journal: what happened to each event, one record per step, in the order the
 * engine saw them. Stored as JSON lines in `<stateDir>/journal/journal.jsonl` (one record a
 * line, append-only), so a CLI or dashboard can read it while the engine runs.
 *
 * Every record carries:
 * - `seq`   position in the journal (strictly increasing, survives restarts),
 * - `at`    ISO-8601 time the engine recorded it,
 * - `kind`  what happened (below),
 * - `eventId` the EventBridge event id the step concerns (when known),
 * - `correlationId`, `topic` copied from the event (detail.metadata.correlationId and the
 *   detail-type) so a query by either needs no join.
 *
 * Lineage: an `event.accepted` record with `causationId` was published by a handler that was
 * processing the event whose `detail.metadata.id` is that causationId; `metadataId` is that
 * id for every event. Tree = events linked by causationId → metadataId, each with its
 * rule / delivery / invocation records.
 */
import type { ChaosFaultKind } from '../chaos/profile.ts';

/** Fields every journal record has (see the top of this file). */
export interface JournalBase {
  readonly seq: number;
  readonly at: string;
  readonly eventId?: string;
  readonly correlationId?: string;
  readonly topic?: string;
  /**
   * Who made the request (audit), on `event.accepted` (the publisher), `delivery.received` (the
   * consumer) and `access.denied`: an assumed-role ARN
   * (`arn:aws:sts::<account>:assumed-role/<role>/<function>`), the account's administrator
   * (`arn:aws:iam::<account>:root`) or a service principal. Absent when the engine was started
   * without the template's IAM (LocalEngine.start alone).
   */
  readonly principal?: string;
}

/** PutEvents accepted the event (it is on disk). */
export interface EventAcceptedRecord extends JournalBase {
  readonly kind: 'event.accepted';
  readonly eventId: string;
  readonly bus: string;
  readonly source: string;
  /** detail.metadata.id, when the event carries the Busline envelope. */
  readonly metadataId?: string;
  readonly causationId?: string;
  /** Set when the event was re-sent by an archive replay. */
  readonly replayName?: string;
  /** Set when a replay routed the event to these rules of its bus only (its FilterArns). */
  readonly onlyRules?: readonly string[];
  /** The full event as delivered to targets. */
  readonly event: unknown;
}

/** The event matched a rule; one delivery per target follows. */
export interface RuleMatchedRecord extends JournalBase {
  readonly kind: 'rule.matched';
  readonly eventId: string;
  readonly bus: string;
  readonly rule: string;
  readonly targets: readonly string[];
}

/** One rule of a {@link BusRulesRecord}, as routing used it. */
export interface JournaledRule {
  readonly name: string;
  /** The rule's EventPattern (JSON text). */
  readonly pattern: string;
  readonly state: 'ENABLED' | 'DISABLED';
}

/**
 * Every rule of a bus, written before the first event routed on the bus after its rules
 * changed (and after each engine start): the events after it, up to the bus's next such record,
 * were routed with exactly these rules. What `rule.unmatched` is derived from.
 */
export interface BusRulesRecord extends JournalBase {
  readonly kind: 'bus.rules';
  readonly bus: string;
  readonly rules: readonly JournaledRule[];
}

/**
 * The event did not match a rule of its bus; `reason` is the pattern engine's explanation.
 * Derived when the journal is read, never written: one per rule of the bus's last `bus.rules`
 * record before the event (a rule changed later does not change it) that the event does not
 * match, placed right after the event's `event.accepted` record and carrying its `seq` and `at`.
 */
export interface RuleUnmatchedRecord extends JournalBase {
  readonly kind: 'rule.unmatched';
  readonly eventId: string;
  readonly bus: string;
  readonly rule: string;
  readonly reason: string;
}

/** A message was put on a queue (by a rule target, SendMessage, or a redrive). */
export interface DeliveryEnqueuedRecord extends JournalBase {
  readonly kind: 'delivery.enqueued';
  readonly queue: string;
  readonly messageId: string;
  /** "rule:<bus>/<rule>/<targetId>", "send", "dead-letter", "move-task". */
  readonly via: string;
}

/** A consumer received the message (attempt number = receiveCount). */
export interface DeliveryReceivedRecord extends JournalBase {
  readonly kind: 'delivery.received';
  readonly queue: string;
  readonly messageId: string;
  readonly receiveCount: number;
}

/** A consumer deleted the message: it was handled. */
export interface DeliveryDeletedRecord extends JournalBase {
  readonly kind: 'delivery.deleted';
  readonly queue: string;
  readonly messageId: string;
}

/** The message exceeded maxReceiveCount and moved to the dead-letter queue. */
export interface DeliveryDeadLetteredRecord extends JournalBase {
  readonly kind: 'delivery.dead-lettered';
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly messageId: string;
  readonly receiveCount: number;
}

/** A rule target (Lambda) delivery attempt failed; `final` when retries are exhausted. */
export interface TargetFailedRecord extends JournalBase {
  readonly kind: 'target.failed';
  readonly bus: string;
  readonly rule: string;
  readonly targetId: string;
  readonly attempt: number;
  readonly error: string;
  readonly final: boolean;
  /** Where the event went when final: a DLQ ARN, or "dropped". */
  readonly deadLetter?: string;
}

/** A rule → Lambda target delivery was handed to the invoker. */
export interface TargetInvokedRecord extends JournalBase {
  readonly kind: 'target.invoked';
  readonly bus: string;
  readonly rule: string;
  readonly targetId: string;
  readonly functionArn: string;
  readonly attempt: number;
}

/** A handler invocation started (appended by the function runner). */
export interface InvocationStartedRecord extends JournalBase {
  readonly kind: 'invocation.started';
  readonly functionName: string;
  readonly invocationId: string;
  /** Queue message ids in the batch (SQS source), if any. */
  readonly messageIds?: readonly string[];
  readonly attempt?: number;
}

/** A handler invocation ended (appended by the function runner). */
export interface InvocationFinishedRecord extends JournalBase {
  readonly kind: 'invocation.finished';
  readonly functionName: string;
  readonly invocationId: string;
  readonly outcome: 'success' | 'partial-failure' | 'error' | 'timeout';
  readonly durationMs: number;
  readonly error?: string;
  /** Message ids reported in batchItemFailures. */
  readonly failedMessageIds?: readonly string[];
  /** Lines the handler logged during this invocation. */
  readonly logs?: readonly string[];
}

/** One item a committed DynamoDB write request changed. */
export interface WrittenItem {
  readonly table: string;
  /** `Put`, `Update` or `Delete` (a batch's PutRequest / DeleteRequest as Put / Delete). */
  readonly op: 'Put' | 'Update' | 'Delete';
  /** The item's primary key as DynamoDB JSON, attributes in key-schema order, e.g. `{"pk":{"S":"a"}}`. */
  readonly key: string;
  /** SHA-256 (hex, 16 characters) of the item's part of the request: two equal digests are the same write. */
  readonly digest: string;
}

/**
 * A DynamoDB write request over the wire succeeded (PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem's processed items, TransactWriteItems): what was committed, item by item.
 * Which event it belongs to is not known here: a handler's declared writes commit in one
 * TransactWriteItems with its dedupe record last, whose key names the event (docs/dedupe.md);
 * the CLI's lineage ties such a transaction to its event by that record (lib/cli/committed-writes.ts).
 */
export interface TableWrittenRecord extends JournalBase {
  readonly kind: 'table.written';
  readonly action: 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'TransactWriteItems';
  readonly items: readonly WrittenItem[];
}

/**
 * The engine's chaos mode (LocalEngineOptions.chaos) injected a fault here. Where it happened is
 * in the fields the fault kind has: `queue` (duplicate, reorder, delay, visibility-expiry),
 * `functionName` (crash, timeout), `bus`/`rule`/`targetId` (duplicate to an EventBridge target),
 * `bus` (throttle, partial-failure), `table` (dynamodb-throttle, transaction-conflict).
 */
export interface ChaosFaultRecord extends JournalBase {
  readonly kind: 'chaos.fault';
  /** Which fault (its key in the chaos profile's CLI form). */
  readonly fault: ChaosFaultKind;
  /** What the fault did, in a sentence (e.g. "the delete missed a copy: delivered again as message <id>"). */
  readonly detail: string;
  /** The queue it struck. */
  readonly queue?: string;
  /** The message it concerns (a batch's first, for a crash or timeout). */
  readonly messageId?: string;
  /** The function whose invocation it struck. */
  readonly functionName?: string;
  /** The bus of a refused PutEvents entry or of a doubled target delivery. */
  readonly bus?: string;
  /** The rule and target a doubled delivery went to. */
  readonly rule?: string;
  readonly targetId?: string;
  /** The DynamoDB table of a refused request (its first, by name, for a transaction). */
  readonly table?: string;
  /** A refused PutEvents entry's Busline envelope ids (detail.metadata.id, causationId): the event it was, and the one being handled when it was published. */
  readonly metadataId?: string;
  readonly causationId?: string;
  /** The AWS error the fault answered with (e.g. "ThrottlingException"). */
  readonly errorCode?: string;
  /** The profile's seed, so the run can be reproduced. */
  readonly seed: number;
}

/**
 * A request the template's policies do not allow: answered with AccessDenied (`enforced`), or
 * let through and reported (`--iam warn`).
 */
export interface AccessDeniedRecord extends JournalBase {
  readonly kind: 'access.denied';
  /** Who asked (see JournalBase.principal). */
  readonly principal: string;
  /** The IAM action, e.g. `events:PutEvents`. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /** AWS's message for the denial. */
  readonly message: string;
  /** The permission that was missing, with the request's condition values. */
  readonly missing: string;
  /** The declaration that would grant it. */
  readonly fix: string;
  /** True: answered AccessDenied; false: let through (`warn` mode). */
  readonly enforced: boolean;
}

/** One step in an event's life, told apart by `kind`. */
export type JournalRecord =
  | EventAcceptedRecord
  | BusRulesRecord
  | RuleMatchedRecord
  | RuleUnmatchedRecord
  | DeliveryEnqueuedRecord
  | DeliveryReceivedRecord
  | DeliveryDeletedRecord
  | DeliveryDeadLetteredRecord
  | TargetFailedRecord
  | TargetInvokedRecord
  | InvocationStartedRecord
  | InvocationFinishedRecord
  | TableWrittenRecord
  | ChaosFaultRecord
  | AccessDeniedRecord;

/** The kinds of journal record. */
export type JournalKind = JournalRecord['kind'];

/** A record before the journal stamps `seq` and `at`. */
export type JournalEntry = JournalRecord extends infer R
  ? R extends JournalRecord
    ? Omit<R, 'seq' | 'at'> & { readonly at?: string }
    : never
  : never;

/** Which records a journal query or subscription wants; every field given must match. */
export interface JournalQuery {
  readonly correlationId?: string;
  readonly topic?: string;
  readonly eventId?: string;
  readonly kinds?: readonly JournalKind[];
  /** Records of this principal: an ARN, a role or function name, or `administrator` (see principalMatches). */
  readonly principal?: string;
  /** Only records with seq > afterSeq. */
  readonly afterSeq?: number;
  /** Newest records last; at most this many (the newest). */
  readonly limit?: number;
}
