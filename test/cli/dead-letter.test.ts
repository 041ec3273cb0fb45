/**
 * Reading a dead letter: each kind told apart by its shape, the original event found in it, and
 * the redrive history carried in the event. Extra attributes a sender adds are ignored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@aws-sdk/client-sqs';
import { eventToRedrive, parseDeadLetter, REDRIVE_HISTORY_FIELD } from '../../lib/cli/dead-letter.ts';

const event = { version: '0', id: 'eb-1', 'detail-type': 'greeting.sent', source: 'test', detail: { metadata: { id: 'm-1' }, data: { name: 'Ada' } } };
const str = (v: string) => ({ DataType: 'String', StringValue: v });

test('a Lambda on-failure record yields its requestPayload, the condition and error as reason, and the invoke count as attempts', () => {
  // "Capturing records of Lambda asynchronous invocations": https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
  const body = {
    version: '1.0', requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: event,
    responsePayload: { errorType: 'Error', errorMessage: 'boom' },
  };
  const letter = parseDeadLetter({ MessageId: 'a', Body: JSON.stringify(body) });
  assert.deepEqual([letter.kind, letter.reason, letter.attempts, letter.event], ['lambda-destination', 'RetriesExhausted: Error: boom', 3, event]);
});

test('an EventBridge target dead letter yields its body as the event, ERROR_CODE and ERROR_MESSAGE as reason, retries + 1 as attempts', () => {
  // "Using dead-letter queues to process undelivered events": https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html
  const letter = parseDeadLetter({
    MessageId: 'b', Body: JSON.stringify(event),
    MessageAttributes: { RULE_ARN: str('arn:rule'), ERROR_CODE: str('SQSQueueDoesNotExist'), ERROR_MESSAGE: str('gone'), RETRY_ATTEMPTS: { DataType: 'Number', StringValue: '2' } },
  });
  assert.deepEqual([letter.kind, letter.reason, letter.attempts, letter.event], ['rule-target', 'SQSQueueDoesNotExist: gone', 3, event]);
});

test("the runtime's dead letter yields its reason, error and attempt, ignoring attributes it does not know", () => {
  const letter = parseDeadLetter({
    MessageId: 'c', Body: JSON.stringify(event),
    MessageAttributes: {
      'busline.reason': str('schema violation'), 'busline.error.name': str('SchemaError'), 'busline.error.message': str('/name must be string'),
      'busline.attempt': { DataType: 'Number', StringValue: '1' }, 'busline.something-new': str('x'),
    },
  });
  assert.deepEqual([letter.kind, letter.reason, letter.attempts], ['runtime', 'schema violation (SchemaError: /name must be string)', 1]);
  assert.equal(letter.attributes['busline.something-new'], 'x');
});

test('a message SQS moved after maxReceiveCount yields its receive count and source queue', () => {
  const letter = parseDeadLetter({ MessageId: 'd', Body: JSON.stringify(event), Attributes: { DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:1:q', ApproximateReceiveCount: '5' } } as Message);
  assert.equal(letter.kind, 'sqs-redrive');
  assert.equal(letter.attempts, 5);
  assert.match(letter.reason, /received 5 time\(s\) from arn:aws:sqs:us-east-1:1:q/);
});

test('a body that is not JSON is an unknown dead letter with no event, which cannot be redriven', () => {
  const letter = parseDeadLetter({ MessageId: 'e', Body: 'not json' });
  assert.equal(letter.kind, 'unknown');
  assert.equal(letter.event, undefined);
  assert.throws(() => eventToRedrive(letter, new Date()), /carries no JSON event/);
});

test("the event to redrive keeps the event's identity and appends this failure to the history it already carries", () => {
  const earlier = { redrivenAt: '2026-12-06T00:00:00.000Z', kind: 'runtime', reason: 'first', attempts: 1 };
  const letter = parseDeadLetter({
    MessageId: 'f', Body: JSON.stringify({ ...event, [REDRIVE_HISTORY_FIELD]: [earlier] }),
    MessageAttributes: { RULE_ARN: str('arn:rule'), ERROR_CODE: str('Throttled') },
  });
  assert.deepEqual(letter.history, [earlier]);
  const now = new Date('2026-12-07T00:00:00.000Z');
  const redriven = eventToRedrive(letter, now);
  assert.equal(redriven.id, 'eb-1');
  assert.deepEqual(redriven.detail, event.detail);
  assert.deepEqual(redriven[REDRIVE_HISTORY_FIELD], [earlier, { redrivenAt: now.toISOString(), kind: 'rule-target', reason: 'Throttled' }]);
});
