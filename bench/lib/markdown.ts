import type { BenchSection } from '../section.ts';

/** A cell may hold `|`; escape it so the table keeps its columns. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One section as Markdown: a heading, the table, then its notes as a list. */
export function renderSection(section: BenchSection): string {
  const lines = [`## ${section.title}`, ''];
  lines.push(`| ${section.columns.map(cell).join(' | ')} |`);
  lines.push(`| ${section.columns.map(() => '---').join(' | ')} |`);
  for (const row of section.rows) {
    if (row.length !== section.columns.length) {
      throw new Error(`bench section "${section.title}": a row has ${row.length} cells for ${section.columns.length} columns (${JSON.stringify(row)})`);
    }
    lines.push(`| ${row.map(cell).join(' | ')} |`);
  }
  if (section.notes && section.notes.length > 0) {
    lines.push('');
    for (const note of section.notes) lines.push(`- ${note}`);
  }
  return lines.join('\n') + '\n';
}
