/**
 * The chaos mode's function faults, on invocations of a function's own code:
 *
 * - crash: the execution environment (the worker) dies, either as the invocation arrives (the
 *   handler does not run) or once the handler has answered (its work is done, its answer is
 *   lost: the crash between a write and its acknowledgement). The invocation fails with
 *   Runtime.ExitError, as Lambda reports a runtime that exited; the next one starts cold.
 * - timeout: the handler's answer comes after the function's timeout: the invocation fails with
 *   "Task timed out after N seconds" and the environment is stopped, its work done.
 *
 * Either way the event source (SQS redelivery, Lambda's async retries) retries the event.
 */
import type { LocalFunction } from '../assembly/app-model.ts';
import { readEvent } from '../esm/event-fields.ts';
import type { InvocationFault } from '../lambda/function-pool.ts';
import type { Chaos, ChaosFaultEntry } from './chaos.ts';

export function invocationFaults(chaos: Chaos): (fn: LocalFunction, event: unknown) => InvocationFault | undefined {
  return (fn, event) => {
    const where = { functionName: fn.name, ...subjectOf(event) };
    if (chaos.strikes('crash', fn.name)) {
      const at = chaos.draw('crash', fn.name) < 0.5 ? 'start' : 'end';
      chaos.record({
        fault: 'crash', ...where, errorCode: 'Runtime.ExitError',
        detail: at === 'start'
          ? 'the worker died as the invocation arrived: the handler did not run'
          : 'the worker died after the handler answered: its work is done, its answer lost',
      });
      return { kind: 'crash', at };
    }
    if (chaos.strikes('timeout', fn.name)) {
      chaos.record({ fault: 'timeout', ...where, errorCode: 'Sandbox.Timedout', detail: `the handler answered after the function's ${fn.timeoutSeconds} s timeout: its work is done, the invocation timed out` });
      return { kind: 'timeout' };
    }
    return undefined;
  };
}

/** The message (first of an SQS batch) or event an invocation handles, for the journal. */
function subjectOf(event: unknown): Pick<ChaosFaultEntry, 'messageId' | 'eventId' | 'correlationId' | 'topic'> {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (Array.isArray(records)) {
    const first = records[0] as { messageId?: unknown; body?: unknown } | undefined;
    return {
      ...(typeof first?.messageId === 'string' && { messageId: first.messageId }),
      ...readEvent(first?.body).fields,
    };
  }
  return readEvent(event).fields;
}
