/**
 * Runs one bench file in its own process, so sections do not share JIT state, heap or
 * module caches, and so the structured logs the measured handlers write to stdout (as they
 * would in Lambda) do not mix with the tables. The parent reads the result over IPC.
 */
import { pathToFileURL } from 'node:url';
import type { BenchSection } from '../section.ts';

export type WorkerMessage = { ok: true; section: BenchSection } | { ok: false; error: string };

const file = process.argv[2];
if (!file || !process.send) {
  console.error('usage: forked by bench/run.ts with the bench file as its argument');
  process.exit(2);
}

function reply(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

try {
  const mod = (await import(pathToFileURL(file).href)) as { run?: () => Promise<BenchSection> };
  if (typeof mod.run !== 'function') {
    throw new Error(`${file} does not export run(): add \`export async function run(): Promise<BenchSection>\``);
  }
  await reply({ ok: true, section: await mod.run() });
} catch (err) {
  await reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
// Servers or clients a section forgot to close must not keep the run waiting.
process.exit(0);
