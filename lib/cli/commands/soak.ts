/**
 * `busline soak`: run the current app's flow in the local engine under load (and restarts),
 * then check that every entry event reached its effects or a DLQ with its reason, and that no
 * effect was committed twice (lib/cli/soak). Exit 1 when anything was lost, doubled, or
 * dead-lettered without a reason.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommandArgs } from '../args.ts';
import { synthesize } from '../synth.ts';
import { loadFlowContext } from '../flow-context.ts';
import { runSoak } from '../soak/soak-run.ts';
import { renderSoakReport, soakPassed, soakReport } from '../soak/soak-report.ts';
import { progressLine } from '../soak/progress-line.ts';
import { CHAOS_PRESETS, ChaosProfileError, parseChaosProfile, type ChaosProfile } from '../../local/chaos/profile.ts';

export const summary = 'publish N generated events through the flow, restart the engine meanwhile, and check nothing was lost or done twice';

const DEFAULT_SETTLE_TIMEOUT_S = 3600;

const HELP = `usage: busline soak [--events 1000] [--chaos <profile>] [--restarts 0] [--seed 1] [--rate <events/s>] [--json]
                   [--state <folder>] [--app "<cdk app command>" | --assembly cdk.out] [--concurrency 1] [--settle-timeout ${DEFAULT_SETTLE_TIMEOUT_S}]

  --events    entry events to publish (topics no handler publishes; payloads generated from their schemas)
  --chaos     inject delivery and API faults: a preset (${Object.keys(CHAOS_PRESETS).join(', ')}) and/or key=value
              probabilities, e.g. duplicate=0.1,crash=0.1,reorder=0.1,visibility-expiry=0.05,throttle=0.05 (docs/chaos.md)
  --restarts  times the engine is stopped and started again on the same state while events flow
  --seed      seed of the generated payloads and of the chaos faults: the same seed, the same run
  --rate      entry events per second (default: as fast as the engine takes them)
  --json      print one JSON object (published, handled, lost, duplicateEffects, deadLettered,
              deadLetteredWithoutReason, faultsInjected, p50Ms, p99Ms, elapsedS, checks, …)
  --state     state folder to run in (default: a fresh temporary one, removed after a passing run)
  --app       command that runs the CDK app (default: "app" in cdk.json)
  --assembly  an already synthesized cloud assembly instead of synthesizing
  --concurrency  execution environments per function (default 1)
  --settle-timeout  seconds to wait for the flow to settle after the last publish; what is
              unfinished then counts as lost (default ${DEFAULT_SETTLE_TIMEOUT_S})

Exit status: 0 when nothing was lost, no effect was committed twice and every dead letter
carries its reason; 1 otherwise; 2 for bad arguments.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      events: { type: 'string', default: '1000' },
      chaos: { type: 'string' },
      restarts: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      rate: { type: 'string' },
      json: { type: 'boolean', default: false },
      state: { type: 'string' },
      app: { type: 'string' },
      assembly: { type: 'string' },
      concurrency: { type: 'string' },
      'settle-timeout': { type: 'string', default: String(DEFAULT_SETTLE_TIMEOUT_S) },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const bad = (message: string): number => { console.error(`busline soak: ${message}`); return 2; };
  if (values.app && values.assembly) return bad('give --app or --assembly, not both');
  const events = wholeNumber(values.events, 1);
  if (events === undefined) return bad(`--events ${values.events} is not a whole number ≥ 1`);
  const restarts = wholeNumber(values.restarts, 0);
  if (restarts === undefined) return bad(`--restarts ${values.restarts} is not a whole number ≥ 0`);
  if (restarts >= events) return bad(`--restarts ${restarts} needs more events than restarts (--events ${events})`);
  const seed = wholeNumber(values.seed, 0);
  if (seed === undefined || seed > 0xffffffff) return bad(`--seed ${values.seed} is not a whole number from 0 to 4294967295`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) return bad(`--rate ${values.rate} is not a number of events per second > 0`);
  const concurrency = values.concurrency === undefined ? undefined : wholeNumber(values.concurrency, 1);
  if (values.concurrency !== undefined && concurrency === undefined) return bad(`--concurrency ${values.concurrency} is not a whole number ≥ 1`);
  const settleTimeoutS = Number(values['settle-timeout']);
  if (!(settleTimeoutS > 0 && Number.isFinite(settleTimeoutS))) return bad(`--settle-timeout ${values['settle-timeout']} is not a number of seconds > 0`);

  let chaos: ChaosProfile | undefined;
  if (values.chaos !== undefined) {
    try {
      chaos = parseChaosProfile(values.chaos, seed);
    } catch (error) {
      if (!(error instanceof ChaosProfileError)) throw error;
      return bad(`--chaos: ${error.message}`);
    }
  }

  const temporary = values.state === undefined;
  const stateDir = temporary ? mkdtempSync(join(tmpdir(), 'busline-soak-')) : resolve(values.state!);
  mkdirSync(stateDir, { recursive: true });
  const projectDir = process.cwd();
  const progress = progressLine(process.stderr);
  let passed = false;
  try {
    const assemblyDir = values.assembly
      ? resolve(values.assembly)
      : await synthesize({ projectDir, outdir: join(stateDir, 'cdk.out'), ...(values.app ? { app: values.app } : {}) });
    const result = await runSoak({
      assemblyDir, context: loadFlowContext(assemblyDir), projectDir, stateDir, events, restarts, seed,
      settleTimeoutMs: settleTimeoutS * 1000,
      ...(rate !== undefined ? { ratePerSecond: rate } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(chaos ? { chaos } : {}),
      progress: (line) => progress.update(line),
    });
    progress.clear();
    const report = soakReport(result, { seed });
    passed = soakPassed(report);
    console.log(values.json ? JSON.stringify(report) : renderSoakReport(report));
    if (!passed) console.error(`busline soak: the state is kept in ${stateDir} (npx busline events --state ${stateDir})`);
    return passed ? 0 : 1;
  } finally {
    progress.clear();
    if (temporary && passed) rmSync(stateDir, { recursive: true, force: true });
  }
}

function wholeNumber(text: string, min: number): number | undefined {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= min && Number.isSafeInteger(n) ? n : undefined;
}
