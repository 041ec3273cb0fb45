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
import { ROOT } from './lib/machine.ts';
import { formatNumber, formatRatio, formatSummary, summarize } from './lib/stats.ts';
import { writeSynthHandlers } from './synth/handlers.ts';

const SIZES = [10, 30, 45] as const;
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
  writeSynthHandlers(handlersDir, Math.max(...SIZES));
  const cells = new Map<string, Cell>();
  const cell = (kind: Kind, n: number) => {
    const key = `${kind}:${n}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { wall: [], inProcess: [], resources: 0 }));
    return c;
  };
  const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' };
  try {
    // Interleaved (sizes and kinds alternate within each repetition) so load bursts from
    // other processes spread over both apps.
    for (let rep = 0; rep < REPS; rep++) {
      for (const n of SIZES) {
        for (const kind of ['eventflow', 'plain'] as const) {
          progress(`repetition ${rep + 1}/${REPS}: ${n} subscriptions, ${kind}`);
          const outdir = join(WORK_DIR, `out-${kind}-${n}`);
          rmSync(outdir, { recursive: true, force: true });
          const { report, wallMs } = await runChild<SynthReport>(['--import', 'tsx', CHILD, kind, String(n), handlersDir, outdir], { env, cwd: ROOT, timeoutMs: 300_000 });
          rmSync(outdir, { recursive: true, force: true });
          const c = cell(kind, n);
          c.wall.push(wallMs / 1000);
          c.inProcess.push(report.synthMs / 1000);
          c.resources = report.resources;
        }
      }
    }
  } finally {
    rmSync(WORK_DIR, { recursive: true, force: true });
  }

  const rows = SIZES.map((n) => {
    const flow = cell('eventflow', n);
    const plain = cell('plain', n);
    const fw = summarize(flow.wall);
    const pw = summarize(plain.wall);
    const fi = summarize(flow.inProcess);
    const pi = summarize(plain.inProcess);
    return [String(n), formatSummary(fw), formatSummary(pw), formatRatio(fw, pw), formatSummary(fi), formatSummary(pi), formatRatio(fi, pi), `${flow.resources} / ${plain.resources}`];
  });
  const overLimit = () =>
    [...cells.entries()]
      .filter(([, c]) => c.resources > 500)
      .map(([key, c]) => {
        const [kind, n] = key.split(':');
        return `${kind === 'eventflow' ? 'EventFlow' : 'The plain app'} with ${n} queue subscriptions declares ${c.resources} resources, over CloudFormation's 500 per stack: it synthesizes here only with the @aws-cdk/core:stackResourceLimit check lifted, and would not deploy as one stack.`;
      });
  const f45 = summarize(cell('eventflow', 45).wall).median;
  const p45 = summarize(cell('plain', 45).wall).median;
  const r = f45 / p45;
  return {
    title: 'Synth: EventFlow vs one NodejsFunction per handler',
    columns: ['Subscriptions', 'EventFlow, s (IQR)', 'NodejsFunction each, s (IQR)', 'EventFlow ÷ NodejsFunction', 'EventFlow in-process, s', 'NodejsFunction in-process, s', 'ratio in-process', 'Resources (EventFlow / plain)'],
    rows,
    notes: [
      `Each figure: a fresh \`node --import tsx\` running new App() + the stack + app.synth() (bench/synth/synth-child.ts); wall = spawn to synth done, which includes Node, tsx and aws-cdk-lib start-up (what \`cdk synth\` also pays, minus the CLI); in-process = constructing the app and synth only. Median of ${REPS} interleaved repetitions (NodejsFunction synths take tens of seconds, so more would not fit the run's few minutes).`,
      'Both apps bundle the same code: N distinct handler files, each wrapped by the entry the constructs generate (handler + build-time validators + wrapHandler). EventFlow bundles them in one esbuild call; the plain app has one NodejsFunction per handler (esbuild 0.x run locally through npx per function, no Docker). Queue delivery, DLQ with alarm, log group, X-Ray, bus with archive and a dedupe table on both sides.',
      ...overLimit(),
      `Target synth of 45 subscriptions ≤ 0.3 × the NodejsFunction app (wall): ${formatNumber(r)}× — ${r <= 0.3 ? 'met' : 'NOT met'}.`,
    ],
  };
}
