import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_VISIBILITY_SECONDS, queueUrlFromArn, visibilityDelaySeconds } from '../../../lib/runtime/middleware/backoff.ts';
import { exponentialCap, fullJitterDelay } from '../../../lib/runtime/retry-delay.ts';

const retry = { maxAttempts: 10, backoffBaseSeconds: 2, backoffMaxSeconds: 60 };

test('the delay cap doubles per attempt from the base and stops at the max', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => exponentialCap(n, 2, 60)), [2, 4, 8, 16, 32, 60, 60]);
  assert.equal(exponentialCap(5000, 2, 60), 60);
});

test('full jitter picks uniformly between 0 and the cap', () => {
  assert.equal(fullJitterDelay(3, 2, 60, () => 0), 0);
  assert.equal(fullJitterDelay(3, 2, 60, () => 0.5), 4);
  assert.equal(fullJitterDelay(3, 2, 60, () => 0.999), 7.992);
});

test('the visibility delay follows the failed attempts, in whole seconds', () => {
  assert.equal(visibilityDelaySeconds(1, retry, () => 1), 2);
  assert.equal(visibilityDelaySeconds(4, retry, () => 0.5), 8);
  assert.equal(visibilityDelaySeconds(9, retry, () => 1), 60);
});

test('a record retried past maxAttempts (its DLQ send failed) still backs off instead of coming back at once', () => {
  assert.equal(visibilityDelaySeconds(10, retry, () => 1), 60);
  assert.equal(visibilityDelaySeconds(11, retry, () => 0.5), 30);
});

test('the delay never exceeds what ChangeMessageVisibility accepts', () => {
  assert.equal(visibilityDelaySeconds(30, { maxAttempts: 100, backoffBaseSeconds: 60, backoffMaxSeconds: 1e9 }, () => 1), MAX_VISIBILITY_SECONDS);
});

test('the queue URL comes from the ARN, under the endpoint override when one is set', () => {
  assert.equal(queueUrlFromArn('arn:aws:sqs:eu-west-1:111122223333:orders', {}), 'https://sqs.eu-west-1.amazonaws.com/111122223333/orders');
  assert.equal(queueUrlFromArn('arn:aws-cn:sqs:cn-north-1:111122223333:q.fifo', {}), 'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q.fifo');
  assert.equal(queueUrlFromArn('arn:aws:sqs:us-east-1:1:q', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566/' }), 'http://127.0.0.1:4566/1/q');
  assert.equal(queueUrlFromArn('arn:aws:sqs:us-east-1:1:q', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_SQS: 'http://b' }), 'http://b/1/q');
  assert.throws(() => queueUrlFromArn('arn:aws:sns:us-east-1:1:topic', {}), /not an SQS queue ARN/);
});
