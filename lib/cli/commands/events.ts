/**
 * `busline events [--topic <t>] [--correlation <id>] [--where data.<field>=<value>] [--follow]`:
 * what happened to events, as lineage trees (event → rules → deliveries → invocations → the
 * events they caused).
 */
import { DEFAULT_STATE_DIR } from '../dev-session.ts';
import { openLocalJournal } from '../local-journal.ts';
import { buildLineage, describeStep, faultsOutsideTrees, renderLineage } from '../lineage.ts';
import { eventMatches, searchEvents, summarizeEvent, type EventSearch } from '../flow-operations.ts';
import type { JournalRecord } from '../../local/journal/types.ts';
import { RuleMismatches } from '../../local/journal/rule-mismatches.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = 'show what happened to events as lineage trees (rules, deliveries, handler runs, caused events)';

const HELP = `usage: busline events [--topic <topic>] [--correlation <id>] [--where data.<field>=<value>] [--last 10] [--follow] [--no-logs] [--state .busline]

  --topic        only trees containing events of this topic
  --correlation  only the tree of this correlation id (the first event's metadata.id by default)
  --where        only trees containing an event whose data has this field (a dot path, e.g.
                 data.userId=u-1 or data.address.city=Oslo) with this value (a string
                 field equals it as text, any other its JSON: data.total=40, data.vip=true)
  --last         show the newest N trees (default 10)
  --follow       keep printing new steps as they happen`;

/** `data.<path>=<value>` as the data field of an event search. */
function parseWhere(text: string): EventSearch['dataField'] | string {
  const match = /^data\.([^=]+)=(.*)$/s.exec(text);
  if (!match) return `--where ${text}: expected data.<field>=<value>, e.g. --where data.userId=u-1`;
  return { path: match[1]!, equals: match[2]! };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      topic: { type: 'string' }, correlation: { type: 'string' }, where: { type: 'string' }, last: { type: 'string', default: '10' },
      follow: { type: 'boolean', short: 'f', default: false }, 'no-logs': { type: 'boolean', default: false },
      state: { type: 'string', default: DEFAULT_STATE_DIR }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const dataField = values.where === undefined ? undefined : parseWhere(values.where);
  if (typeof dataField === 'string') {
    console.error(`${dataField}\n${HELP}`);
    return 2;
  }
  const journal = openLocalJournal(values.state);
  if ('missing' in journal) {
    console.error(`busline events: ${journal.missing}`);
    return 1;
  }
  const { label } = journal;
  const where: EventSearch | undefined = dataField ? { dataField } : undefined;

  const records = [...journal.records()];
  const filter = {
    ...(values.correlation ? { correlationId: values.correlation } : {}), ...(values.topic ? { topic: values.topic } : {}),
    ...(where ? { eventIds: new Set(searchEvents(journal, { ...where, limit: Infinity }).map((e) => e.eventId)) } : {}),
  };
  // Why an event did not match the other rules is worked out for the events shown only.
  const mismatches = new RuleMismatches();
  for (const r of records) mismatches.observe(r);
  const trees = buildLineage(records, filter);
  const roots = trees.slice(-Number(values.last));
  if (roots.length === 0 && !values.follow) {
    console.log(values.correlation || values.topic || where ? 'no events match' : 'no events yet');
  }
  for (const line of renderLineage(roots, label, { logs: !values['no-logs'], unmatched: (e) => mismatches.of(e) })) console.log(line);
  if (!values.correlation && !values.topic && !where) {
    const outside = faultsOutsideTrees(records, trees);
    if (outside.length > 0) console.log(['chaos faults outside any event:', ...outside.map((r) => `   ${r.at.slice(11, 23)} ${describeStep(r, label)}`), ''].join('\n'));
  }
  if (!values.follow) return 0;

  // Follow: one line per new step, filtered by the correlation/topic/data of its event.
  const correlationOf = new Map<string, string | undefined>();
  const topicOf = new Map<string, string | undefined>();
  const meetsWhere = new Set<string>();
  const observeEvent = (r: JournalRecord): void => {
    if (r.kind !== 'event.accepted') return;
    correlationOf.set(r.eventId, r.correlationId);
    topicOf.set(r.eventId, r.topic);
    if (where && eventMatches(summarizeEvent(r), where)) meetsWhere.add(r.eventId);
  };
  records.forEach(observeEvent);
  let seen = records.length;
  const show = (r: JournalRecord): void => {
    mismatches.observe(r);
    observeEvent(r);
    const correlation = r.correlationId ?? (r.eventId ? correlationOf.get(r.eventId) : undefined);
    const topic = r.topic ?? (r.eventId ? topicOf.get(r.eventId) : undefined);
    if (values.correlation && correlation !== values.correlation) return;
    if (values.topic && topic !== values.topic) return;
    if (where && !(r.eventId !== undefined && meetsWhere.has(r.eventId))) return;
    const text = r.kind === 'event.accepted'
      ? `● ${r.topic ?? '(no detail-type)'} id=${r.metadataId ?? r.eventId}${r.causationId ? ` caused by ${r.causationId}` : ''}`
      : describeStep(r, label);
    if (text) console.log(`${r.at.slice(11, 23)} [${correlation ?? '-'}] ${text}`);
    if (r.kind === 'event.accepted') mismatches.of(r).forEach(show);
  };
  await new Promise<void>((resolveStop) => {
    const timer = setInterval(() => {
      const all = journal.records();
      all.slice(seen).forEach(show);
      seen = all.length;
    }, 250);
    process.once('SIGINT', () => { clearInterval(timer); resolveStop(); });
  });
  return 0;
}
