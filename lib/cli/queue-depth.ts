/** A queue's depth as SQS reports it: visible messages and in-flight ones. */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TargetQueue } from './flow-target.ts';

export async function queueDepth(sqs: SQSClient, q: TargetQueue): Promise<{ visible: number; inFlight: number }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }))).Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}
