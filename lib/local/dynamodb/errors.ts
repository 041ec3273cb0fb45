/** AWS-shaped DynamoDB errors (JSON 1.0 protocol: `__type` and message, HTTP 400 unless said). */
import type { DynaliteError } from './dynalite-modules.ts';

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';

export interface WireReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export function validationException(message: string): WireReply {
  return { status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message } };
}

/** A dynalite error (it carries statusCode and body) as a reply; anything else is an internal error. */
export function replyOf(error: DynaliteError): WireReply {
  if (error.statusCode && error.body) return { status: error.statusCode, body: error.body };
  return { status: 500, body: { __type: `${PREFIX}InternalServerError`, message: `local DynamoDB failed: ${error.message}` } };
}

export interface CancellationReason {
  readonly Code: string;
  readonly Message?: string;
  readonly Item?: Record<string, unknown>;
}

/** The whole transaction was cancelled; `reasons` has one entry per action, in request order. */
export function transactionCanceled(reasons: readonly CancellationReason[]): WireReply {
  return {
    status: 400,
    body: {
      __type: `${PREFIX}TransactionCanceledException`,
      message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
      CancellationReasons: reasons,
    },
  };
}

/** The dynalite error's AWS error name (`ConditionalCheckFailedException`, `ValidationException`...). */
export function errorName(error: DynaliteError): string | undefined {
  return error.body?.__type.split('#')[1];
}
