/**
 * What `busline dlq show`, the dashboard and MCP show of a dead letter (flow-operations.ts
 * maskedDeadLetter): the PII values of its event, by its topic's PII paths, masked in its body,
 * event, reason, attributes and redrive history; a dead letter of a topic without PII fields as
 * it is. Redrives read the queue themselves, so what they send is the stored event.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '@aws-sdk/client-sqs';
import { maskedDeadLetter, viewDeadLetter } from '../../lib/cli/flow-operations.ts';

const EMAIL = 'pii-dead-letter@example.com';
const PII = new Map([['contact.added', [['email']]]]);

function deadLetter(topic: string, kind: 'runtime' | 'lambda-destination'): Message {
  const event = { id: 'e-1', 'detail-type': topic, source: 'test.contacts', detail: { metadata: { id: 'm-1' }, data: { contactId: 'c-1', email: EMAIL } } };
  if (kind === 'lambda-destination') {
    return {
      MessageId: 'msg-1',
      Body: JSON.stringify({ requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: event, responsePayload: { errorType: 'Error', errorMessage: `refused ${EMAIL}` } }),
    };
  }
  return {
    MessageId: 'msg-1', Body: JSON.stringify({ ...event, 'busline-redrive': [{ redrivenAt: '2026-12-01T00:00:00.000Z', kind: 'runtime', reason: `handler-error (Error: refused ${EMAIL})` }] }),
    MessageAttributes: { 'busline.reason': { DataType: 'String', StringValue: 'handler-error' }, 'busline.error.message': { DataType: 'String', StringValue: `refused ${EMAIL}` } },
  };
}

test("a runtime dead letter's body, event, reason, attributes and history show *** for its event's PII values", () => {
  const shown = maskedDeadLetter(viewDeadLetter(deadLetter('contact.added', 'runtime'), 'WelcomeDlq'), PII);
  assert.ok(!JSON.stringify(shown).includes(EMAIL), JSON.stringify(shown));
  assert.deepEqual((shown.event!.detail as { data: unknown }).data, { contactId: 'c-1', email: '***' });
  assert.equal(shown.reason, 'handler-error (Error: refused ***)');
  assert.equal(shown.attributes['busline.error.message'], 'refused ***');
  assert.equal(shown.history[0]!.reason, 'handler-error (Error: refused ***)');
  assert.match(shown.body, /"email":"\*\*\*"/);
});

test("a Lambda destination's dead letter masks the values of the event in its request payload, the error message included", () => {
  const shown = maskedDeadLetter(viewDeadLetter(deadLetter('contact.added', 'lambda-destination'), 'WelcomeDlq'), PII);
  assert.equal(shown.reason, 'RetriesExhausted: Error: refused ***');
  assert.ok(!JSON.stringify(shown).includes(EMAIL));
});

test('a dead letter of a topic without PII fields is shown as it is', () => {
  const view = viewDeadLetter(deadLetter('contact.imported', 'runtime'), 'WelcomeDlq');
  assert.equal(maskedDeadLetter(view, PII), view);
});
