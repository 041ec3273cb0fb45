/**
 * What a test changes about a subscription's function: faults on its next invocations (fail
 * them, or let the visibility timeout of their messages run out while the handler runs) and a
 * handler of the test's own in place of the deployed one. Each goes through the function
 * runner's interceptor, so the engine delivers, batches and retries exactly as it does for the
 * real code.
 */
import { randomUUID } from 'node:crypto';
import type { InvokeInterceptor } from '../local/lambda/function-runner.ts';
import type { InvokeResult } from '../local/lambda/lambda-types.ts';

/** A handler a test puts in place of a subscription's own: it gets the Lambda event (an SQS batch `{ Records }`, or the EventBridge event for direct delivery) and returns the Lambda response. Runs in the test's process. */
export type ReplacementHandler = (event: unknown, context: { readonly subscription: string; readonly functionName: string }) => unknown;

/** The part of the engine and runner the overrides use. */
export interface OverridePort {
  intercept(functionName: string, interceptor: InvokeInterceptor | undefined): void;
  changeMessageVisibility(queue: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void>;
}

interface Plan {
  failures: Array<{ readonly message: string }>;
  expiries: number;
  replacement?: ReplacementHandler;
}

/** Error type of an invocation a test made fail with {@link FunctionOverrides.failNext}. */
export const INJECTED_FAULT = 'InjectedFault';

export class FunctionOverrides {
  private readonly plans = new Map<string, Plan>();

  constructor(private readonly port: OverridePort) {}

  /** The next `times` invocations fail (before the code runs) with `InjectedFault: <message>`. */
  failNext(subscription: string, functionName: string, times: number, message: string): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext: times must be a whole number of 1 or more, not ${times}`);
    const plan = this.plan(subscription, functionName);
    for (let i = 0; i < times; i++) plan.failures.push({ message });
  }

  /** During the next invocation, its messages' visibility timeout runs out while the handler runs. */
  expireVisibilityDuringNext(subscription: string, functionName: string): void {
    this.plan(subscription, functionName).expiries++;
  }

  replace(subscription: string, functionName: string, handler: ReplacementHandler | undefined): void {
    const plan = this.plan(subscription, functionName);
    if (handler) plan.replacement = handler;
    else delete plan.replacement;
  }

  private plan(subscription: string, functionName: string): Plan {
    let plan = this.plans.get(functionName);
    if (!plan) {
      const created: Plan = { failures: [], expiries: 0 };
      plan = created;
      this.plans.set(functionName, created);
      this.port.intercept(functionName, (event, invoke) => this.invoke(subscription, functionName, created, event, invoke));
    }
    return plan;
  }

  private async invoke(subscription: string, functionName: string, plan: Plan, event: unknown, invoke: (event: unknown) => Promise<InvokeResult>): Promise<InvokeResult> {
    const failure = plan.failures.shift();
    if (failure) return failed(functionName, { errorType: INJECTED_FAULT, errorMessage: failure.message }, 0);
    const run = plan.replacement ? runReplacement(plan.replacement, subscription, functionName, event) : invoke(event);
    if (plan.expiries > 0) {
      plan.expiries--;
      // As the queue does when the timeout runs out: the messages are visible again (and a
      // free poller receives them) while this invocation still runs.
      await Promise.all(sqsRecords(event).map((r) =>
        this.port.changeMessageVisibility(queueNameOf(r.eventSourceARN), r.receiptHandle, 0)));
    }
    return run;
  }
}

async function runReplacement(handler: ReplacementHandler, subscription: string, functionName: string, event: unknown): Promise<InvokeResult> {
  const started = performance.now();
  try {
    const value: unknown = await handler(event, { subscription, functionName });
    return {
      requestId: randomUUID(), functionName, ok: true, timedOut: false, logs: [],
      // Lambda serializes the response as JSON.
      value: value === undefined ? null : JSON.parse(JSON.stringify(value) ?? 'null'),
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return failed(functionName, { errorType: e.name, errorMessage: e.message }, Math.round(performance.now() - started));
  }
}

function failed(functionName: string, error: { errorType: string; errorMessage: string }, durationMs: number): InvokeResult {
  return { requestId: randomUUID(), functionName, ok: false, timedOut: false, error, durationMs, logs: [] };
}

interface SqsRecordRef {
  readonly receiptHandle: string;
  readonly eventSourceARN: string;
}

function sqsRecords(event: unknown): SqsRecordRef[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) return [];
  return records.filter((r): r is SqsRecordRef =>
    typeof r === 'object' && r !== null && typeof (r as SqsRecordRef).receiptHandle === 'string' && typeof (r as SqsRecordRef).eventSourceARN === 'string');
}

function queueNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}
