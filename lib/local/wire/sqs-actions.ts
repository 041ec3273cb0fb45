/**
 * SQS over the JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Action>`), as the AWS SDK v3 and
 * the AWS CLI speak it. Errors: `__type` com.amazonaws.sqs#<Shape> and the
 * `x-amzn-query-error` header (see ../sqs/errors.ts).
 */
import { randomUUID } from 'node:crypto';
import { SqsError, invalidParameter } from '../sqs/errors.ts';
import { md5OfAttributes } from '../sqs/md5.ts';
import type { SqsService } from '../sqs/sqs-service.ts';
import type { MessageAttributeValue, ReceivedMessage, SendMessageInput } from '../sqs/types.ts';
import type { MessageLineage } from '../sqs/queue.ts';
import { WireError, type ActionHandler } from './protocol.ts';

type Input = Record<string, unknown>;

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const SETTABLE_ATTRIBUTES = new Set([
  'DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'Policy', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout',
  'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled',
  'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit',
]);

export function toWireError(error: unknown): WireError | undefined {
  if (error instanceof SqsError) {
    return new WireError(error.wireType, error.message, error.httpStatus, { 'x-amzn-query-error': error.queryError });
  }
  return undefined;
}

function missing(name: string): SqsError {
  return new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
}

function str(input: Input, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.length === 0) throw missing(name);
  return value;
}

function int(input: Input, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParameter(`Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: must be an integer.`);
  return value;
}

function messageAttributes(value: unknown, parameter: string): Record<string, MessageAttributeValue> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw invalidParameter(`${parameter} must be a map of name → {DataType, StringValue | BinaryValue}.`);
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    const attribute = raw as { DataType?: unknown; StringValue?: unknown; BinaryValue?: unknown };
    out[name] = {
      DataType: typeof attribute?.DataType === 'string' ? attribute.DataType : '',
      ...(typeof attribute?.StringValue === 'string' && { StringValue: attribute.StringValue }),
      ...(typeof attribute?.BinaryValue === 'string' && { BinaryValue: Buffer.from(attribute.BinaryValue, 'base64') }),
    };
  }
  return out;
}

function sendInput(input: Input): SendMessageInput {
  const body = input['MessageBody'];
  if (typeof body !== 'string') throw missing('MessageBody');
  return {
    MessageBody: body,
    DelaySeconds: int(input, 'DelaySeconds'),
    MessageAttributes: messageAttributes(input['MessageAttributes'], 'MessageAttributes'),
    MessageSystemAttributes: messageAttributes(input['MessageSystemAttributes'], 'MessageSystemAttributes'),
    ...(typeof input['MessageGroupId'] === 'string' && { MessageGroupId: input['MessageGroupId'] }),
    ...(typeof input['MessageDeduplicationId'] === 'string' && { MessageDeduplicationId: input['MessageDeduplicationId'] }),
  };
}

/**
 * Lineage of a message a client sends: when the body is an EventBridge event (a handler
 * forwarding to its DLQ, say), the journal can tie the message to that event.
 */
function lineageFromBody(body: string): MessageLineage | undefined {
  if (body.charCodeAt(0) !== 123 /* { */ || !body.includes('"detail-type"')) return undefined;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const event = (typeof parsed['detail-type'] === 'string' ? parsed : parsed['event'] ?? parsed['originalEvent']) as Record<string, unknown> | undefined;
    if (!event || typeof event['id'] !== 'string') return undefined;
    const metadata = (event['detail'] as { metadata?: { correlationId?: unknown } } | undefined)?.metadata;
    return {
      eventId: event['id'],
      ...(typeof event['detail-type'] === 'string' && { topic: event['detail-type'] }),
      ...(typeof metadata?.correlationId === 'string' && { correlationId: metadata.correlationId }),
    };
  } catch {
    return undefined;
  }
}

function checkBatch(entries: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(entries) || entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const ids = new Set<string>();
  for (const entry of entries as Array<Record<string, unknown>>) {
    const id = entry?.['Id'];
    if (typeof id !== 'string' || !BATCH_ID.test(id)) {
      throw new SqsError('InvalidBatchEntryId', `A batch entry id can only contain alphanumeric characters, hyphens and underscores, and be at most 80 letters long: ${JSON.stringify(id)}.`);
    }
    if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries as Array<Record<string, unknown>>;
}

/**
 * Runs `each` on every entry of a batch request: as on SQS, one entry failing does not stop the
 * others; it is reported under `Failed` with its code, the rest under `Successful`.
 */
function eachBatchEntry(input: Input, each: (entry: Record<string, unknown>) => object | void): { Successful: unknown[]; Failed: unknown[] } {
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const entry of checkBatch(input['Entries'])) {
    const id = entry['Id'] as string;
    try {
      Successful.push({ Id: id, ...each(entry) });
    } catch (error) {
      Failed.push(failedEntry(id, error));
    }
  }
  return { Successful, Failed };
}

function failedEntry(id: string, error: unknown): { Id: string; SenderFault: boolean; Code: string; Message: string } {
  if (error instanceof SqsError) return { Id: id, SenderFault: error.httpStatus < 500, Code: error.code, Message: error.message };
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: (error as Error).message };
}

function wantedAttributes(message: ReceivedMessage, input: Input): Record<string, string> | undefined {
  const names = [
    ...((Array.isArray(input['AttributeNames']) ? input['AttributeNames'] : []) as string[]),
    ...((Array.isArray(input['MessageSystemAttributeNames']) ? input['MessageSystemAttributeNames'] : []) as string[]),
  ];
  if (names.length === 0) return undefined;
  if (names.includes('All')) return { ...message.Attributes };
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = message.Attributes[name];
    if (value !== undefined) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function wantedMessageAttributes(message: ReceivedMessage, input: Input): { attributes?: Record<string, unknown>; md5?: string } {
  const names = Array.isArray(input['MessageAttributeNames']) ? (input['MessageAttributeNames'] as string[]) : [];
  if (!message.MessageAttributes || names.length === 0) return {};
  const all = names.includes('All') || names.includes('.*');
  const picked: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes)) {
    if (all || names.includes(name) || names.some((n) => n.endsWith('.*') && name.startsWith(n.slice(0, -1)))) picked[name] = value;
  }
  if (Object.keys(picked).length === 0) return {};
  const wire: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(picked)) {
    wire[name] = value.BinaryValue !== undefined
      ? { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue).toString('base64') }
      : { DataType: value.DataType, StringValue: value.StringValue };
  }
  return { attributes: wire, md5: md5OfAttributes(picked) };
}

interface MoveTask {
  TaskHandle: string;
  Status: string;
  SourceArn: string;
  DestinationArn?: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
}

export function sqsActions(sqs: SqsService): Record<string, ActionHandler> {
  const moveTasks: MoveTask[] = [];
  const queueOf = (input: Input) => sqs.get(str(input, 'QueueUrl'));
  return {
    CreateQueue(input) {
      const name = str(input, 'QueueName');
      const attributes = (input['Attributes'] ?? {}) as Record<string, string>;
      for (const key of Object.keys(attributes)) {
        if (!SETTABLE_ATTRIBUTES.has(key)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${key}.`);
      }
      const info = sqs.createQueue(name, attributes, { failIfDifferent: true });
      return { QueueUrl: info.url };
    },
    GetQueueUrl(input) {
      const queue = sqs.get(str(input, 'QueueName'));
      return { QueueUrl: sqs.urlOf(queue.name) };
    },
    ListQueues(input) {
      const prefix = typeof input['QueueNamePrefix'] === 'string' ? input['QueueNamePrefix'] : '';
      const max = int(input, 'MaxResults') ?? 1000;
      const urls = sqs.list(prefix).slice(0, max).map((q) => sqs.urlOf(q.name));
      return urls.length > 0 ? { QueueUrls: urls } : {};
    },
    GetQueueAttributes(input) {
      const queue = queueOf(input);
      const names = Array.isArray(input['AttributeNames']) ? (input['AttributeNames'] as string[]) : [];
      const all = sqs.attributesOf(queue);
      if (names.includes('All')) return { Attributes: all };
      const out: Record<string, string> = {};
      for (const name of names) {
        if (all[name] !== undefined) out[name] = all[name]!;
        else if (!SETTABLE_ATTRIBUTES.has(name) && !name.startsWith('Approximate') && !['QueueArn', 'CreatedTimestamp', 'LastModifiedTimestamp'].includes(name)) {
          throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
        }
      }
      return Object.keys(out).length > 0 ? { Attributes: out } : {};
    },
    SetQueueAttributes(input) {
      const queue = queueOf(input);
      const attributes = (input['Attributes'] ?? {}) as Record<string, string>;
      for (const key of Object.keys(attributes)) {
        if (!SETTABLE_ATTRIBUTES.has(key)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${key}.`);
      }
      sqs.createQueue(queue.name, attributes);
      return {};
    },
    async SendMessage(input) {
      const queue = queueOf(input);
      const message = sendInput(input);
      const result = sqs.send(queue, message, 'send', lineageFromBody(message.MessageBody));
      await sqs.durable();
      return result;
    },
    async SendMessageBatch(input) {
      const queue = queueOf(input);
      const result = eachBatchEntry(input, (entry) => {
        const message = sendInput(entry);
        return sqs.send(queue, message, 'send', lineageFromBody(message.MessageBody));
      });
      await sqs.durable();
      return result;
    },
    async ReceiveMessage(input, context) {
      const queue = queueOf(input);
      const wait = int(input, 'WaitTimeSeconds');
      if (wait !== undefined && (wait < 0 || wait > 20)) {
        throw invalidParameter(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
      }
      const messages = await sqs.receive(queue.name, {
        maxNumberOfMessages: int(input, 'MaxNumberOfMessages'),
        visibilityTimeout: int(input, 'VisibilityTimeout'),
        waitTimeSeconds: wait,
        // A client that hangs up during a long poll must not take messages it never sees.
        signal: context.signal,
      });
      return {
        Messages: messages.map((m) => {
          const { attributes, md5 } = wantedMessageAttributes(m, input);
          const systemAttributes = wantedAttributes(m, input);
          return {
            MessageId: m.MessageId,
            ReceiptHandle: m.ReceiptHandle,
            MD5OfBody: m.MD5OfBody,
            Body: m.Body,
            ...(systemAttributes && { Attributes: systemAttributes }),
            ...(attributes && { MessageAttributes: attributes, MD5OfMessageAttributes: md5 }),
          };
        }),
      };
    },
    async DeleteMessage(input) {
      sqs.deleteMessage(queueOf(input).name, str(input, 'ReceiptHandle'));
      await sqs.durable();
      return {};
    },
    async DeleteMessageBatch(input) {
      const queue = queueOf(input);
      const result = eachBatchEntry(input, (entry) => {
        sqs.deleteMessage(queue.name, str(entry, 'ReceiptHandle'));
      });
      await sqs.durable();
      return result;
    },
    async ChangeMessageVisibility(input) {
      const seconds = int(input, 'VisibilityTimeout');
      if (seconds === undefined) throw missing('VisibilityTimeout');
      sqs.changeVisibility(queueOf(input).name, str(input, 'ReceiptHandle'), seconds);
      await sqs.durable();
      return {};
    },
    async ChangeMessageVisibilityBatch(input) {
      const queue = queueOf(input);
      const result = eachBatchEntry(input, (entry) => {
        const seconds = int(entry, 'VisibilityTimeout');
        if (seconds === undefined) throw missing('VisibilityTimeout');
        sqs.changeVisibility(queue.name, str(entry, 'ReceiptHandle'), seconds);
      });
      await sqs.durable();
      return result;
    },
    async PurgeQueue(input) {
      sqs.purge(queueOf(input).name);
      await sqs.durable();
      return {};
    },
    async StartMessageMoveTask(input) {
      const sourceArn = str(input, 'SourceArn');
      const source = sqs.find(sourceArn);
      if (!source) throw new SqsError('ResourceNotFoundException', `The resource that you specified for the SourceArn parameter doesn't exist: ${sourceArn}.`);
      const destinationArn = typeof input['DestinationArn'] === 'string' ? input['DestinationArn'] : undefined;
      if (destinationArn && !sqs.find(destinationArn)) {
        throw new SqsError('ResourceNotFoundException', `The resource that you specified for the DestinationArn parameter doesn't exist: ${destinationArn}.`);
      }
      const toMove = source.messages.size;
      const { moved } = sqs.moveMessages(source.name, destinationArn);
      await sqs.durable();
      const task: MoveTask = {
        TaskHandle: Buffer.from(JSON.stringify({ id: randomUUID(), sourceArn })).toString('base64'),
        Status: 'COMPLETED',
        SourceArn: source.arn,
        ...(destinationArn && { DestinationArn: destinationArn }),
        ApproximateNumberOfMessagesMoved: moved,
        ApproximateNumberOfMessagesToMove: toMove,
        StartedTimestamp: Date.now(),
      };
      moveTasks.push(task);
      return { TaskHandle: task.TaskHandle };
    },
    ListMessageMoveTasks(input) {
      const source = sqs.find(str(input, 'SourceArn'));
      if (!source) throw new SqsError('ResourceNotFoundException', `The resource that you specified for the SourceArn parameter doesn't exist.`);
      return { Results: moveTasks.filter((t) => t.SourceArn === source.arn).reverse().slice(0, int(input, 'MaxResults') ?? 1) };
    },
  };
}
