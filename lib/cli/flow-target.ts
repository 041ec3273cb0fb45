/**
 * What a command works on: one flow target, either the local engine (`busline dev`'s session)
 * or a deployed stack (`--stack`). Both answer the same questions — the flow's subscriptions
 * with the physical names, ARNs and URLs of their rule, queue, DLQ and function; the clients to
 * reach them; how old the oldest message of a queue is; alarm states; log lines — so a command
 * is written once, and the target decides how each answer is found.
 */
import type { FlowClients } from './aws-clients.ts';
import type { FlowManifest, FlowSubscription } from '../schema/flow-manifest.ts';

/** A queue of the flow, as SQS names it. */
export interface TargetQueue {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
}

/** One subscription with its physical resources (absent ones: the flow does not have them). */
export interface TargetSubscription {
  readonly name: string;
  readonly flow: string;
  readonly manifest: FlowSubscription;
  readonly busName: string;
  readonly rule?: { readonly name: string; readonly arn: string };
  readonly function?: { readonly name: string; readonly arn: string };
  /** The queue between rule and function; absent for direct delivery. */
  readonly queue?: TargetQueue;
  readonly dlq?: TargetQueue;
  /**
   * Where the rule's delivery failures go when that is not `dlq`: an ordered subscription's
   * standard queue beside its FIFO `dlq` (EventBridge cannot send to a FIFO DLQ).
   */
  readonly deliveryDlq?: TargetQueue;
  /** Tables the function is given by name in its environment (known on the local engine). */
  readonly tables?: readonly string[];
}

export interface TargetFlow {
  readonly manifest: FlowManifest;
  readonly busName: string;
  readonly busArn: string;
  /** ARN of the flow's PII key (FlowManifest.piiKeyLogicalId); absent without one. */
  readonly piiKeyArn?: string;
  /** The flow's archive, when the bus has one. */
  readonly archive?: { readonly name: string; readonly arn: string };
}

export interface AlarmState {
  readonly name: string;
  /** OK | ALARM | INSUFFICIENT_DATA */
  readonly state: string;
}

/** One log line of a subscription's function, as written. */
export interface TargetLogLine {
  readonly at: Date;
  readonly subscription: string;
  readonly text: string;
}

export interface FlowTarget {
  /** For messages: "the local engine at http://127.0.0.1:4747", "stack Signups (eu-west-1)". */
  readonly description: string;
  readonly region: string;
  /** The folder the manifests' `schemasDir` is relative to. */
  readonly projectDir: string;
  readonly flows: readonly TargetFlow[];
  readonly subscriptions: readonly TargetSubscription[];
  readonly clients: FlowClients;
  /** Throws UnknownSubscriptionError naming the subscriptions there are. */
  subscription(name: string): TargetSubscription;
  /**
   * Age in seconds of the oldest message on the queue, as the target knows it: CloudWatch's
   * ApproximateAgeOfOldestMessage on AWS, the engine's own journal locally. Undefined when
   * there is no figure (an empty queue, no datapoint yet).
   */
  oldestMessageAgeSeconds(queue: TargetQueue): Promise<number | undefined>;
  /** The CloudWatch alarms of the subscription's resources (none on the local engine). */
  alarmStates(subscription: TargetSubscription): Promise<readonly AlarmState[]>;
  /** Log lines of the subscriptions' functions written at or after `since`, oldest first. */
  logLines(since: Date, subscriptions: readonly TargetSubscription[]): Promise<readonly TargetLogLine[]>;
}

export class UnknownSubscriptionError extends Error {
  override readonly name = 'UnknownSubscriptionError';
}

/** The subscription lookup every view of a flow shares. */
export function findSubscription<T extends { readonly name: string }>(subscriptions: readonly T[], name: string): T {
  const found = subscriptions.find((s) => s.name === name);
  if (!found) {
    const known = subscriptions.map((s) => s.name).join(', ') || '(none: no Busline flow found)';
    throw new UnknownSubscriptionError(`no subscription named "${name}"; the flow has: ${known}`);
  }
  return found;
}
