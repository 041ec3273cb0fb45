/**
 * SQS over the JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Action>`), as the AWS SDK v3 and
 * the AWS CLI speak it. Errors: `__type` com.amazonaws.sqs#<Shape> and the
 * `x-amzn-query-error` header (see ../sqs/errors.ts).
 */
import { SqsError, invalidParameter } from '../sqs/errors.ts';
import { md5OfAttributes } from '../sqs/md5.ts';
import { listQueuePage } from '../sqs/queue-list-page.ts';
import { checkNoFifoOnlyAttributes, checkQueueType, unknownAttribute } from '../sqs/queue-name.ts';
import { policyWithPermission, policyWithoutPermission } from '../sqs/queue-permissions.ts';
import { tagKeysFromWire, tagsFromWire } from '../sqs/queue-tags.ts';
import { checkBatch, checkBatchPayload, eachBatchEntry } from './sqs-batch.ts';
import type { SqsService } from '../sqs/sqs-service.ts';
import type { MessageAttributeValue, ReceivedMessage, SendMessageInput } from '../sqs/types.ts';
import type { MessageLineage } from '../sqs/queue.ts';
import { WireError, type ActionHandler } from './protocol.ts';

type Input = Record<string, unknown>;

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

/** Every name must be an attribute a request may set. */
function checkSettable(names: readonly string[]): void {
  for (const name of names) if (!SETTABLE_ATTRIBUTES.has(name)) throw unknownAttribute(name);
}

/** A list action's NextToken (an empty one is none). */
function nextTokenOf(input: Input): string | undefined {
  return typeof input['NextToken'] === 'string' && input['NextToken'] !== '' ? input['NextToken'] : undefined;
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

/** A list-of-strings member: [] when absent; any other type, or an item that is not a string, is refused. */
function strings(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidParameter(`Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: must be a list of strings.`);
  }
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

function wantedAttributes(message: ReceivedMessage, names: readonly string[]): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  if (names.includes('All')) return { ...message.Attributes };
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = message.Attributes[name];
    if (value !== undefined) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function wantedMessageAttributes(message: ReceivedMessage, names: readonly string[]): { attributes?: Record<string, unknown>; md5?: string } {
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

export function sqsActions(sqs: SqsService): Record<string, ActionHandler> {
  const queueOf = (input: Input) => sqs.get(str(input, 'QueueUrl'));
  return {
    async CreateQueue(input) {
      const name = str(input, 'QueueName');
      const attributes = (input['Attributes'] ?? {}) as Record<string, string>;
      checkSettable(Object.keys(attributes));
      checkQueueType(name, attributes);
      const tags = input['tags'] === undefined ? undefined : tagsFromWire(input['tags'], 'tags');
      const info = sqs.createQueue(name, attributes, { failIfDifferent: true, requireRedriveTarget: true, tags });
      await sqs.durable();
      return { QueueUrl: info.url };
    },
    async DeleteQueue(input) {
      sqs.deleteQueue(str(input, 'QueueUrl'));
      await sqs.durable();
      return {};
    },
    async TagQueue(input) {
      const queue = queueOf(input);
      sqs.tagQueue(queue.name, tagsFromWire(input['Tags'], 'Tags'));
      await sqs.durable();
      return {};
    },
    async UntagQueue(input) {
      const queue = queueOf(input);
      sqs.untagQueue(queue.name, tagKeysFromWire(input['TagKeys']));
      await sqs.durable();
      return {};
    },
    ListQueueTags(input) {
      const queue = queueOf(input);
      return Object.keys(queue.tags).length > 0 ? { Tags: { ...queue.tags } } : {};
    },
    async AddPermission(input) {
      const queue = queueOf(input);
      const list = (name: string): string[] => (Array.isArray(input[name]) ? (input[name] as unknown[]).filter((v): v is string => typeof v === 'string') : []);
      const Policy = policyWithPermission(queue.attributes['Policy'], queue.arn, {
        label: str(input, 'Label'), accountIds: list('AWSAccountIds'), actions: list('Actions'),
      });
      sqs.createQueue(queue.name, { Policy });
      await sqs.durable();
      return {};
    },
    async RemovePermission(input) {
      const queue = queueOf(input);
      const Policy = policyWithoutPermission(queue.attributes['Policy'], queue.arn, str(input, 'Label'));
      sqs.createQueue(queue.name, { Policy });
      await sqs.durable();
      return {};
    },
    GetQueueUrl(input) {
      const queue = sqs.get(str(input, 'QueueName'));
      return { QueueUrl: sqs.urlOf(queue.name) };
    },
    ListQueues(input) {
      const prefix = typeof input['QueueNamePrefix'] === 'string' ? input['QueueNamePrefix'] : '';
      const page = listQueuePage(sqs.list().map((q) => q.name), prefix, int(input, 'MaxResults'), nextTokenOf(input));
      return {
        ...(page.names.length > 0 && { QueueUrls: page.names.map((name) => sqs.urlOf(name)) }),
        ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
      };
    },
    // "ListDeadLetterSourceQueues - Amazon Simple Queue Service": paged as ListQueues; the
    // response member is spelled `queueUrls` (and always present).
    ListDeadLetterSourceQueues(input) {
      const sources = sqs.deadLetterSources(queueOf(input)).map((q) => q.name);
      const page = listQueuePage(sources, '', int(input, 'MaxResults'), nextTokenOf(input));
      return {
        queueUrls: page.names.map((name) => sqs.urlOf(name)),
        ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
      };
    },
    GetQueueAttributes(input) {
      const queue = queueOf(input);
      const names = strings(input, 'AttributeNames');
      if (!queue.fifo) checkNoFifoOnlyAttributes(names);
      const all = sqs.attributesOf(queue);
      if (names.includes('All')) return { Attributes: all };
      const out: Record<string, string> = {};
      for (const name of names) {
        if (all[name] !== undefined) out[name] = all[name]!;
        else if (!SETTABLE_ATTRIBUTES.has(name) && !name.startsWith('Approximate') && !['QueueArn', 'CreatedTimestamp', 'LastModifiedTimestamp'].includes(name)) {
          throw unknownAttribute(name);
        }
      }
      return Object.keys(out).length > 0 ? { Attributes: out } : {};
    },
    async SetQueueAttributes(input) {
      const queue = queueOf(input);
      const attributes = (input['Attributes'] ?? {}) as Record<string, string>;
      checkSettable(Object.keys(attributes));
      if (!queue.fifo) checkNoFifoOnlyAttributes(Object.keys(attributes));
      sqs.createQueue(queue.name, attributes, { requireRedriveTarget: true });
      await sqs.durable();
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
      const entries = checkBatch(input['Entries']);
      checkBatchPayload(entries);
      const result = eachBatchEntry(entries, (entry) => {
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
      // Checked before receiving: a refused request takes no message.
      const systemNames = [...strings(input, 'AttributeNames'), ...strings(input, 'MessageSystemAttributeNames')];
      const messageAttributeNames = strings(input, 'MessageAttributeNames');
      const messages = await sqs.receive(queue.name, {
        maxNumberOfMessages: int(input, 'MaxNumberOfMessages'),
        visibilityTimeout: int(input, 'VisibilityTimeout'),
        waitTimeSeconds: wait,
        // A client that hangs up during a long poll must not take messages it never sees.
        signal: context.signal,
        ...(context.caller && { principal: context.caller.arn }),
      });
      return {
        Messages: messages.map((m) => {
          const { attributes, md5 } = wantedMessageAttributes(m, messageAttributeNames);
          const systemAttributes = wantedAttributes(m, systemNames);
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
      const result = eachBatchEntry(checkBatch(input['Entries']), (entry) => {
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
      const result = eachBatchEntry(checkBatch(input['Entries']), (entry) => {
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
      const TaskHandle = sqs.moveTasks.start({
        sourceArn: str(input, 'SourceArn'),
        ...(typeof input['DestinationArn'] === 'string' && { destinationArn: input['DestinationArn'] }),
        ...(input['MaxNumberOfMessagesPerSecond'] != null && { maxNumberOfMessagesPerSecond: int(input, 'MaxNumberOfMessagesPerSecond') }),
      });
      await sqs.durable();
      return { TaskHandle };
    },
    ListMessageMoveTasks(input) {
      return { Results: sqs.moveTasks.list(str(input, 'SourceArn'), int(input, 'MaxResults')) };
    },
    CancelMessageMoveTask(input) {
      return { ApproximateNumberOfMessagesMoved: sqs.moveTasks.cancel(str(input, 'TaskHandle')).moved };
    },
  };
}
