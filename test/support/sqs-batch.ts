/**
 * Turns messages received from a real queue into the records an SQS event source mapping hands
 * to Lambda (`{ Records: [...] }`), so tests run wrapped handlers on real, SQS-shaped batches.
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return out.Attributes!.QueueArn!;
}

/** Receives until `count` messages arrived (or `waitSeconds` passed with none) and returns them as Lambda records. */
export async function receiveBatch(sqs: SQSClient, queueUrl: string, count: number, options: { waitSeconds?: number; visibilityTimeout?: number } = {}): Promise<SQSRecord[]> {
  const arn = await queueArn(sqs, queueUrl);
  const records: SQSRecord[] = [];
  while (records.length < count) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count - records.length),
        WaitTimeSeconds: options.waitSeconds ?? 2,
        VisibilityTimeout: options.visibilityTimeout ?? 120,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (!out.Messages?.length) break;
    for (const m of out.Messages) records.push(toLambdaRecord(m, arn));
  }
  return records;
}

export function toLambdaRecord(m: Message, arn: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: arn.split(':')[3] ?? 'us-east-1',
  };
}

/** What an event source mapping's poll did: the records it handed over and the function's answer. */
export interface DeliveredBatch {
  readonly records: SQSRecord[];
  readonly failedIds: string[];
}

/**
 * One poll of an SQS event source mapping with ReportBatchItemFailures: one ReceiveMessage of up to 10, invoke
 * `handler` with it, delete every record the answer does not list as failed (a thrown handler
 * deletes none). The failed ones stay in flight until their visibility ends, as on AWS.
 */
export async function deliverBatch(
  sqs: SQSClient,
  queueUrl: string,
  handler: (event: { Records: SQSRecord[] }) => Promise<unknown>,
  options: { waitSeconds?: number; visibilityTimeout?: number } = {},
): Promise<DeliveredBatch> {
  const arn = await queueArn(sqs, queueUrl);
  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl,
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: options.waitSeconds ?? 5,
    VisibilityTimeout: options.visibilityTimeout ?? 120,
    MessageSystemAttributeNames: ['All'],
    MessageAttributeNames: ['All'],
  }));
  const records = (out.Messages ?? []).map((m) => toLambdaRecord(m, arn));
  if (records.length === 0) return { records, failedIds: [] };
  let failedIds: string[];
  try {
    const answer = (await handler({ Records: records })) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | null | undefined;
    failedIds = (answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
  } catch {
    failedIds = records.map((r) => r.messageId);
  }
  const done = records.filter((r) => !failedIds.includes(r.messageId));
  if (done.length > 0) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((r, i) => ({ Id: `d${i}`, ReceiptHandle: r.receiptHandle })) }));
  }
  return { records, failedIds };
}
