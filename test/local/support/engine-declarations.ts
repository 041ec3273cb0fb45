/**
 * What the engine child processes (engine-child.ts, answer-then-die-child.ts) declare in their
 * engine's `setup`, from the JSON config they are started with: buses, queues, and rules that
 * each send to one queue.
 */
import type { EngineResources } from '../../../lib/local/engine.ts';
import type { QueueAttributes } from '../../../lib/local/sqs/types.ts';

export interface EngineDeclarations {
  readonly queues?: ReadonlyArray<{ readonly name: string; readonly attributes?: QueueAttributes }>;
  readonly buses?: readonly string[];
  readonly rules?: ReadonlyArray<{ readonly bus: string; readonly name: string; readonly pattern: string; readonly queue: string }>;
}

export function declare(e: EngineResources, declarations: EngineDeclarations): void {
  for (const bus of declarations.buses ?? []) e.createBus(bus);
  for (const queue of declarations.queues ?? []) e.createQueue(queue.name, queue.attributes ?? {});
  for (const rule of declarations.rules ?? []) {
    e.putRule({ Name: rule.name, EventBusName: rule.bus, EventPattern: rule.pattern });
    e.putTargets(rule.bus, rule.name, [{ Id: 'queue', Arn: `arn:aws:sqs:${e.region}:${e.accountId}:${rule.queue}` }]);
  }
}
