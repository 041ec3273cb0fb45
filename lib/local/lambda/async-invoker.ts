/**
 * Asynchronous invocation (rule → Lambda targets), with Lambda's own semantics: on a function
 * error the event is retried `MaximumRetryAttempts` times (EventInvokeConfig, default 2),
 * never beyond `MaximumEventAgeInSeconds` (default 6 h); when it finally fails it goes to the
 * OnFailure destination (an SQS queue) as an invocation record in AWS's shape. The attempts at
 * one event share one request id, as on Lambda (AWS knowledge center,
 * https://repost.aws/knowledge-center/lambda-function-duplicate-invocations: invocations that
 * returned an error with the same request id are the Lambda service's retries); the Busline
 * runtime counts an event's attempts by it.
 *
 * Delays between attempts are AWS's: about 1 minute, then 2 (base × 2^(n−1)). They are kept
 * by default although a failing direct subscription then takes three minutes to reach its
 * DLQ, because shorter delays change outcomes: a retry after a crash must come after the
 * dedupe lock of the interrupted attempt expires (its deadline, ≤ the function timeout), or
 * it fails as a concurrent duplicate and the event is dead-lettered although it would have
 * succeeded on AWS. Tests of other behaviour may shorten it (`retryBaseDelayMs`).
 */
import { randomUUID } from 'node:crypto';
import type { LocalEngine } from '../engine.ts';
import type { LambdaInvokeContext, LambdaInvoker } from '../eventbridge/types.ts';
import type { LocalInvokeConfig } from '../assembly/app-model.ts';
import { eventFields } from '../esm/event-fields.ts';
import type { FunctionRunner } from './function-runner.ts';
import type { InvokeResult } from './lambda-types.ts';
import { sleep } from '../clock.ts';

export type AsyncInvokerEnginePort = Pick<LocalEngine, 'sendMessage' | 'queue' | 'journalAppend' | 'clock'>;

export interface AsyncInvokerOptions {
  /** Delay before async retry n is base × 2^(n−1). @default 60000 (AWS: ~1 min, then ~2 min) */
  readonly retryBaseDelayMs?: number;
}

/** AWS's defaults for a function without an EventInvokeConfig. */
const DEFAULT_RETRY_ATTEMPTS = 2;
const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;

/** The record Lambda sends to a destination (AWS's "invocation record"). */
export interface InvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted' | 'EventAgeExceeded' | 'Success';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: '$LATEST';
    readonly functionError?: 'Unhandled';
  };
  readonly responsePayload: unknown;
}

export class AsyncInvoker implements LambdaInvoker {
  private runner: FunctionRunner | undefined;
  private engine: AsyncInvokerEnginePort | undefined;
  private readonly waiting: Array<() => void> = [];
  private readonly configs = new Map<string, LocalInvokeConfig>();

  constructor(invokeConfigs: readonly LocalInvokeConfig[], private readonly options: AsyncInvokerOptions = {}) {
    for (const c of invokeConfigs) this.configs.set(c.functionName, c);
  }

  /**
   * The engine may hand over deliveries (recovered after a restart) before the functions are
   * started; they wait here until the runner is attached.
   */
  attach(runner: FunctionRunner, engine: AsyncInvokerEnginePort): void {
    this.runner = runner;
    this.engine = engine;
    for (const w of this.waiting.splice(0)) w();
  }

  async invokeAsync(functionArn: string, payload: unknown, context: LambdaInvokeContext): Promise<void> {
    if (!this.runner) await new Promise<void>((r) => this.waiting.push(r));
    const runner = this.runner!;
    const engine = this.engine!;
    // Unknown function: reject, so the rule target's RetryPolicy / DeadLetterConfig apply.
    const fn = runner.get(functionArn);
    const config = this.configs.get(fn.name);
    const maxRetries = config?.maximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    const maxAgeMs = (config?.maximumEventAgeSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS) * 1000;
    const base = this.options.retryBaseDelayMs ?? 60_000;
    const fields = eventFields(payload);
    const requestId = randomUUID();
    const firstAt = engine.clock.now();
    let attempt = 0;
    let result: InvokeResult;
    let condition: 'RetriesExhausted' | 'EventAgeExceeded';
    for (;;) {
      attempt++;
      result = await this.invokeOnce(fn.name, payload, requestId, attempt + (context.attempt - 1) * (maxRetries + 1), fields);
      if (result.ok) {
        if (config?.onSuccessArn) await this.sendRecord(engine, config.onSuccessArn, fn.arn, payload, result, 'Success', attempt);
        return;
      }
      if (attempt > maxRetries) { condition = 'RetriesExhausted'; break; }
      const delay = base * 2 ** (attempt - 1);
      if (engine.clock.now() + delay - firstAt > maxAgeMs) { condition = 'EventAgeExceeded'; break; }
      await sleep(engine.clock, delay);
    }
    if (config?.onFailureArn) {
      await this.sendRecord(engine, config.onFailureArn, fn.arn, payload, result, condition, attempt);
    }
    // Without a destination Lambda drops the event after its retries; the journal keeps the
    // failed invocations, so it is not lost from view.
  }

  private async invokeOnce(functionName: string, payload: unknown, requestId: string, attempt: number, fields: ReturnType<typeof eventFields>): Promise<InvokeResult> {
    const engine = this.engine!;
    const invocationId = randomUUID();
    engine.journalAppend({ kind: 'invocation.started', functionName, invocationId, attempt, ...fields }, payload);
    const result = await this.runner!.invoke(functionName, payload, requestId);
    engine.journalAppend({
      kind: 'invocation.finished', functionName, invocationId, durationMs: result.durationMs,
      outcome: result.ok ? 'success' : result.timedOut ? 'timeout' : 'error',
      ...(result.ok ? {} : { error: `${result.error?.errorType}: ${result.error?.errorMessage}` }),
      logs: result.logs.map((l) => (l.level === 'info' ? l.text : `${l.level.toUpperCase()} ${l.text}`)),
      ...fields,
    }, payload);
    return result;
  }

  private async sendRecord(
    engine: AsyncInvokerEnginePort, destinationArn: string, functionArn: string, payload: unknown,
    result: InvokeResult, condition: InvocationRecord['requestContext']['condition'], attempts: number,
  ): Promise<void> {
    const record: InvocationRecord = {
      version: '1.0',
      timestamp: new Date(engine.clock.now()).toISOString(),
      requestContext: { requestId: result.requestId, functionArn: `${functionArn}:$LATEST`, condition, approximateInvokeCount: attempts },
      requestPayload: payload,
      responseContext: {
        statusCode: 200, executedVersion: '$LATEST',
        ...(result.ok ? {} : { functionError: 'Unhandled' as const }),
      },
      responsePayload: result.ok ? result.value : result.error,
    };
    await engine.sendMessage(engine.queue(destinationArn).name, { MessageBody: JSON.stringify(record) });
  }
}
