/**
 * The flow target of the local engine: the flow from the cloud assembly `busline dev` runs
 * (dev.json in the state folder), the engine's wire endpoint for every client, its journal for
 * queue ages and log lines. The engine has no CloudWatch: no alarm states.
 */
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { readDevSession, type DevSession } from './dev-session.ts';
import { loadFlowContext } from './flow-context.ts';
import { localClients } from './aws-clients.ts';
import { journalPath, readJournal } from './journal-file.ts';
import { oldestMessageAges } from './journal-queue-age.ts';
import { findSubscription, type FlowTarget, type TargetQueue, type TargetSubscription, type TargetLogLine } from './flow-target.ts';

export interface LocalTargetOptions {
  readonly stateDir: string;
  /** Overrides the session's endpoint (--endpoint, BUSLINE_ENDPOINT). */
  readonly endpoint?: string;
}

export async function openLocalTarget(options: LocalTargetOptions): Promise<FlowTarget> {
  const session: DevSession = readDevSession(options.stateDir);
  const context = loadFlowContext(session.assemblyDir);
  const { model } = context;
  const endpoint = options.endpoint ?? process.env.BUSLINE_ENDPOINT ?? session.endpoint;
  const clients = localClients(endpoint, model.region);
  const queue = async (name: string | undefined, arn: string | undefined): Promise<TargetQueue | undefined> => {
    if (name === undefined || arn === undefined) return undefined;
    const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
    return { name, arn, url };
  };
  const subscriptions: TargetSubscription[] = [];
  for (const s of context.subscriptions) {
    const rule = model.rules.find((r) => r.name === s.ruleName);
    const fn = model.functions.find((f) => f.name === s.functionName);
    const [q, dlq, deliveryDlq] = await Promise.all([queue(s.queueName, s.queueArn), queue(s.dlqName, s.dlqArn), queue(s.deliveryDlqName, s.deliveryDlqArn)]);
    const env = new Set(Object.values(fn?.environment ?? {}));
    const tables = model.tables.filter((t) => env.has(t.name)).map((t) => t.name);
    subscriptions.push({
      name: s.name, flow: s.flow, manifest: s.manifest, busName: s.busName,
      ...(rule ? { rule: { name: rule.name, arn: rule.arn } } : {}),
      ...(fn ? { function: { name: fn.name, arn: fn.arn } } : {}),
      ...(q ? { queue: q } : {}),
      ...(dlq ? { dlq } : {}),
      ...(deliveryDlq ? { deliveryDlq } : {}),
      ...(tables.length ? { tables } : {}),
    });
  }
  const flows = context.flows.map((f) => {
    const bus = model.buses.find((b) => b.name === f.busName)!;
    const archive = model.archives.find((a) => a.busName === f.busName);
    return {
      manifest: f.manifest, busName: f.busName, busArn: bus.arn,
      ...(f.piiKeyArn ? { piiKeyArn: f.piiKeyArn } : {}),
      ...(archive ? { archive: { name: archive.name, arn: `arn:aws:events:${model.region}:${model.account}:archive/${archive.name}` } } : {}),
    };
  });
  const journal = journalPath(session.stateDir);
  return {
    description: `the local engine at ${endpoint}`,
    region: model.region,
    projectDir: session.projectDir,
    flows, subscriptions, clients,
    subscription: (name) => findSubscription(subscriptions, name),
    async oldestMessageAgeSeconds(q) {
      return oldestMessageAges(readJournal(journal).records, Date.now()).get(q.name);
    },
    async alarmStates() {
      return [];
    },
    async logLines(since, of) {
      const byFunction = new Map(of.flatMap((s) => (s.function ? [[s.function.name, s.name] as const] : [])));
      const lines: TargetLogLine[] = [];
      for (const r of readJournal(journal).records) {
        if (r.kind !== 'invocation.finished' || !byFunction.has(r.functionName)) continue;
        const at = new Date(r.at);
        if (at < since) continue;
        for (const text of r.logs ?? []) lines.push({ at, subscription: byFunction.get(r.functionName)!, text });
      }
      return lines;
    },
  };
}
