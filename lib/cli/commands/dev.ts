/**
 * `busline dev`: synthesize the CDK app (unless given an assembly), run it in the local engine,
 * print the endpoint and one ready-to-paste publish command, and stream function logs.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLocalApp, type LocalApp } from '../../local/app.ts';
import { IAM_MODES, type IamMode } from '../../local/iam/iam-authorizer.ts';
import { formatAccessDenial } from '../../local/iam/access-denial-text.ts';
import { formatWarnings } from '../../local/assembly/format-warnings.ts';
import { synthesize } from '../synth.ts';
import { devAssembly } from '../dev-assembly.ts';
import { lockStateFolder, type StateLock } from '../state-lock.ts';
import { DEFAULT_PORT, DEFAULT_STATE_DIR, writeDevSession } from '../dev-session.ts';
import { loadFlowContext, type FlowContext } from '../flow-context.ts';
import { examplePayload, topicSchemas } from '../schema-check.ts';
import { renderLogLine } from '../log-line.ts';
import { parseCommandArgs } from '../args.ts';
import { CHAOS_PRESETS, ChaosProfileError, formatChaosProfile, parseChaosProfile, type ChaosProfile } from '../../local/chaos/profile.ts';
import { startDashboardFor, type DevDashboard } from '../dashboard/dev-dashboard.ts';
import { startDevWatch, type DevWatch } from '../watch/dev-watch.ts';
import { describeRuntimeNode } from '../../local/lambda/runtime-node.ts';

export const summary = 'synthesize the CDK app and run it in the local engine (AWS wire endpoint on 127.0.0.1)';

const HELP = `usage: busline dev [--port 4747] [--dashboard-port 4748] [--state .busline] [--app "<cdk app command>" | --assembly cdk.out] [--concurrency 1] [--chaos <profile> [--seed N]] [--iam enforce|warn|off] [--principal <role>] [--journal-days 7] [--quiet] [--no-watch]

  --port      port of the AWS wire endpoint on 127.0.0.1 (default ${DEFAULT_PORT}; 0 = any free port)
  --dashboard-port  port of the dashboard and its MCP endpoint (/mcp) on 127.0.0.1 (default: --port + 1; any free port with --port 0)
  --state     folder for queues, archive, journal and tables (default ${DEFAULT_STATE_DIR})
  --app       command that runs the CDK app (default: "app" in cdk.json)
  --assembly  run an already synthesized cloud assembly instead of synthesizing
  --concurrency  execution environments (worker threads or child processes) per function (default 1; ReservedConcurrentExecutions caps it)
  --chaos     inject delivery and API faults: a preset (${Object.keys(CHAOS_PRESETS).join(', ')}) and/or key=value
              probabilities, e.g. duplicate=0.1,crash=0.1,reorder=0.1,visibility-expiry=0.05,throttle=0.05 (docs/chaos.md)
  --seed      seed of the chaos faults: the same seed injects the same faults (default 1)
  --iam       enforce the template's IAM policies (default): a call they do not allow gets AWS's
              AccessDenied, and the log says which permission was missing and what grants it;
              warn: report such calls and let them through; off: check nothing
  --principal who calls from outside the flow (CLI, your SDK) act as: a role or function of the
              template (default: the account's administrator)
  --journal-days  days the journal keeps its records; older ones are dropped at start and every hour
              (default 7; 0 keeps every record). A bus's archive keeps events as its archives' RetentionDays say
  --quiet     do not stream function logs
  --no-watch  do not reload handlers, schemas and the stack when their files change (see docs/local-dev.md, "Watch mode")`;

export interface DevOptions {
  readonly port: number;
  /** The dashboard's port (default: port + 1, or any free port when port is 0). */
  readonly dashboardPort?: number;
  readonly stateDir: string;
  readonly projectDir: string;
  readonly app?: string;
  readonly assembly?: string;
  /** Where synthesized assemblies are cached (default: the project's node_modules/.cache/busline/synth). */
  readonly synthCacheDir?: string;
  readonly quiet?: boolean;
  readonly concurrency?: number;
  /** Faults to inject (busline dev --chaos). */
  readonly chaos?: ChaosProfile;
  /** Days the journal keeps its records (busline dev --journal-days). @default 7 */
  readonly journalRetentionDays?: number;
  /** @default 'enforce' */
  readonly iam?: IamMode;
  /** Who outside callers act as (a role or function of the template). @default the administrator */
  readonly principal?: string;
  readonly print?: (line: string) => void;
  /** Reload changed handlers, schemas and the stack into the running engine. @default false */
  readonly watch?: boolean;
}

/**
 * Starts the engine on the app; resolves once it serves. The caller stops it, then releases the
 * state folder's lock (a state folder another `busline dev` holds is refused first).
 */
export async function startDev(options: DevOptions): Promise<{ app: LocalApp; dashboard: DevDashboard; context: FlowContext; banner: string[]; watch?: DevWatch; lock: StateLock }> {
  const stateDir = resolve(options.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const lock = lockStateFolder(stateDir);
  try {
    return { ...(await startHeld(options, stateDir)), lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startHeld(options: DevOptions, stateDir: string): Promise<{ app: LocalApp; dashboard: DevDashboard; context: FlowContext; banner: string[]; watch?: DevWatch }> {
  const print = options.print ?? ((l: string) => console.log(l));
  const assemblyDir = options.assembly ? resolve(options.assembly) : await devAssembly(options, print);
  const context = loadFlowContext(assemblyDir);
  // The functions' names as the terminal shows them (a stack reloaded in watch mode brings new ones).
  let labels = context;
  const app = await startLocalApp({
    assembly: assemblyDir, stateDir, port: options.port,
    ...(options.concurrency !== undefined ? { maxWorkersPerFunction: options.concurrency } : {}),
    ...(options.chaos ? { chaos: options.chaos } : {}),
    ...(options.journalRetentionDays !== undefined ? { journalRetentionDays: options.journalRetentionDays } : {}),
    ...(options.iam !== undefined ? { iam: options.iam } : {}),
    ...(options.principal !== undefined ? { principal: options.principal } : {}),
    onAccessDenied: (denial) => print(formatAccessDenial(denial)),
    onNotice: (line) => print(line),
    ...(options.quiet ? {} : {
      onLog: (fn: string, line: { level: string; text: string }) => {
        const shown = renderLogLine(line.text);
        if (shown !== undefined) for (const l of shown.split('\n')) print(`[${labels.label(fn)}] ${l}`);
      },
    }),
  });
  const session = {
    endpoint: app.engine.endpoint, pid: process.pid, assemblyDir, projectDir: resolve(options.projectDir),
    stateDir, startedAt: new Date().toISOString(),
  };
  writeDevSession(session);
  const dashboard = await startDashboardFor({ stateDir, port: options.dashboardPort ?? (options.port === 0 ? 0 : options.port + 1) })
    .catch(async (error: unknown) => { await app.stop(); throw error; });
  const lines = await banner(app, dashboard, context, options);
  if (!options.watch) return { app, dashboard, context, banner: lines };
  const watch = await startDevWatch({
    app, assemblyDir, projectDir: options.projectDir, stateDir, print,
    ...(options.assembly ? {} : { synthesize: (outdir: string) => synthesize({ projectDir: options.projectDir, outdir, ...(options.app ? { app: options.app } : {}) }) }),
    onAssembly: (dir) => {
      writeDevSession({ ...session, assemblyDir: dir });
      labels = loadFlowContext(dir);
    },
  }).catch(async (error: unknown) => { await dashboard.stop(); await app.stop(); throw error; });
  return { app, dashboard, context, watch, banner: [...lines, '', watch.banner] };
}

async function banner(app: LocalApp, dashboard: DevDashboard, context: FlowContext, options: DevOptions): Promise<string[]> {
  const nodes = app.runner.runtimeNodes();
  const lines = [
    `Busline local engine on ${app.engine.endpoint}  (state: ${options.stateDir})`, `Dashboard: ${dashboard.url}  (MCP: ${dashboard.mcpUrl})`,
    `IAM: ${app.iamMode}${app.iamMode === 'enforce' ? ' (the template\'s policies; --iam warn|off to relax)' : ''}`,
    // Which Node runs each runtime the functions declare (a runtime whose Node was not found: a note below).
    ...nodes.filter((n) => !n.missing).map((n) => `Node for ${describeRuntimeNode(n)}`), '',
  ];
  if (options.chaos) lines.splice(3, 0, `Chaos: ${formatChaosProfile(options.chaos)} (seed ${options.chaos.seed}); each fault is a chaos.fault in \`busline events\``);
  for (const flow of context.flows) {
    lines.push(`flow "${flow.manifest.flow}" on bus ${flow.busName}:`);
    for (const s of context.subscriptions.filter((x) => x.flow === flow.manifest.flow)) {
      const pub = s.manifest.publishes.length ? `  → publishes ${s.manifest.publishes.join(', ')}` : '';
      lines.push(`  ${s.name.padEnd(20)} ${s.manifest.topics.join(', ')} (${s.manifest.delivery})${pub}`);
    }
  }
  if (context.flows.length === 0) {
    lines.push(`${app.model.rules.length} rules, ${app.model.queues.length} queues, ${app.model.functions.length} functions, ${app.model.tables.length} tables (no Busline flow metadata)`);
  }
  const warnings = formatWarnings(app.model.warnings);
  warnings.push(...nodes.filter((n) => n.missing).map((n) => `note: ${describeRuntimeNode(n)}`));
  if (warnings.length) lines.push('', ...warnings);
  lines.push('', `AWS SDK / CLI: AWS_ENDPOINT_URL=${app.engine.endpoint} AWS_REGION=${app.engine.region} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x`);
  lines.push(...await publishHint(context, options));
  return lines;
}

/**
 * One ready-to-paste publish command for the first topic a subscription consumes, with an example
 * payload made from its schema; when none can be made, why.
 */
async function publishHint(context: FlowContext, options: DevOptions): Promise<string[]> {
  const flow = context.flows[0];
  const topic = flow?.manifest.subscriptions[0]?.topics[0] ?? flow?.manifest.topics[0]?.name;
  if (!flow || !topic) return [];
  const state = options.stateDir === DEFAULT_STATE_DIR ? '' : ` --state ${options.stateDir}`;
  let data: unknown;
  try {
    data = await examplePayload(topicSchemas(resolve(options.projectDir, flow.manifest.schemasDir), topic).latest.schema);
  } catch (error) {
    return ['', `(no example payload for ${topic}: ${(error as Error).message})`];
  }
  return [
    '', 'Publish an event:', `  npx busline publish${state} ${topic} '${JSON.stringify(data).replace(/'/g, "'\\''")}'`,
    'Then see what happened:', `  npx busline events${state}`,
  ];
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      'dashboard-port': { type: 'string' },
      state: { type: 'string', default: DEFAULT_STATE_DIR },
      app: { type: 'string' },
      assembly: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'no-watch': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      chaos: { type: 'string' },
      seed: { type: 'string' },
      iam: { type: 'string', default: 'enforce' },
      principal: { type: 'string' },
      'journal-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.app && values.assembly) { console.error('busline dev: give --app or --assembly, not both'); return 2; }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error(`busline dev: --port ${values.port} is not a port number (0–65535)`); return 2; }
  const dashboardPort = values['dashboard-port'] === undefined ? undefined : Number(values['dashboard-port']);
  if (dashboardPort !== undefined && !(Number.isInteger(dashboardPort) && dashboardPort >= 0 && dashboardPort <= 65535)) {
    console.error(`busline dev: --dashboard-port ${values['dashboard-port']} is not a port number (0–65535)`);
    return 2;
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    console.error(`busline dev: --concurrency ${values.concurrency} is not a whole number ≥ 1`);
    return 2;
  }
  const journalDays = values['journal-days'] === undefined ? undefined : Number(values['journal-days']);
  if (journalDays !== undefined && !(Number.isInteger(journalDays) && journalDays >= 0)) {
    console.error(`busline dev: --journal-days ${values['journal-days']} is not a whole number of days (0 keeps every record)`);
    return 2;
  }
  if (values.seed !== undefined && values.chaos === undefined) { console.error('busline dev: --seed is the seed of --chaos; give --chaos too'); return 2; }
  let chaos: ChaosProfile | undefined;
  if (values.chaos !== undefined) {
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isSafeInteger(seed)) { console.error(`busline dev: --seed ${values.seed} is not a whole number`); return 2; }
    try {
      chaos = parseChaosProfile(values.chaos, seed);
    } catch (error) {
      if (!(error instanceof ChaosProfileError)) throw error;
      console.error(`busline dev: --chaos: ${error.message}`);
      return 2;
    }
  }
  const iam = values.iam as IamMode;
  if (!IAM_MODES.includes(iam)) {
    console.error(`busline dev: --iam ${values.iam} is not a mode: enforce, warn or off`);
    return 2;
  }
  const { app, dashboard, banner, watch, lock } = await startDev({
    ...(chaos ? { chaos } : {}),
    ...(journalDays !== undefined ? { journalRetentionDays: journalDays } : {}),
    iam, ...(values.principal !== undefined ? { principal: values.principal } : {}),
    port, ...(dashboardPort !== undefined ? { dashboardPort } : {}), stateDir: values.state, projectDir: process.cwd(), quiet: values.quiet,
    watch: !values['no-watch'],
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(values.app ? { app: values.app } : {}), ...(values.assembly ? { assembly: values.assembly } : {}),
  });
  console.log(banner.join('\n'));
  // Ready: now the dashboard's page, API and MCP tools, so its first request does not wait for them.
  dashboard.load().catch((error: unknown) => console.error(`busline dev: the dashboard could not load: ${(error as Error).message}`));
  await new Promise<void>((resolveStop) => {
    const stop = (): void => { resolveStop(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('\nstopping…');
  await watch?.stop();
  await dashboard.stop();
  await app.stop();
  rmSync(join(resolve(values.state), 'dev.json'), { force: true });
  lock.release();
  return 0;
}
