/**
 * `busline dlq list | show <subscription> | redrive <subscription>`: dead-letter queues of the
 * flow's subscriptions, over the SQS wire API of the running engine.
 */
import {
  GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, StartMessageMoveTaskCommand, type SQSClient,
} from '@aws-sdk/client-sqs';
import { DEFAULT_STATE_DIR, readDevSession } from '../dev-session.ts';
import { loadFlowContext, type SubscriptionView } from '../flow-context.ts';
import { localClients } from '../aws-clients.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = 'list dead-letter queues, show their messages with reasons, redrive them';

const HELP = `usage: busline dlq list
       busline dlq show <subscription> [--max 10]
       busline dlq redrive <subscription>
  options: --state .busline, --endpoint <url>`;

async function queueUrl(sqs: SQSClient, name: string): Promise<string> {
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
}

async function depth(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }))).Attributes ?? {};
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

function withDlq(s: SubscriptionView): s is SubscriptionView & { dlqName: string; dlqArn: string } {
  return s.dlqName !== undefined && s.dlqArn !== undefined;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv, allowPositionals: true,
    options: {
      state: { type: 'string', default: DEFAULT_STATE_DIR }, endpoint: { type: 'string' },
      max: { type: 'string', default: '10' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [action, name] = positionals;
  if (!action) { console.error(HELP); return 2; }
  const session = readDevSession(values.state);
  const context = loadFlowContext(session.assemblyDir);
  const { sqs } = localClients(values.endpoint ?? process.env.BUSLINE_ENDPOINT ?? session.endpoint, context.model.region);

  if (action === 'list') {
    console.log(`${'subscription'.padEnd(22)}${'messages'.padStart(9)}  queue`);
    for (const s of context.subscriptions.filter(withDlq)) {
      const d = await depth(sqs, await queueUrl(sqs, s.dlqName));
      console.log(`${s.name.padEnd(22)}${String(d.visible + d.inFlight).padStart(9)}  ${s.dlqName}`);
    }
    return 0;
  }
  if (!name) { console.error(`busline dlq ${action}: name the subscription\n${HELP}`); return 2; }
  const sub = context.subscription(name);
  if (!withDlq(sub)) { console.error(`busline dlq: subscription ${name} has no dead-letter queue`); return 1; }
  const url = await queueUrl(sqs, sub.dlqName);

  if (action === 'show') {
    // VisibilityTimeout 0: peek without hiding the messages (each peek counts as a receive, as on AWS).
    const out = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: Math.min(10, Number(values.max)), VisibilityTimeout: 0,
      MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) { console.log(`${sub.dlqName} is empty`); return 0; }
    for (const m of messages) {
      console.log(`message ${m.MessageId}  sent ${new Date(Number(m.Attributes?.SentTimestamp ?? 0)).toISOString()}`);
      for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) console.log(`  ${k}: ${v.StringValue ?? '(binary)'}`);
      if (m.Attributes?.DeadLetterQueueSourceArn) console.log(`  from: ${m.Attributes.DeadLetterQueueSourceArn} after ${m.Attributes.ApproximateReceiveCount} receives`);
      const body = m.Body ?? '';
      console.log(`  body: ${body.length > 400 ? `${body.slice(0, 400)}…` : body}`);
    }
    return 0;
  }
  if (action === 'redrive') {
    if (!sub.queueArn) {
      console.error(`busline dlq redrive: ${name} is a direct (rule → Lambda) subscription: its DLQ holds Lambda failure records, which have no source queue to move back to; re-publish the events instead`);
      return 1;
    }
    const before = await depth(sqs, url);
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sub.dlqArn, DestinationArn: sub.queueArn }));
    console.log(`redrive of ${before.visible} message(s) from ${sub.dlqName} to ${sub.queueName} started (task ${task.TaskHandle ?? '-'})`);
    return 0;
  }
  console.error(`busline dlq: unknown action "${action}"\n${HELP}`);
  return 2;
}
