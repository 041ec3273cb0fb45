/**
 * The child side of bench/lib/row-process.ts: builds one row from a rows module and answers
 * the parent's warmup/sample requests until the IPC channel closes.
 *   node --import tsx row-worker.ts <rows module> <row key> <env JSON>
 */
import { pathToFileURL } from 'node:url';
import { inProcessRunner, type RowRunner } from './measure.ts';
import type { RowsModule } from './row-process.ts';

/** What the parent asks; on the wire each carries an `id` its reply echoes. */
export type RowRequestBody = { op: 'ready' } | { op: 'warmup'; arg: number } | { op: 'sample'; arg: number };
export type RowRequest = RowRequestBody & { id: number };
export type RowReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

const [rowsModule, key, envJson] = process.argv.slice(2);
if (!rowsModule || !key || !process.send) {
  console.error('usage: forked by bench/lib/row-process.ts with a rows module, a row key and an env JSON');
  process.exit(2);
}

let runner: Promise<RowRunner> | undefined;
const setUp = (): Promise<RowRunner> =>
  (runner ??= (async () => {
    const mod = (await import(pathToFileURL(rowsModule).href)) as RowsModule;
    const row = await mod.createRow(key, JSON.parse(envJson ?? '{}') as Record<string, string>);
    return inProcessRunner(row, mod.contextOf, { collectBeforeSample: false });
  })());

process.on('message', (request: RowRequest) => {
  const reply = (message: RowReply): void => void process.send!(message);
  (async () => {
    const r = await setUp();
    if (request.op === 'ready') return null;
    if (request.op === 'warmup') return r.warmup(request.arg);
    return r.sample(request.arg);
  })().then(
    (value) => reply({ id: request.id, ok: true, value }),
    (err: unknown) => reply({ id: request.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
// The parent disconnects when it is done with the row: leave then, whatever the stack left open.
process.on('disconnect', () => process.exit(0));
