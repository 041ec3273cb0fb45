/**
 * What a rule target's dead-letter message says, whatever path put it there.
 *
 * AWS's attributes (EventBridge user guide, "Using dead-letter queues to process undelivered
 * events", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html):
 * RULE_ARN, TARGET_ARN, ERROR_CODE (one of the codes listed there), ERROR_MESSAGE,
 * EXHAUSTED_RETRY_CONDITION (MaximumRetryAttempts or MaximumEventAgeInSeconds; absent when the
 * event went to the DLQ without exhausting a retry limit) and RETRY_ATTEMPTS (retries made).
 *
 * Busline's own, under the `busline.` names the runtime's dead letters use
 * (lib/runtime/middleware/dlq-with-reason.ts): `busline.reason` (why delivery stopped),
 * `busline.attempt` (attempts made), `busline.firstFailedAt` and `busline.failedAt` (ISO-8601).
 * Ten attributes in all: SQS's limit per message.
 */
import { SqsError } from '../sqs/errors.ts';
import type { MessageAttributeValue } from '../sqs/types.ts';
import { EventBridgeError } from './errors.ts';

/** Why delivery to a target stopped. */
export type DeadLetterReason =
  /** RetryPolicy.MaximumRetryAttempts used up. */
  | 'retries-exhausted'
  /** RetryPolicy.MaximumEventAgeInSeconds passed. */
  | 'max-event-age'
  /** The target refuses the request as invalid: retrying cannot help. */
  | 'permanent-error'
  /** The target resource (queue, bus) does not exist: AWS sends to the DLQ without retrying. */
  | 'target-missing'
  /** An event received from another bus matched a rule whose target is a third bus. */
  | 'bus-hop'
  /**
   * The target's resource policy does not let the rule send to it: AWS does not retry "errors that
   * result from missing permissions to a target" but sends the event to the DLQ at once (same page).
   */
  | 'no-permissions';

/** The error codes of the EventBridge user guide's list that the engine can produce. */
export type DeadLetterErrorCode = 'NO_RESOURCE' | 'NO_PERMISSIONS' | 'INVALID_PARAMETER' | 'INTERNAL_ERROR' | 'SDK_CLIENT_ERROR';

export interface DeadLetterFacts {
  readonly ruleArn: string;
  readonly targetArn: string;
  readonly reason: DeadLetterReason;
  readonly errorCode: DeadLetterErrorCode;
  readonly errorMessage: string;
  /** Delivery attempts made (the first one included). */
  readonly attempts: number;
  readonly firstFailedAt: number;
  readonly lastFailedAt: number;
}

/** An error that retrying will not cure, and why (undefined: retry it). */
export function permanentReason(error: unknown): 'target-missing' | 'permanent-error' | 'bus-hop' | 'no-permissions' | undefined {
  if (error instanceof TargetMissingError) return 'target-missing';
  if (error instanceof TargetPermissionError) return 'no-permissions';
  if (error instanceof BusHopError) return 'bus-hop';
  if (error instanceof SqsError) {
    if (error.shape === 'QueueDoesNotExist') return 'target-missing';
    return error.httpStatus < 500 ? 'permanent-error' : undefined;
  }
  if (error instanceof EventBridgeError && error.type === 'ResourceNotFoundException') return 'target-missing';
  // A function runner rejects a function that does not exist with Lambda's error name
  // (LambdaInvoker contract, types.ts).
  if (error instanceof Error && error.name === 'ResourceNotFoundException') return 'target-missing';
  return undefined;
}

/** ERROR_CODE for an error, from the codes AWS lists. */
export function errorCodeOf(error: unknown): DeadLetterErrorCode {
  const reason = permanentReason(error);
  if (reason === 'target-missing') return 'NO_RESOURCE';
  if (reason === 'no-permissions') return 'NO_PERMISSIONS';
  if (reason === 'permanent-error' || reason === 'bus-hop') return 'INVALID_PARAMETER';
  if (error instanceof SqsError) return 'INTERNAL_ERROR';
  return 'SDK_CLIENT_ERROR';
}

/** The target's resource policy does not allow the rule (events.amazonaws.com, aws:SourceArn = the rule) to send. */
export class TargetPermissionError extends Error {
  override readonly name = 'TargetPermissionError';
}

/** A rule's target is gone, or names a bus that does not exist. */
export class TargetMissingError extends Error {
  override readonly name = 'TargetMissingError';
}

/** A forwarded event would be forwarded again (see routing.ts). */
export class BusHopError extends Error {
  override readonly name = 'BusHopError';
}

const MAX_ERROR_MESSAGE_CHARS = 1000;

export function deadLetterAttributes(facts: DeadLetterFacts): Record<string, MessageAttributeValue> {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const number = (value: number): MessageAttributeValue => ({ DataType: 'Number', StringValue: String(value) });
  const exhausted = facts.reason === 'retries-exhausted' ? 'MaximumRetryAttempts' : facts.reason === 'max-event-age' ? 'MaximumEventAgeInSeconds' : undefined;
  return {
    RULE_ARN: text(facts.ruleArn),
    TARGET_ARN: text(facts.targetArn),
    ERROR_CODE: text(facts.errorCode),
    ERROR_MESSAGE: text(facts.errorMessage.slice(0, MAX_ERROR_MESSAGE_CHARS) || 'delivery failed'),
    ...(exhausted && { EXHAUSTED_RETRY_CONDITION: text(exhausted) }),
    RETRY_ATTEMPTS: number(Math.max(0, facts.attempts - 1)),
    'busline.reason': text(facts.reason),
    'busline.attempt': number(facts.attempts),
    'busline.firstFailedAt': text(new Date(facts.firstFailedAt).toISOString()),
    'busline.failedAt': text(new Date(facts.lastFailedAt).toISOString()),
  };
}
