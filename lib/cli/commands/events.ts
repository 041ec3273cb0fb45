/**
 * `busline events [--topic <t>] [--correlation <id>] [--follow]`: what happened to events, as
 * lineage trees (event → rules → deliveries → invocations → the events they caused).
 */
import { existsSync } from 'node:fs';
import { DEFAULT_STATE_DIR, readDevSession } from '../dev-session.ts';
import { loadFlowContext } from '../flow-context.ts';
import { journalPath, readJournal } from '../journal-file.ts';
import { buildLineage, describeStep, renderLineage } from '../lineage.ts';
import type { JournalRecord } from '../../local/journal/types.ts';
import { RuleMismatches } from '../../local/journal/rule-mismatches.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = 'show what happened to events as lineage trees (rules, deliveries, handler runs, caused events)';

const HELP = `usage: busline events [--topic <topic>] [--correlation <id>] [--last 10] [--follow] [--no-logs] [--state .busline]

  --topic        only trees containing events of this topic
  --correlation  only the tree of this correlation id (the first event's metadata.id by default)
  --last         show the newest N trees (default 10)
  --follow       keep printing new steps as they happen`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      topic: { type: 'string' }, correlation: { type: 'string' }, last: { type: 'string', default: '10' },
      follow: { type: 'boolean', short: 'f', default: false }, 'no-logs': { type: 'boolean', default: false },
      state: { type: 'string', default: DEFAULT_STATE_DIR }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const file = journalPath(values.state);
  if (!existsSync(file)) {
    console.error(`busline events: no journal at ${file}: start the engine with \`busline dev\` and publish an event first`);
    return 1;
  }
  let label = (name: string): string => name;
  try {
    const context = loadFlowContext(readDevSession(values.state).assemblyDir);
    label = context.label;
  } catch { /* no running session: show physical names */ }

  const filter = { ...(values.correlation ? { correlationId: values.correlation } : {}), ...(values.topic ? { topic: values.topic } : {}) };
  const { records, offset } = readJournal(file);
  // Why an event did not match the other rules is worked out for the events shown only.
  const mismatches = new RuleMismatches();
  for (const r of records) mismatches.observe(r);
  const roots = buildLineage(records, filter).slice(-Number(values.last));
  if (roots.length === 0 && !values.follow) {
    console.log(values.correlation || values.topic ? 'no events match' : 'no events yet');
  }
  for (const line of renderLineage(roots, label, { logs: !values['no-logs'], unmatched: (e) => mismatches.of(e) })) console.log(line);
  if (!values.follow) return 0;

  // Follow: one line per new step, filtered by the correlation/topic of its event.
  const correlationOf = new Map<string, string | undefined>();
  const topicOf = new Map<string, string | undefined>();
  for (const r of records) if (r.kind === 'event.accepted') { correlationOf.set(r.eventId, r.correlationId); topicOf.set(r.eventId, r.topic); }
  let at = offset;
  const show = (r: JournalRecord): void => {
    mismatches.observe(r);
    if (r.kind === 'event.accepted') { correlationOf.set(r.eventId, r.correlationId); topicOf.set(r.eventId, r.topic); }
    const correlation = r.correlationId ?? (r.eventId ? correlationOf.get(r.eventId) : undefined);
    const topic = r.topic ?? (r.eventId ? topicOf.get(r.eventId) : undefined);
    if (values.correlation && correlation !== values.correlation) return;
    if (values.topic && topic !== values.topic) return;
    const text = r.kind === 'event.accepted'
      ? `● ${r.topic ?? '(no detail-type)'} id=${r.metadataId ?? r.eventId}${r.causationId ? ` caused by ${r.causationId}` : ''}`
      : describeStep(r, label);
    if (text) console.log(`${r.at.slice(11, 23)} [${correlation ?? '-'}] ${text}`);
    if (r.kind === 'event.accepted') mismatches.of(r).forEach(show);
  };
  await new Promise<void>((resolveStop) => {
    const timer = setInterval(() => {
      const next = readJournal(file, at);
      at = next.offset;
      next.records.forEach(show);
    }, 250);
    process.once('SIGINT', () => { clearInterval(timer); resolveStop(); });
  });
  return 0;
}
