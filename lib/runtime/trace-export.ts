/**
 * Span export, on when a team configures an OpenTelemetry exporter with the environment variables
 * the OpenTelemetry specification names ("Environment Variable Specification" and "OTLP Exporter
 * Configuration", opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/ and
 * /docs/specs/otel/protocol/exporter/):
 *
 * | variable                                   | read here as                                           |
 * |--------------------------------------------|--------------------------------------------------------|
 * | OTEL_SDK_DISABLED=true                      | no export                                              |
 * | OTEL_TRACES_EXPORTER                        | `otlp`, `console` (comma list); `none`: no export      |
 * | OTEL_EXPORTER_OTLP_ENDPOINT / _TRACES_ENDPOINT | with OTEL_TRACES_EXPORTER unset, means `otlp`       |
 * | OTEL_EXPORTER_OTLP_PROTOCOL / _TRACES_PROTOCOL | `http/protobuf` (the spec's default) or `http/json`; `grpc`: not supported in the function (use the ADOT layer's collector) |
 * | OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, …     | read by the exporter package itself                    |
 * | OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES | the resource (service.name defaults to the function name) |
 *
 * Nothing configured (no OTEL_TRACES_EXPORTER, no OTLP endpoint): nothing here runs and nothing
 * is loaded; the spans of middleware/tracing.ts stay no-ops. The spec's default exporter is
 * `otlp`, but a function that would send spans to localhost:4318 because nobody said otherwise
 * is a cost nobody asked for, so export needs one of the variables above.
 *
 * A tracer provider someone else registered wins: the ADOT Lambda layer's wrapper
 * (AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler) registers one before the handler module loads, and
 * it exports by itself; Busline's spans go through it and nothing is loaded here.
 *
 * The SDK (@opentelemetry/sdk-trace, @opentelemetry/resources, an OTLP exporter package) is not
 * in the function's bundle: it is `require`d when export is configured, from the function's
 * NODE_PATH (a Lambda layer's /opt/nodejs/node_modules; the local engine's node_modules), so the
 * bundle of a function that exports nothing is unchanged. A package that cannot be found is one
 * `warn` line naming it, and the function runs on without export.
 *
 * Spans are batched and flushed at the end of every invocation (Lambda freezes the process
 * between invocations: a span still buffered then would leave late or never).
 *
 * This module is not in the function's main bundle either: the bundler writes it beside it
 * (trace-export.mjs) and trace-export-loader.ts imports it only when the environment asks for
 * export. It has no runtime import of @opentelemetry/api: the caller passes its own API (the
 * bundle's copy), so the provider is registered where Busline's spans are made.
 */
import type { TracerProvider } from '@opentelemetry/api';
import { requireModule } from './aws-clients.ts';
import type { JsonLogger } from './logger.ts';

export type TraceExporterKind = 'otlp-http/protobuf' | 'otlp-http/json' | 'console';

/** What the environment asks for: the exporters to run, and what cannot be honoured (each a warning). */
export interface TraceExportPlan {
  readonly exporters: readonly TraceExporterKind[];
  readonly problems: readonly string[];
}

/** The plan the environment describes, or undefined when it asks for no export. */
export function traceExportPlan(env: Readonly<Record<string, string | undefined>>): TraceExportPlan | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const listed = env.OTEL_TRACES_EXPORTER?.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const names = listed && listed.length > 0 ? listed : endpoint ? ['otlp'] : [];
  if (names.length === 0 || names.includes('none')) return undefined;
  const exporters: TraceExporterKind[] = [];
  const problems: string[] = [];
  for (const name of names) {
    if (name === 'console') exporters.push('console');
    else if (name === 'otlp') {
      const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim().toLowerCase();
      if (protocol === 'http/protobuf' || protocol === 'http/json') exporters.push(`otlp-${protocol}`);
      else problems.push(`OTLP protocol '${protocol}' is not supported by the Busline runtime (http/protobuf, http/json): send to a collector over HTTP, or use the ADOT Lambda layer`);
    } else problems.push(`OTEL_TRACES_EXPORTER '${name}' is not supported by the Busline runtime (otlp, console, none)`);
  }
  return { exporters, problems };
}

/** What the runtime calls at the end of each invocation. */
export interface TraceExport {
  flush(): Promise<void>;
}

type SdkTraceModule = typeof import('@opentelemetry/sdk-trace');
type SpanExporter = import('@opentelemetry/sdk-trace').SpanExporter;
type ResourcesModule = typeof import('@opentelemetry/resources');
type OtlpExporterModule = typeof import('@opentelemetry/exporter-trace-otlp-proto');

const EXPORTER_PACKAGES = {
  'otlp-http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'otlp-http/json': '@opentelemetry/exporter-trace-otlp-http',
} as const;

/** The SDK packages, by name: `require` first, `import()` where only loader hooks find them. */
function load<T>(name: string): Promise<T> {
  return requireModule<T>(name, () => import(name) as Promise<T>);
}

/** What the caller's copy of the OpenTelemetry API gives this module. */
export interface TraceExportApi {
  /** The provider registered already (the ADOT layer's, the team's), if any. */
  readonly registered: TracerProvider | undefined;
  setGlobalTracerProvider(provider: TracerProvider): boolean;
}

/** Starts export as the environment asks, once per container; undefined when nothing is to be flushed. */
export async function startTraceExport(env: Readonly<Record<string, string | undefined>>, api: TraceExportApi, logger: JsonLogger): Promise<TraceExport | undefined> {
  const plan = traceExportPlan(env);
  if (!plan) return undefined;
  for (const problem of plan.problems) logger.warn('trace export: configuration not supported', { problem });
  const registered = api.registered as (TracerProvider & { forceFlush?: () => Promise<void> }) | undefined;
  if (registered) {
    // Someone else's provider (the ADOT layer's): it exports; flushing it at the end of an
    // invocation is harmless and keeps the spans of this one from waiting for the next.
    return typeof registered.forceFlush === 'function' ? { flush: () => registered.forceFlush!() } : undefined;
  }
  if (plan.exporters.length === 0) return undefined;
  let sdk: SdkTraceModule;
  let resources: ResourcesModule;
  const exporters: SpanExporter[] = [];
  try {
    [sdk, resources] = await Promise.all([load<SdkTraceModule>('@opentelemetry/sdk-trace'), load<ResourcesModule>('@opentelemetry/resources')]);
    for (const kind of plan.exporters) {
      if (kind === 'console') exporters.push(new sdk.ConsoleSpanExporter());
      else exporters.push(new (await load<OtlpExporterModule>(EXPORTER_PACKAGES[kind])).OTLPTraceExporter());
    }
  } catch (error) {
    const missing = [
      '@opentelemetry/sdk-trace',
      '@opentelemetry/resources',
      ...plan.exporters.filter((k) => k !== 'console').map((k) => EXPORTER_PACKAGES[k as keyof typeof EXPORTER_PACKAGES]),
    ];
    logger.warn('trace export: the OpenTelemetry SDK could not be loaded; spans are not exported', {
      error: { name: (error as Error).name, message: (error as Error).message },
      fix: `add the ADOT Lambda layer (AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler), or a layer with ${missing.join(', ')}`,
    });
    return undefined;
  }
  const resource = resources
    .resourceFromAttributes({
      'service.name': env.AWS_LAMBDA_FUNCTION_NAME ?? 'busline-function',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      ...(env.AWS_REGION ? { 'cloud.region': env.AWS_REGION } : {}),
      ...(env.AWS_LAMBDA_FUNCTION_NAME ? { 'faas.name': env.AWS_LAMBDA_FUNCTION_NAME } : {}),
    })
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the defaults above.
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.TracerProvider({ resource, spanProcessors: exporters.map((exporter) => new sdk.BatchSpanProcessor({ exporter })) });
  api.setGlobalTracerProvider(provider);
  return { flush: () => provider.forceFlush() };
}

