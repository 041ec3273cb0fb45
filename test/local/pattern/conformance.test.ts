/**
 * Scores the engine on the AWS-verified conformance cases kept outside the
 * repository (../shared/conformance/eventbridge-patterns.json, see its README).
 * Every case must be right: match, no-match and invalid-pattern alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, InvalidEventPatternError } from '../../../lib/local/pattern/index.ts';
import { skipUnlessPresent } from '../../support/prerequisites.ts';
import { conformanceCasesFile, patternText, readConformanceCases, type ConformanceCase } from '../../support/conformance-cases.ts';

type Answer = ConformanceCase['expect'] | `error: ${string}`;

function answer(c: ConformanceCase): Answer {
  try {
    return compilePattern(patternText(c)).matches(c.event) ? 'match' : 'no-match';
  } catch (e) {
    if (e instanceof InvalidEventPatternError) return 'invalid-pattern';
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const cases = readConformanceCases();
const skip = skipUnlessPresent(cases ? false : `conformance cases not found at ${conformanceCasesFile} (the shared folder goes beside the checkout)`);

test('the engine gives AWS\'s answer on every AWS-verified conformance case', { skip }, () => {
  if (!cases) return;
  const tally = (map: Map<string, { pass: number; total: number }>, key: string, ok: boolean): void => {
    const t = map.get(key) ?? { pass: 0, total: 0 };
    t.total++;
    if (ok) t.pass++;
    map.set(key, t);
  };
  const byFamily = new Map<string, { pass: number; total: number }>();
  const byExpect = new Map<string, { pass: number; total: number }>();
  const failures: string[] = [];
  let passed = 0;
  for (const c of cases) {
    const got = answer(c);
    const ok = got === c.expect;
    if (ok) passed++;
    else failures.push(`${c.id}: expected ${c.expect}, got ${got}`);
    for (const f of c.families) tally(byFamily, f, ok);
    tally(byExpect, c.expect, ok);
  }
  const lines = [`conformance: ${passed}/${cases.length}`];
  lines.push('by expected answer: ' + [...byExpect].map(([k, t]) => `${k} ${t.pass}/${t.total}`).join(', '));
  lines.push('by family: ' + [...byFamily].sort().map(([k, t]) => `${k} ${t.pass}/${t.total}`).join(', '));
  if (failures.length) lines.push('failures:', ...failures.map((f) => `  ${f}`));
  console.log(lines.join('\n'));
  assert.equal(passed, cases.length, `conformance below ${cases.length}/${cases.length}:\n${failures.join('\n')}`);
});
