/**
 * Issue 20, watch mode of `busline dev`: how long from saving a file to the next event running
 * what was saved, on a temporary copy of an app (test/cli/support/watched-app.ts: the greetings
 * flow) with the engine running and the terminal's lines read as a developer reads them.
 *
 *   handler edit   greet.ts's log message changes; once the terminal says it reloaded, an event
 *                  is published, and the figure is the save → greet logging the new message
 *   schema edit    a field is added to greeting.sent v1 (which allows no other fields); once
 *                  reloaded, an event carrying the field is published, and the figure is the
 *                  save → greet logging it (accepted by the new validators)
 *
 * Both include the watcher's debounce, the rebuild, the new code's init (the reload loads it warm
 * before it takes over) and the event's way through the queue to the handler.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startDev } from '../lib/cli/commands/dev.ts';
import { DEFAULT_DEBOUNCE_MS } from '../lib/cli/watch/file-watcher.ts';
import { makeWatchedApp } from '../test/cli/support/watched-app.ts';
import type { BenchSection } from './section.ts';
import { formatNumber, formatSummary, iqrBounds, summarize } from './lib/stats.ts';
import { atMost, verdict, type Target } from './lib/targets.ts';

const RUNS = Number(process.env.BENCH_DEV_WATCH_RUNS ?? 7);
const POLL_MS = 5;
const WAIT_MS = 60_000;
const HANDLER_TARGET = atMost(1000, '1 s');
const SCHEMA_TARGET = atMost(2000, '2 s');
const progress = (m: string) => process.stderr.write(`[bench] dev-watch: ${m}\n`);

export async function run(): Promise<BenchSection> {
  const app = await makeWatchedApp();
  const lines: string[] = [];
  const dev = await startDev({ port: 0, dashboardPort: 0, stateDir: join(app.dir, '.busline'), projectDir: app.dir, watch: true, print: (l) => lines.push(l) });
  const busName = dev.context.flows[0]!.busName;
  const publish = (data: Record<string, unknown>): Promise<unknown> => dev.app.engine.putEvents([{
    EventBusName: busName, Source: 'test.greetings', DetailType: 'greeting.sent',
    Detail: JSON.stringify({ metadata: { id: randomUUID() }, data }),
  }]);

  /** Polls (every POLL_MS) for a terminal line after `mark` that `match`es. */
  async function line(mark: number, what: string, match: (l: string) => boolean): Promise<string> {
    const started = performance.now();
    for (;;) {
      const found = lines.slice(mark).find(match);
      if (found) return found;
      if (performance.now() - started > WAIT_MS) throw new Error(`no ${what} within ${WAIT_MS} ms; the terminal said:\n${lines.slice(mark).join('\n')}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /**
   * Saves with `save`; once the terminal says it reloaded, publishes `data`, and waits for greet
   * to log a line with every one of `seen`. Returns save → that line and the reload line's own figure.
   */
  async function saveToNewCode(save: () => void, data: Record<string, unknown>, ...seen: string[]): Promise<{ totalMs: number; reloadMs: number }> {
    const mark = lines.length;
    const started = performance.now();
    save();
    const reloaded = await line(mark, 'reload line', (l) => l.startsWith('reload'));
    if (!reloaded.startsWith('reloaded')) throw new Error(reloaded);
    await publish(data);
    await line(mark, `greet log with ${seen.join(' and ')}`, (l) => l.startsWith('[greet]') && seen.every((s) => l.includes(s)));
    return { totalMs: performance.now() - started, reloadMs: reloadFigure(reloaded) };
  }

  try {
    // Warm-up: greet's first invocation is a cold start of the synthesized bundle, not measured.
    const warmUp = lines.length;
    await publish({ name: 'warm-up', times: 1 });
    await line(warmUp, 'the warm-up event', (l) => l.startsWith('[greet]') && l.includes('warm-up'));
    const handler = { totalMs: [] as number[], reloadMs: [] as number[] };
    const schemaEdit = { totalMs: [] as number[], reloadMs: [] as number[] };
    const record = (into: typeof handler, r: { totalMs: number; reloadMs: number }): void => { into.totalMs.push(r.totalMs); into.reloadMs.push(r.reloadMs); };
    let message = 'greeted';
    let schema = app.read('schemas/greeting.sent/v1.json');
    for (let i = 0; i < RUNS; i++) {
      const next = `greeted-r${i}`;
      const from = message;
      record(handler, await saveToNewCode(
        () => app.edit('handlers/greet.ts', `ctx.logger.info('${from}'`, `ctx.logger.info('${next}'`),
        { name: `h${i}`, times: 1 }, next,
      ));
      message = next;
      const field = `field${i}`;
      schema = schema.replace('"times": { "type": "integer", "minimum": 1 }', `"times": { "type": "integer", "minimum": 1 },\n    "${field}": { "type": "string" }`);
      const changed = schema;
      record(schemaEdit, await saveToNewCode(
        () => app.write('schemas/greeting.sent/v1.json', changed),
        { name: `s${i}`, times: 1, [field]: 'x' }, message, `s${i}`,
      ));
      progress(`run ${i + 1}/${RUNS}: handler ${formatNumber(handler.totalMs.at(-1)!)} ms, schema ${formatNumber(schemaEdit.totalMs.at(-1)!)} ms`);
    }
    const row = (what: string, r: typeof handler, target: Target): string[] => {
      const total = summarize(r.totalMs);
      return [what, formatSummary(total), formatSummary(summarize(r.reloadMs)), `${target.op} ${target.text}`, verdict(iqrBounds(total), target)];
    };
    return {
      title: 'Watch mode of busline dev (issue 20): a save → the next event runs it',
      columns: ['edit', 'save → the next event runs it, ms', 'of which the reload (its terminal line), ms', 'target', 'verdict (on the IQR upper bound)'],
      rows: [
        row('handler edit (greet.ts, a log message)', handler, HANDLER_TARGET),
        row('schema edit (a field added to greeting.sent v1; validators and types regenerated)', schemaEdit, SCHEMA_TARGET),
      ],
      notes: [
        `Median (interquartile range) of ${RUNS} edits of each kind on one running engine, after a warm-up event. Each is the time from the save to greet logging an event published as soon as the terminal said it reloaded (polled every ${POLL_MS} ms): the watcher's debounce (${DEFAULT_DEBOUNCE_MS} ms); the reload (the rebuild of the affected function and its new bundle loaded in a fresh worker, warm before it takes over); then the publish, the delivery through the queue and the invocation.`,
        'The schema edit\'s events carry the new field, which greeting.sent v1 refused before the edit (additionalProperties: false): greet logging one shows the new validators ran.',
      ],
    };
  } finally {
    await dev.watch?.stop();
    await dev.dashboard.stop();
    await dev.app.stop();
    app.remove();
  }
}

/** The time a reload line says it took (`… in 180 ms`, `… in 1.2 s`), ms. */
function reloadFigure(reloaded: string): number {
  const m = / in (\d+(?:\.\d+)?) (ms|s)$/m.exec(reloaded);
  if (!m) throw new Error(`no time in the reload line: ${reloaded}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}
