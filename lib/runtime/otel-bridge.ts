/**
 * The runtime's way to the OpenTelemetry API, without carrying it in every bundle. The API keeps
 * what is registered with it (tracer provider, context manager, propagator, diag logger) on
 * globalThis under `Symbol.for('opentelemetry.js.api.1')`, one object shared by every copy of the
 * API of major version 1 (@opentelemetry/api's internal/global-utils). While that object does not
 * exist, no tracer provider is registered and no context can carry a span: tracing is a no-op,
 * and the API is not needed. Once it exists (the ADOT layer's wrapper, the team's own setup,
 * trace-export.ts), record-spans.mjs, which bundles the API, is loaded beside the function
 * (lib/constructs/bundler.ts LAZY_RUNTIME_MODULES) and answers from then on.
 */
import { importRuntimeModule } from './runtime-module.ts';

type RecordSpansModule = typeof import('./record-spans.ts');

const OTEL_API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

let loaded: RecordSpansModule | undefined;
let loading: Promise<RecordSpansModule> | undefined;

/** true once anything registered with the OpenTelemetry API in this process. */
export function otelApiInUse(): boolean {
  return (globalThis as Record<symbol, unknown>)[OTEL_API_GLOBAL] !== undefined;
}

/** record-spans.ts when the API is in use and the module is loaded; undefined otherwise (never waits). */
export function loadedRecordSpans(): RecordSpansModule | undefined {
  return otelApiInUse() ? loaded : undefined;
}

/** record-spans.ts, loaded on first call, when the API is in use; undefined while it is not. */
export async function recordSpansModule(): Promise<RecordSpansModule | undefined> {
  if (!otelApiInUse()) return undefined;
  return (loaded ??= await (loading ??= importRuntimeModule<RecordSpansModule>('record-spans')));
}

/** Loads the module anyway: trace-export.ts registers its provider through the module's copy of the API. */
export async function recordSpansForRegistration(): Promise<RecordSpansModule> {
  return (loaded ??= await (loading ??= importRuntimeModule<RecordSpansModule>('record-spans')));
}
