/**
 * The CLI's view of a flow: subscriptions (from the FlowManifest in the bus's metadata) joined
 * with the local physical names of their rule, queue, DLQ and function, so commands take
 * `send-welcome` rather than `Signups-SendWelcomeQueue…-1A2B…`.
 */
import { readCloudAssembly } from '../local/assembly/cloud-assembly.ts';
import { loadAppModel } from '../local/assembly/load-app-model.ts';
import type { LocalAppModel, ResourceRef } from '../local/assembly/app-model.ts';
import type { FlowManifest, FlowSubscription } from '../schema/flow-manifest.ts';
import { findSubscription } from './flow-target.ts';

export interface SubscriptionView {
  readonly name: string;
  readonly flow: string;
  readonly manifest: FlowSubscription;
  readonly busName: string;
  readonly ruleName?: string;
  readonly functionName?: string;
  readonly queueName?: string;
  readonly queueArn?: string;
  readonly dlqName?: string;
  readonly dlqArn?: string;
  /** An ordered subscription's rule-target DLQ (FlowSubscription.resources.deliveryDlq). */
  readonly deliveryDlqName?: string;
  readonly deliveryDlqArn?: string;
}

/** A flow of the assembly with the local names of its bus and of its PII key. */
export interface FlowView {
  readonly manifest: FlowManifest;
  readonly busName: string;
  readonly stackName: string;
  /** ARN of the flow's PII key as the engine serves it (FlowManifest.piiKeyLogicalId); absent without one. */
  readonly piiKeyArn?: string;
}

export interface FlowContext {
  readonly model: LocalAppModel;
  readonly flows: readonly FlowView[];
  readonly subscriptions: readonly SubscriptionView[];
  subscription(name: string): SubscriptionView;
  /** Subscription name for a physical function, rule or queue name, else the name itself. */
  label(physicalName: string): string;
}

export { UnknownSubscriptionError } from './flow-target.ts';

export function loadFlowContext(assemblyDir: string): FlowContext {
  // Queue URLs are not needed by the CLI (it asks the engine with GetQueueUrl).
  const model = loadAppModel(readCloudAssembly(assemblyDir), { queueUrl: (a, r, name) => name });
  const find = <T extends ResourceRef>(list: readonly T[], stackName: string, logicalId: string | undefined): T | undefined =>
    logicalId === undefined ? undefined : list.find((x) => x.stackName === stackName && x.logicalId === logicalId);
  const flows: FlowView[] = model.buses.filter((b) => b.flow).map((b) => {
    const piiKey = find(model.keys, b.stackName, b.flow!.piiKeyLogicalId);
    return { manifest: b.flow!, busName: b.name, stackName: b.stackName, ...(piiKey ? { piiKeyArn: piiKey.arn } : {}) };
  });
  const subscriptions: SubscriptionView[] = [];
  const labels = new Map<string, string>();
  for (const flow of flows) {
    for (const s of flow.manifest.subscriptions) {
      const rule = find(model.rules, flow.stackName, s.resources.rule);
      const fn = find(model.functions, flow.stackName, s.resources.function);
      const queue = find(model.queues, flow.stackName, s.resources.queue);
      const dlq = find(model.queues, flow.stackName, s.resources.dlq);
      const deliveryDlq = find(model.queues, flow.stackName, s.resources.deliveryDlq);
      subscriptions.push({
        name: s.name, flow: flow.manifest.flow, manifest: s, busName: flow.busName,
        ...(rule ? { ruleName: rule.name } : {}),
        ...(fn ? { functionName: fn.name } : {}),
        ...(queue ? { queueName: queue.name, queueArn: queue.arn } : {}),
        ...(dlq ? { dlqName: dlq.name, dlqArn: dlq.arn } : {}),
        ...(deliveryDlq ? { deliveryDlqName: deliveryDlq.name, deliveryDlqArn: deliveryDlq.arn } : {}),
      });
      for (const physical of [rule?.name, fn?.name, queue?.name]) if (physical) labels.set(physical, s.name);
      if (dlq) labels.set(dlq.name, `${s.name} (DLQ)`);
      if (deliveryDlq) labels.set(deliveryDlq.name, `${s.name} (delivery DLQ)`);
    }
  }
  return {
    model, flows, subscriptions,
    subscription: (name) => findSubscription(subscriptions, name),
    label: (physical) => labels.get(physical) ?? physical,
  };
}
