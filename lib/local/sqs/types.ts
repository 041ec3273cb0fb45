/**
 * Public shapes of the local SQS emulation. Attribute names and values follow the SQS API
 * (string-valued attributes, as in CreateQueue / GetQueueAttributes), so a CloudFormation
 * AWS::SQS::Queue's properties map onto them one to one.
 */

/** Queue attributes as the SQS API spells them; every value is a string, as on the wire. */
export interface QueueAttributes {
  /** Seconds a received message stays hidden. @default "30" */
  readonly VisibilityTimeout?: string;
  /** Seconds every new message is delayed (0–900). @default "0" */
  readonly DelaySeconds?: string;
  /** Seconds a message is kept (60–1,209,600). @default "345600" (4 days) */
  readonly MessageRetentionPeriod?: string;
  /** Largest message body in bytes. @default "1048576" */
  readonly MaximumMessageSize?: string;
  /** Default long-poll wait of ReceiveMessage (0–20 s). @default "0" */
  readonly ReceiveMessageWaitTimeSeconds?: string;
  /** JSON `{"deadLetterTargetArn": "...", "maxReceiveCount": n}`; "" removes the redrive policy. */
  readonly RedrivePolicy?: string;
  /** JSON `{"redrivePermission": "allowAll" | "denyAll" | "byQueue", "sourceQueueArns": [...]}` (accepted, not enforced). */
  readonly RedriveAllowPolicy?: string;
  /** "true" for a FIFO queue; the name must then end in ".fifo". */
  readonly FifoQueue?: string;
  /** "true": the dedupe id defaults to the SHA-256 of the body. */
  readonly ContentBasedDeduplication?: string;
  /** Accepted and reported back; the local engine does not throttle. */
  readonly DeduplicationScope?: string;
  readonly FifoThroughputLimit?: string;
  /** Accepted and reported back (there is no encryption to emulate locally). */
  readonly KmsMasterKeyId?: string;
  readonly KmsDataKeyReusePeriodSeconds?: string;
  readonly SqsManagedSseEnabled?: string;
  /** The queue's access policy (AddPermission / RemovePermission edit it). Stored and returned, NOT enforced locally: every caller may do everything. "" removes it. */
  readonly Policy?: string;
}

/** A message attribute as in SendMessage: DataType "String" | "Number" | "Binary" (plus ".custom" suffixes). */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Raw bytes (the wire carries them base64-encoded). */
  readonly BinaryValue?: Uint8Array;
}

/** A message to send, as SendMessage takes it. */
export interface SendMessageInput {
  readonly MessageBody: string;
  readonly DelaySeconds?: number;
  readonly MessageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  /** Only AWSTraceHeader is allowed, as on AWS. */
  readonly MessageSystemAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
}

/** The SendMessage response. */
export interface SendMessageResult {
  readonly MessageId: string;
  readonly MD5OfMessageBody: string;
  readonly MD5OfMessageAttributes?: string;
  readonly MD5OfMessageSystemAttributes?: string;
  /** FIFO queues only. */
  readonly SequenceNumber?: string;
}

/** Options of a receive (ReceiveMessage). */
export interface ReceiveOptions {
  /** 1–10. @default 1 */
  readonly maxNumberOfMessages?: number;
  /** Overrides the queue's VisibilityTimeout for these messages (seconds). */
  readonly visibilityTimeout?: number;
  /** Long poll: wait up to this many seconds (0–20 on the wire; any value programmatically) for a message. @default queue's ReceiveMessageWaitTimeSeconds */
  readonly waitTimeSeconds?: number;
  /** Aborts a long poll (resolves with the messages found so far, i.e. none). */
  readonly signal?: AbortSignal;
  /** Who receives (an ARN, for the journal's audit): the caller, or the consuming function's role session. */
  readonly principal?: string;
}

/** A received (or peeked) message, as ReceiveMessage returns it. */
export interface ReceivedMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly Body: string;
  readonly MD5OfBody: string;
  readonly MD5OfMessageAttributes?: string;
  readonly MessageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  /**
   * System attributes, always all of them (callers filter by the names asked for):
   * SenderId, SentTimestamp, ApproximateReceiveCount, ApproximateFirstReceiveTimestamp,
   * and for FIFO MessageGroupId, MessageDeduplicationId, SequenceNumber; AWSTraceHeader
   * when the sender set it; DeadLetterQueueSourceArn after a redrive to a DLQ.
   */
  readonly Attributes: Readonly<Record<string, string>>;
}

/** Summary returned by {@link QueueRegistry.describe}. */
export interface QueueInfo {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
}
