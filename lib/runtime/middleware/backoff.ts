/**
 * Backoff: a record that failed and will be retried gets its visibility timeout set with
 * ChangeMessageVisibility to the retry policy's delay, base × 2^(n−1) capped at max, with full
 * jitter, where n is the record's failed attempts as the runtime counted them (its SQS receive
 * count without an attempt ledger), so retries spread out instead of hammering a sick dependency
 * every visibility timeout. (A record that used up its attempts is not here: the attempt limit
 * dead-lettered it.)
 *
 * Only SQS records (direct delivery is retried by Lambda's async retries); never-attempted
 * records are left untouched. A failed visibility change is logged, not fatal: the record then
 * simply waits out the queue's visibility timeout.
 */
import type { MiddlewareObj } from '@middy/core';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadSqsModule } from '../aws-clients.ts';
import { toError } from '../errors.ts';
import { invocationState, type BuslineRequest, type RecordResult } from '../invocation.ts';
import type { JsonLogger } from '../logger.ts';
import type { RetryConfig } from '../subscription-config.ts';
import { fullJitterDelay } from '../retry-delay.ts';

/** ChangeMessageVisibility accepts 0–43,200 s (12 h). */
export const MAX_VISIBILITY_SECONDS = 43_200;

export interface BackoffOptions {
  readonly retry: RetryConfig;
  readonly sqsClient: () => Promise<SQSClient>;
  readonly logger: JsonLogger;
  readonly random?: () => number;
}

/** Visibility delay (whole seconds) for a record that failed for the `attempt`-th time. */
export function visibilityDelaySeconds(attempt: number, retry: RetryConfig, random: () => number = Math.random): number {
  const delay = fullJitterDelay(attempt, retry.backoffBaseSeconds, retry.backoffMaxSeconds, random);
  return Math.min(MAX_VISIBILITY_SECONDS, Math.round(delay));
}

/**
 * The queue URL for an SQS ARN (arn:aws:sqs:region:account:name). With an endpoint override
 * (AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL: the local engine, emulators) the URL is under that
 * endpoint, the way emulators name their queues.
 */
export function queueUrlFromArn(arn: string, env: NodeJS.ProcessEnv = process.env): string {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs') {
    throw new Error(`eventSourceARN ${JSON.stringify(arn)} is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)`);
  }
  const [, partition, , region, account, name] = parts as [string, string, string, string, string, string];
  const endpoint = env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL;
  if (endpoint) return `${endpoint.replace(/\/+$/, '')}/${account}/${name}`;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

export function backoffMiddleware(options: BackoffOptions): MiddlewareObj {
  return {
    name: 'busline-backoff',
    after: async function applyBackoff(request) {
      const state = invocationState(request as BuslineRequest);
      const retried = state.results.filter((r) => r.outcome.kind === 'retry' && r.inbound.kind === 'sqs');
      if (retried.length === 0) return;
      await changeVisibility(retried, options);
    },
  };
}

export async function changeVisibility(retried: RecordResult[], options: BackoffOptions): Promise<void> {
  const byQueue = new Map<string, Array<{ Id: string; ReceiptHandle: string; VisibilityTimeout: number }>>();
  retried.forEach((r, i) => {
    if (r.inbound.kind !== 'sqs' || r.outcome.kind !== 'retry') return;
    const attempt = r.failures?.attempts ?? r.inbound.receiveCount;
    const seconds = r.outcome.delaySeconds !== undefined ? Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.round(r.outcome.delaySeconds))) : visibilityDelaySeconds(attempt, options.retry, options.random);
    let url: string;
    try {
      url = queueUrlFromArn(r.inbound.eventSourceArn);
    } catch (thrown) {
      options.logger.warn('cannot apply backoff', { messageId: r.inbound.messageId, error: toError(thrown) });
      return;
    }
    const list = byQueue.get(url) ?? [];
    list.push({ Id: `r${i}`, ReceiptHandle: r.inbound.receiptHandle, VisibilityTimeout: seconds });
    byQueue.set(url, list);
  });
  if (byQueue.size === 0) return;
  try {
    const [client, { ChangeMessageVisibilityBatchCommand }] = await Promise.all([options.sqsClient(), loadSqsModule()]);
    for (const [QueueUrl, entries] of byQueue) {
      for (let start = 0; start < entries.length; start += 10) {
        const Entries = entries.slice(start, start + 10);
        const out = await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries }));
        for (const f of out.Failed ?? []) options.logger.warn('visibility change failed', { queueUrl: QueueUrl, entry: f.Id, code: f.Code, reason: f.Message });
      }
    }
  } catch (thrown) {
    options.logger.warn('visibility change failed; failed records wait out the queue visibility timeout', { error: toError(thrown) });
  }
}
