/**
 * Issue 14: the wall time of a flow test on busline/testing's virtual clock. The flow: one
 * subscription whose handler always throws, 3 attempts, `Backoff.fixed(5 minutes)` (full jitter:
 * each retry waits up to five minutes), so an event takes up to ten minutes of flow time to
 * reach the DLQ. Measured after synth and start (the
 * assembly comes from the synth cache, the functions are warm): publish, settle(), and the
 * dead letter read back with its 3 attempts. Median of RUNS events on one flow.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Backoff, EventFlow } from '../lib/constructs/index.ts';
import { testFlow } from '../lib/testing/index.ts';
import { GREETINGS_DIR } from '../test/fixtures/greetings-flow/stack.ts';
import type { TopicMap } from '../test/fixtures/greetings-flow/types.ts';
import type { BenchSection } from './section.ts';
import { formatNumber, formatSummary, summarize } from './lib/stats.ts';

const RUNS = Number(process.env.BENCH_FLOW_TEST_RUNS ?? 9);
const progress = (m: string) => process.stderr.write(`[bench] flow-test: ${m}\n`);

/** The greetings fixture's `refuse` handler (it always throws), with 3 attempts and a five-minute backoff. */
function backoffStack(): Stack {
  const stack = new Stack(new App(), 'BackoffToDlq', { env: { account: '000000000000', region: 'us-east-1' } });
  const flow = new EventFlow(stack, 'Backoff', { rootDir: GREETINGS_DIR, schemaRegistry: false });
  const sent = flow.addTopic('greeting.sent', { source: 'test.greetings' });
  flow.addSubscription('refuse', { topic: sent, handler: 'handlers/refuse.ts', maxAttempts: 3, backoff: Backoff.fixed(Duration.minutes(5)) });
  return stack;
}

export async function run(): Promise<BenchSection> {
  const startedAt = performance.now();
  const flow = await testFlow<TopicMap>(backoffStack(), { projectDir: process.cwd() });
  const startMs = performance.now() - startedAt;
  try {
    // Warm-up: the function's first invocation loads its bundle (a cold start), not measured.
    await flow.publish('greeting.sent', { name: 'warm-up', times: 1 });
    await flow.settle();
    const wallMs: number[] = [];
    const flowMinutes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const before = flow.now();
      const t = performance.now();
      const sent = await flow.publish('greeting.sent', { name: `run-${i}`, times: 1 });
      await flow.settle();
      const letter = flow.deadLettered('refuse').find((d) => d.id === sent.id);
      wallMs.push(performance.now() - t);
      flowMinutes.push((flow.now() - before) / 60_000);
      if (letter?.attempts !== 3) throw new Error(`run ${i}: expected the event on the DLQ after 3 attempts, found ${letter ? `${letter.attempts} attempts` : 'no dead letter'}`);
      progress(`run ${i + 1}/${RUNS}: ${formatNumber(wallMs.at(-1)!)} ms`);
    }
    return {
      title: 'Flow test on virtual time (busline/testing): 3 attempts, five-minute backoff, to the DLQ',
      columns: ['case', 'wall ms, publish → settle() → dead letter read', 'flow time passed, min', 'start (synth cache, engine, functions), ms'],
      rows: [['1 subscription, handler always throws', formatSummary(summarize(wallMs)), formatSummary(summarize(flowMinutes)), formatNumber(startMs)]],
      notes: [
        `Median (interquartile range) of ${RUNS} events on one flow, after a warm-up event; the start column is one run (the assembly from node_modules/.cache/busline/synth when an earlier run stored it).`,
        'The engine, the SQS semantics and the handler are the real ones; only the clock is virtual: the two backoffs (full jitter, up to five minutes each) pass as timers fired in order.',
      ],
    };
  } finally {
    await flow.close();
  }
}
