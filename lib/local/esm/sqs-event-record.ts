/**
 * Turns a received SQS message into the record shape Lambda's SQS event source delivers
 * (`event.Records[i]`), field for field as on AWS.
 */
import type { ReceivedMessage } from '../sqs/types.ts';

export interface SqsMessageAttributeRecord {
  readonly stringValue?: string;
  readonly binaryValue?: string;
  readonly stringListValues: readonly string[];
  readonly binaryListValues: readonly string[];
  readonly dataType: string;
}

export interface SqsEventRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, SqsMessageAttributeRecord>>;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

/** System attributes Lambda passes in `attributes` (DeadLetterQueueSourceArn is SQS-API only). */
const RECORD_ATTRIBUTES = [
  'ApproximateReceiveCount', 'AWSTraceHeader', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp',
  'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId',
] as const;

export function toSqsEventRecord(message: ReceivedMessage, queueArn: string, region: string): SqsEventRecord {
  const attributes: Record<string, string> = {};
  for (const name of RECORD_ATTRIBUTES) {
    const value = message.Attributes[name];
    if (value !== undefined) attributes[name] = value;
  }
  const messageAttributes: Record<string, SqsMessageAttributeRecord> = {};
  for (const [name, a] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: Buffer.from(a.BinaryValue).toString('base64') } : {}),
      stringListValues: [], binaryListValues: [], dataType: a.DataType,
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
