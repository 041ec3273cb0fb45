/**
 * What an AWS-shaped answer is, per protocol. A fuzz input may be answered correctly (2xx) or
 * refused with the protocol's error shape and a client-error status (4xx): every input a fuzzer
 * sends is the client's doing, so a 5xx or a shapeless body is a bug in the engine.
 *
 * - AWS JSON 1.0 / 1.1 (EventBridge, SQS JSON, DynamoDB): a JSON object body; errors carry
 *   `__type` and a message ("Amazon EventBridge API Reference", "Common Errors",
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html; SQS JSON errors
 *   also the `x-amzn-query-error` header, "Amazon SQS error responses",
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html).
 * - SQS query protocol: an XML body; errors are `<ErrorResponse><Error><Type>Sender</Type>
 *   <Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>`
 *   (same page).
 * - Lambda Invoke (REST-JSON): 202 with no body for an Event invoke; errors carry the
 *   `x-amzn-errortype` header and `{ "Type", "message" }` ("Invoke", Lambda API Reference,
 *   https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
import assert from 'node:assert/strict';
import type { RawAnswer } from '../../support/raw-wire.ts';

function describe(answer: RawAnswer): string {
  return `${answer.status} ${JSON.stringify(answer.headers)} ${answer.text.slice(0, 500)}`;
}

function jsonObject(answer: RawAnswer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    assert.fail(`the body is not JSON: ${describe(answer)}`);
  }
  assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `the body is not a JSON object: ${describe(answer)}`);
  return parsed as Record<string, unknown>;
}

function assertStatusClass(answer: RawAnswer, okStatuses: readonly number[]): void {
  const ok = okStatuses.includes(answer.status);
  assert.ok(ok || (answer.status >= 400 && answer.status < 500), `expected ${okStatuses.join('/')} or a client error (4xx), got ${describe(answer)}`);
  assert.equal(typeof answer.headers['x-amzn-requestid'], 'string', `no x-amzn-requestid header: ${describe(answer)}`);
}

/** AWS JSON 1.0/1.1: 200 with a JSON object, or 4xx with `__type` and a message. Returns the body. */
export function assertAwsJsonAnswer(answer: RawAnswer, options: { readonly queryErrorHeader?: boolean } = {}): Record<string, unknown> {
  assertStatusClass(answer, [200]);
  const body = jsonObject(answer);
  if (answer.status === 200) return body;
  assert.ok(typeof body['__type'] === 'string' && body['__type'] !== '', `an error without __type: ${describe(answer)}`);
  const message = body['message'] ?? body['Message'];
  assert.equal(typeof message, 'string', `an error without a message: ${describe(answer)}`);
  if (options.queryErrorHeader) {
    assert.match(String(answer.headers['x-amzn-query-error']), /^[\w.]+;(Sender|Receiver)$/, `an SQS JSON error without x-amzn-query-error: ${describe(answer)}`);
  }
  return body;
}

/** SQS query protocol: 200 with `<{Action}Response>`, or 4xx with a Sender `<ErrorResponse>`. Returns the body. */
export function assertSqsQueryAnswer(answer: RawAnswer): string {
  assertStatusClass(answer, [200]);
  assert.match(String(answer.headers['content-type']), /^text\/xml/, `not XML: ${describe(answer)}`);
  if (answer.status === 200) {
    assert.match(answer.text, /^(?:<\?xml[^>]*\?>)?\s*<(\w+)Response xmlns="[^"]+">[\s\S]*<\/\1Response>\s*$/, `a success that is not an <ActionResponse>: ${describe(answer)}`);
  } else {
    assert.match(answer.text, /<ErrorResponse[^>]*>\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>[\w.]+<\/Code>\s*<Message>[^<]*<\/Message>[\s\S]*<RequestId>[^<]+<\/RequestId>\s*<\/ErrorResponse>/, `an error that is not an SQS <ErrorResponse>: ${describe(answer)}`);
  }
  // XML 1.0 has no way to write these characters, not even as references: a parser refuses the document.
  assert.doesNotMatch(answer.text, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/, `XML holds characters XML 1.0 cannot carry: ${describe(answer)}`);
  return answer.text;
}

/** Lambda Invoke (Event): 202, or 4xx with x-amzn-errortype and `{ Type, message }`. */
export function assertLambdaInvokeAnswer(answer: RawAnswer): void {
  assertStatusClass(answer, [202]);
  if (answer.status === 202) return;
  assert.match(String(answer.headers['x-amzn-errortype']), /^\w+$/, `an error without x-amzn-errortype: ${describe(answer)}`);
  const body = jsonObject(answer);
  assert.equal(body['Type'], 'User', `a client error whose Type is not User: ${describe(answer)}`);
  assert.equal(typeof body['message'], 'string', `an error without a message: ${describe(answer)}`);
}
