/**
 * The public face of a running app (lib/local/app.ts): its subscriptions by name and whether it
 * is idle. busline/local's startLocalApp hands it out; busline/testing uses it with the
 * internals (the function runner) beside it.
 */
import type { LocalApp as RunningApp } from './app.ts';
import type { LocalAppModel } from './assembly/app-model.ts';
import { DELIVERY_QUEUE } from './eventbridge/event-bus-service.ts';
import type { LocalApp, LocalSubscription } from './index.ts';

export interface AppView {
  readonly app: LocalApp;
  /** Invocations journaled as started and not yet as finished (a batch's messages count once). */
  readonly openInvocations: () => number;
}

export function viewOf(running: RunningApp): AppView {
  const { engine } = running;
  // Invocations that started and have not finished, per invocation id (a batch journals one
  // started and one finished record per message). The queue counts alone would show a batch's
  // messages deleted a moment before its finished records are written.
  const open = new Map<string, number>();
  const unsubscribe = engine.journalSubscribe({ kinds: ['invocation.started', 'invocation.finished'] }, (record) => {
    if (record.kind !== 'invocation.started' && record.kind !== 'invocation.finished') return;
    const left = (open.get(record.invocationId) ?? 0) + (record.kind === 'invocation.started' ? 1 : -1);
    if (left === 0) open.delete(record.invocationId);
    else open.set(record.invocationId, left);
  });
  const consumed = [...new Set(running.model.mappings.filter((m) => m.enabled).map((m) => m.queueArn))];
  const empty = (queue: string): boolean => {
    let counts: { visible: number; inFlight: number; delayed: number };
    try {
      counts = engine.queueCounts(queue);
    } catch {
      return true; // not created (the delivery queue appears with the first rule → Lambda delivery)
    }
    return counts.visible + counts.inFlight + counts.delayed === 0;
  };
  let stopped: Promise<void> | undefined;
  const app: LocalApp = {
    engine,
    subscriptions: subscriptionsOf(running.model),
    isIdle: () => open.size === 0 && empty(DELIVERY_QUEUE) && consumed.every(empty),
    stop() {
      stopped ??= (async () => {
        unsubscribe();
        await running.stop();
      })();
      return stopped;
    },
  };
  return { app, openInvocations: () => open.size };
}

/** The flows' subscriptions joined with the physical names the assembly gives their resources. */
function subscriptionsOf(model: LocalAppModel): LocalSubscription[] {
  const named = <T extends { stackName: string; logicalId: string; name: string }>(list: readonly T[], stackName: string, logicalId: string | undefined): string | undefined =>
    logicalId === undefined ? undefined : list.find((x) => x.stackName === stackName && x.logicalId === logicalId)?.name;
  return model.buses.flatMap((bus) => (bus.flow?.subscriptions ?? []).map((s): LocalSubscription => {
    const ruleName = named(model.rules, bus.stackName, s.resources.rule);
    const functionName = named(model.functions, bus.stackName, s.resources.function);
    const queueName = named(model.queues, bus.stackName, s.resources.queue);
    const deadLetterQueueName = named(model.queues, bus.stackName, s.resources.dlq);
    return {
      name: s.name, flow: bus.flow!.flow, topics: s.topics, publishes: s.publishes, delivery: s.delivery, busName: bus.name,
      ...(ruleName !== undefined ? { ruleName } : {}),
      ...(functionName !== undefined ? { functionName } : {}),
      ...(queueName !== undefined ? { queueName } : {}),
      ...(deadLetterQueueName !== undefined ? { deadLetterQueueName } : {}),
    };
  }));
}
