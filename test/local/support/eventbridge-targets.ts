/**
 * EventBridge scenario tests over the wire against the local engine and, where moto_server
 * agrees with the documented AWS behaviour, against moto_server too (an independent emulator:
 * a case that passes there checks the case itself, not only the engine).
 *
 *   eventBridgeTargets();                     // before/after hooks registered here
 *   scenario('what it shows', { moto: true }, async (t) => { ... t.events ... });
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { EngineFixture } from './engine-fixture.ts';
import { conformanceTargets, type ConformanceTargets } from './conformance-targets.ts';

export interface EventBridgeTarget {
  readonly name: 'engine' | 'moto_server';
  readonly events: EventBridgeClient;
  /** SQS of the same endpoint (rule targets). */
  readonly sqs: SQSClient;
  readonly account: string;
  /** A name unique within the run (buses, rules). */
  unique(prefix: string): string;
  /** An SQS queue ARN of this target's account (targets need not exist to be declared). */
  queueArn(name: string): string;
}

let targets: ConformanceTargets<{ events: EventBridgeClient; sqs: SQSClient }> | undefined;
let n = 0;

/** Registers the hooks that start the engine and moto_server once for the file. */
export function eventBridgeTargets(): { engine: () => EngineFixture } {
  targets = conformanceTargets({
    clients: (config) => ({ events: new EventBridgeClient(config), sqs: new SQSClient(config) }),
    destroy: (c) => {
      c.events.destroy();
      c.sqs.destroy();
    },
  });
  return { engine: targets.engine };
}

/**
 * One test per target: `<name> [engine]`, and `<name> [moto_server]` when `moto` is true
 * (skipped when moto_server is not installed). Pass `moto: false` with a comment saying where
 * moto differs from AWS.
 */
export function scenario(name: string, options: { moto: boolean }, body: (t: EventBridgeTarget) => Promise<void>): void {
  targets!.scenario(name, options, (t) => body({
    name: t.name,
    events: t.clients.events,
    sqs: t.clients.sqs,
    account: t.account,
    unique: (prefix) => `${prefix}-${process.pid}-${++n}`,
    queueArn: (queue) => `arn:aws:sqs:us-east-1:${t.account}:${queue}`,
  }));
}

/** The AWS JSON 1.1 error: `__type` (the SDK's error name), message, HTTP status. */
export function awsError(type: string, message?: RegExp | string, status = 400): (error: unknown) => boolean {
  return (error) => {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name !== type || e.$metadata?.httpStatusCode !== status) return false;
    if (message === undefined) return true;
    return typeof message === 'string' ? e.message === message : message.test(e.message ?? '');
  };
}
