import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSection } from '../../bench/lib/markdown.ts';

test('a section renders as a heading, a Markdown table and its notes', () => {
  const md = renderSection({ title: 'Overhead', columns: ['Stack', 'µs'], rows: [['bare', '3.1']], notes: ['one note'] });
  assert.equal(md, '## Overhead\n\n| Stack | µs |\n| --- | --- |\n| bare | 3.1 |\n\n- one note\n');
});

test('a pipe inside a cell is escaped so the table keeps its columns', () => {
  const md = renderSection({ title: 't', columns: ['a'], rows: [['x | y']] });
  assert.match(md, /\| x \\\| y \|/);
});

test('a row with the wrong number of cells is an error naming the section', () => {
  assert.throws(() => renderSection({ title: 'Synth', columns: ['a', 'b'], rows: [['only one']] }), /"Synth": a row has 1 cells for 2 columns/);
});
