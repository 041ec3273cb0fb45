import type { BenchSection } from '../section.ts';

/**
 * The gist of a section's error for RESULTS.md: its message lines without stack frames,
 * each cut short (an error thrown from a minified bundle quotes whole lines of it), and
 * the last lines kept, where Node prints the error's own message.
 */
export function summarizeError(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at '))
    .map((l) => (l.length > 240 ? `${l.slice(0, 240)}…` : l));
  const kept = lines.length > 4 ? [...lines.slice(0, 2), '…', ...lines.slice(-2)] : lines;
  return kept.join(' / ');
}

/** What a section that could not run shows in the results, so the run goes on. */
export function failedSection(name: string, error: string): BenchSection {
  return { title: name, columns: ['status'], rows: [['not measured']], notes: [`The section failed: ${summarizeError(error)}`] };
}
