/**
 * `busline events` on an engine's journal: the tree shows why an event did not match each
 * rule of its bus, worked out when the command reads the journal (routing journals the bus's
 * rules, not a record per rule an event did not match).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { run } from '../../lib/cli/commands/events.ts';
import { startEngine } from '../local/support/engine-fixture.ts';

/** Runs the command, returning what it printed. */
async function busLineEvents(argv: string[]): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    assert.equal(await run(argv), 0);
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

test('busline events shows why an event did not match each rule of its bus, and which rule it matched', async (t) => {
  const f = await startEngine();
  t.after(() => f.close());
  f.engine.putRule({ Name: 'placed', EventPattern: JSON.stringify({ 'detail-type': ['OrderPlaced'] }) });
  f.engine.putRule({ Name: 'big-orders', EventPattern: JSON.stringify({ detail: { data: { total: [{ numeric: ['>', 100] }] } } }) });
  f.engine.putRule({ Name: 'paused', EventPattern: JSON.stringify({ source: ['shop'] }), State: 'DISABLED' });
  const detail = { metadata: { id: 'm-1', correlationId: 'why-1' }, data: { total: 40 } };
  await f.events.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify(detail) }] }));
  await f.engine.journalQuery({}); // the journal file is written
  const out = await busLineEvents(['--correlation', 'why-1', '--state', f.stateDir]);
  assert.match(out, /✓ rule placed matched/);
  assert.match(out, /· rule big-orders did not match: detail\.data\.total: 40 is not > 100/);
  assert.match(out, /· rule paused did not match: rule is DISABLED/);
  assert.doesNotMatch(out, /rule placed did not match/);
});
