/**
 * `busline explain <event id>`: why an event went where it went: each rule of its bus, matched
 * or not and why not (the reasons `busline events` prints), named by its subscription where it
 * belongs to one. Works on the local engine's journal; a deployed stack keeps no such record.
 */
import { DEFAULT_STATE_DIR } from '../dev-session.ts';
import { explainMatch, OperationError } from '../flow-operations.ts';
import { openLocalJournal } from '../local-journal.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = "tell, for one event, each rule of its bus: matched, or why it did not";

const HELP = `usage: busline explain <event id> [--state .busline]

  <event id>   the event's metadata.id or its EventBridge id (\`busline events\` shows them)
  --state      the local engine's state folder (its journal)`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv, allowPositionals: true,
    options: { state: { type: 'string', default: DEFAULT_STATE_DIR }, stack: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (values.stack !== undefined) {
    console.error('busline explain: explain needs the local engine\'s journal (the rules an event was routed with); '
      + 'a deployed stack does not record which rules an event did not match. Run it against `busline dev` (--state).');
    return 2;
  }
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) {
    console.error(`busline explain: ${id === undefined ? 'name the event' : `one event id, not ${positionals.length}`}\n${HELP}`);
    return 2;
  }
  const journal = openLocalJournal(values.state);
  if ('missing' in journal) {
    console.error(`busline explain: ${journal.missing}`);
    return 1;
  }
  let explained: ReturnType<typeof explainMatch>;
  try {
    explained = explainMatch(journal, id);
  } catch (error) {
    if (!(error instanceof OperationError)) throw error;
    console.error(`busline explain: ${error.message}: \`busline events\` lists the events and their ids`);
    return 1;
  }
  const { event, rules } = explained;
  console.log(`${event.topic ?? '(no detail-type)'}  id=${event.id}  event id=${event.eventId}  ${event.at}${event.correlationId ? `  correlation=${event.correlationId}` : ''}`);
  if (rules.length === 0) console.log('  no rule of its bus is recorded for it');
  for (const r of rules) {
    const name = r.subscription === r.rule ? `rule ${r.rule}` : `${r.subscription} (rule ${r.rule})`;
    console.log(r.matched ? `  ✓ ${name} matched` : `  · ${name} did not match: ${r.reason ?? ''}`);
  }
  return 0;
}
