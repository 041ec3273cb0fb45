/**
 * Issue 8, item 3: synth wall time of N-subscription queue flows declared with EventFlow
 * (one esbuild call bundles every handler) against the same resources declared with one
 * plain NodejsFunction per handler (esbuild run locally per function, no Docker). Each
 * measurement is a fresh `node` process running app.synth() (bench/synth/synth-child.ts).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSection } from './section.ts';
import { runChild } from './lib/child.ts';
import { installedVersion, ROOT } from './lib/machine.ts';
import { formatNumber, formatRatio, formatSummary, ratioBounds, summarize } from './lib/stats.ts';
import { atMost, verdictSentence } from './lib/targets.ts';
import { writeSynthHandlers } from './synth/handlers.ts';

interface Case {
  readonly label: string;
  readonly subscriptions: number;
  /** aws-cdk-lib's default template validation (@aws/cloudformation-validate) at synth. */
  readonly validation: boolean;
  readonly kinds: readonly Kind[];
}
/**
 * The sizes as a user's `cdk synth` runs them, then EventFlow's 45 with
 * CDK_VALIDATION=false to show what the validation costs (the plain app's run at 45 is the
 * dearest of the section, so it is not repeated without validation).
 */
const CASES: readonly Case[] = [
  { label: '10', subscriptions: 10, validation: true, kinds: ['eventflow', 'plain'] },
  { label: '30', subscriptions: 30, validation: true, kinds: ['eventflow', 'plain'] },
  { label: '45', subscriptions: 45, validation: true, kinds: ['eventflow', 'plain'] },
  { label: '45, CDK_VALIDATION=false', subscriptions: 45, validation: false, kinds: ['eventflow'] },
];
const REPS = 3;
const WORK_DIR = join(ROOT, 'bench', '.tmp', 'synth');
const CHILD = join(ROOT, 'bench', 'synth', 'synth-child.ts');
const progress = (m: string) => process.stderr.write(`[bench] synth: ${m}\n`);

type Kind = 'eventflow' | 'plain';
interface SynthReport {
  readonly synthMs: number;
  readonly resources: number;
}
interface Cell {
  wall: number[];
  inProcess: number[];
  resources: number;
}

export async function run(): Promise<BenchSection> {
  const handlersDir = join(WORK_DIR, 'handlers');
  writeSynthHandlers(handlersDir, Math.max(...CASES.map((c) => c.subscriptions)));
  const cells = new Map<string, Cell>();
  const cell = (kind: Kind, c: Case) => {
    const key = `${kind}:${c.label}`;
    let found = cells.get(key);
    if (!found) cells.set(key, (found = { wall: [], inProcess: [], resources: 0 }));
    return found;
  };
  const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' };
  try {
    // Interleaved (sizes and kinds alternate within each repetition) so load bursts from
    // other processes spread over both apps.
    for (let rep = 0; rep < REPS; rep++) {
      for (const c of CASES) {
        for (const kind of c.kinds) {
          progress(`repetition ${rep + 1}/${REPS}: ${c.label} subscriptions, ${kind}`);
          const outdir = join(WORK_DIR, `out-${kind}-${c.subscriptions}`);
          rmSync(outdir, { recursive: true, force: true });
          const { report, wallMs } = await runChild<SynthReport>(['--import', 'tsx', CHILD, kind, String(c.subscriptions), handlersDir, outdir], {
            env: { ...env, CDK_VALIDATION: String(c.validation) },
            cwd: ROOT,
            timeoutMs: 300_000,
          });
          rmSync(outdir, { recursive: true, force: true });
          const m = cell(kind, c);
          m.wall.push(wallMs / 1000);
          m.inProcess.push(report.synthMs / 1000);
          m.resources = report.resources;
        }
      }
    }
  } finally {
    rmSync(WORK_DIR, { recursive: true, force: true });
  }

  const rows = CASES.map((c) => {
    const flow = cell('eventflow', c);
    const fw = summarize(flow.wall);
    const fi = summarize(flow.inProcess);
    if (!c.kinds.includes('plain')) return [c.label, formatSummary(fw), '—', '—', formatSummary(fi), '—', '—', `${flow.resources} / —`];
    const plain = cell('plain', c);
    const pw = summarize(plain.wall);
    const pi = summarize(plain.inProcess);
    return [c.label, formatSummary(fw), formatSummary(pw), formatRatio(fw, pw), formatSummary(fi), formatSummary(pi), formatRatio(fi, pi), `${flow.resources} / ${plain.resources}`];
  });
  const at45 = CASES.find((c) => c.subscriptions === 45 && c.validation)!;
  const at45Unvalidated = CASES.find((c) => c.subscriptions === 45 && !c.validation)!;
  const validationCost = summarize(cell('eventflow', at45).inProcess).median - summarize(cell('eventflow', at45Unvalidated).inProcess).median;
  const p45 = summarize(cell('plain', at45).wall);
  const r = ratioBounds(summarize(cell('eventflow', at45).wall), p45);
  return {
    title: 'Synth: EventFlow vs one NodejsFunction per handler',
    columns: ['Subscriptions', 'EventFlow, s (IQR)', 'NodejsFunction each, s (IQR)', 'EventFlow ÷ NodejsFunction', 'EventFlow in-process, s', 'NodejsFunction in-process, s', 'ratio in-process', 'Resources (EventFlow / plain)'],
    rows,
    notes: [
      `Each figure: a fresh \`node --import tsx\` running new App() + the stack + app.synth() (bench/synth/synth-child.ts); wall = spawn to synth done, which includes Node, tsx and aws-cdk-lib start-up (what \`cdk synth\` also pays, minus the CLI); in-process = constructing the app and synth only. Median of ${REPS} interleaved repetitions (the NodejsFunction app's 45-subscription synth took ${formatNumber(p45.median)} s each here).`,
      `Both apps bundle the same code: N distinct handler files, each wrapped by the entry the constructs generate (handler + build-time validators + wrapHandler). EventFlow bundles them in one esbuild call; the plain app has one NodejsFunction per handler (esbuild ${installedVersion('esbuild')} run locally through npx per function, no Docker). Queue delivery, DLQ with alarm, log group, X-Ray, bus with archive and a dedupe table on both sides.`,
      `aws-cdk-lib's stack resource limit check (CloudFormation's 500 per stack) is on in every synth, as in a user's: at 45 queue subscriptions EventFlow declares ${cell('eventflow', at45).resources} resources and the plain app ${cell('plain', at45).resources}.`,
      `aws-cdk-lib validates every template at synth by default (@aws/cloudformation-validate, WebAssembly): ${formatNumber(validationCost)} s of EventFlow\'s 45-subscription synth in this run; both apps pay it, which bounds how far EventFlow\'s lead can go (the last row: EventFlow with it off).`,
      verdictSentence('synth of 45 subscriptions ÷ the NodejsFunction app (wall, issue 8)', r, atMost(0.3, '0.3×'), '×'),
    ],
  };
}
