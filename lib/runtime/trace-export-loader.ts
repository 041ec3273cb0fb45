/**
 * Whether the environment asks for span export, and the middleware that starts it (trace-export.ts,
 * imported only then) and flushes each invocation's spans. What stays in every function's bundle
 * is this file: a few environment reads at cold start, and no middleware at all when no exporter
 * is configured.
 */
import type { MiddlewareObj } from '@middy/core';
import type { JsonLogger } from './logger.ts';
import { recordSpansForRegistration } from './otel-bridge.ts';
import type { TraceExport } from './trace-export.ts';
import { importRuntimeModule } from './runtime-module.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * true when the environment names an exporter (OTEL_TRACES_EXPORTER, other than `none`) or an
 * OTLP endpoint, and OpenTelemetry is not disabled (OTEL_SDK_DISABLED). trace-export.ts reads the
 * details.
 */
export function traceExportRequested(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporters) return exporters !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/**
 * Outermost in the chain: its `before` sets export up at the first invocation (before any
 * record's span starts), its `after`/`onError` flush the invocation's spans once every record's
 * span has ended, whatever the outcome. A module that cannot be loaded or a flush that fails is
 * a warning, never a failed batch.
 */
export function traceExportMiddleware(env: Env, logger: JsonLogger): MiddlewareObj {
  let ready: Promise<TraceExport | undefined> | undefined;
  const start = async (): Promise<TraceExport | undefined> => {
    try {
      const module = await importRuntimeModule<typeof import('./trace-export.ts')>('trace-export');
      const spans = await recordSpansForRegistration();
      return await module.startTraceExport(env, { registered: spans.registeredTracerProvider(), setGlobalTracerProvider: (p) => spans.setGlobalTracerProvider(p) }, logger);
    } catch (error) {
      logger.warn('trace export: not started', { error: { name: (error as Error).name, message: (error as Error).message } });
      return undefined;
    }
  };
  const flush = async (): Promise<void> => {
    const exporter = await ready;
    try {
      await exporter?.flush();
    } catch (error) {
      logger.warn('trace export: flushing spans failed', { error: { name: (error as Error).name, message: (error as Error).message } });
    }
  };
  return {
    name: 'busline-trace-export',
    before: async function startExport() {
      await (ready ??= start());
    },
    after: async function flushSpans() {
      await flush();
    },
    onError: async function flushSpansOnError() {
      await flush();
    },
  };
}
