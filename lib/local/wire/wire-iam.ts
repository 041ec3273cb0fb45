/**
 * IAM on the wire: who signed a request, and AWS's AccessDenied answer in each protocol when the
 * template's policies do not allow it.
 * - EventBridge: `AccessDeniedException`, HTTP 400 (EventBridge API Reference, "Common Errors",
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html).
 * - SQS: the query error code `AccessDenied` ("An error occurred (AccessDenied) when calling the
 *   SendMessage operation", SQS developer guide, "Troubleshoot access denied errors in Amazon
 *   SQS", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/troubleshooting-access-denied.html),
 *   carried by the JSON protocol in `x-amzn-query-error` (the service is awsQueryCompatible, so
 *   the SDKs name the error by it), with HTTP 403 as SQS answers it.
 * - DynamoDB: `com.amazonaws.dynamodb.v20120810#AccessDeniedException`, HTTP 400 (DynamoDB
 *   developer guide, "Error handling with DynamoDB",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
 * - Lambda: `AccessDeniedException` in `x-amzn-ErrorType`, HTTP 403.
 * - KMS: `AccessDeniedException`, HTTP 400 (AWS KMS API Reference, "Common Errors",
 *   https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html).
 */
import type http from 'node:http';
import type { Caller } from '../iam/caller.ts';
import type { AccessDenial } from '../iam/iam-authorizer.ts';
import type { Coordinates, PermissionCheck } from '../iam/request-permissions.ts';
import { WireError } from './protocol.ts';

export interface WireIam {
  readonly coordinates: Coordinates;
  /** The caller of a request, from the access key id it was signed with. */
  callerOf(request: http.IncomingMessage): Caller;
  /** The denial to answer with, if any (every denial, enforced or not, is reported by the engine). */
  check(caller: Caller, checks: readonly PermissionCheck[]): AccessDenial | undefined;
}

/** EventBridge's and KMS's answer (both JSON 1.1, `AccessDeniedException`, HTTP 400). */
export function accessDeniedException(denial: AccessDenial): WireError {
  return new WireError('AccessDeniedException', denial.message, 400);
}

export function sqsAccessDenied(denial: AccessDenial): WireError {
  return new WireError('com.amazon.coral.service#AccessDeniedException', denial.message, 403, { 'x-amzn-query-error': 'AccessDenied;Sender' });
}

export function dynamoDbAccessDenied(denial: AccessDenial): { status: number; body: { __type: string; message: string } } {
  return { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message: denial.message } };
}
