/**
 * `busline events [--topic <t>] [--correlation <id>] [--where data.<field>=<value>] [--principal <p>] [--follow]`:
 * what happened to events, as lineage trees (event → rules → deliveries → invocations → the
 * events they caused).
 */
import { DEFAULT_STATE_DIR } from '../dev-session.ts';
import { openLocalJournal } from '../local-journal.ts';
import { buildLineage, describeAccessDenied, describeStep, faultsOutsideTrees, renderLineage } from '../lineage.ts';
import { principalMatches } from '../../local/iam/caller.ts';
import { eventMatches, searchEvents, summarizeEvent, type EventSearch } from '../flow-operations.ts';
import type { JournalRecord } from '../../local/journal/types.ts';
import { RuleMismatches } from '../../local/journal/rule-mismatches.ts';
import { parseCommandArgs } from '../args.ts';
import { DataFieldFilterError, parseDataFieldFilter } from '../data-field.ts';

export const summary = 'show what happened to events as lineage trees (rules, deliveries, handler runs, caused events)';

const HELP = `usage: busline events [--topic <topic>] [--correlation <id>] [--where data.<field>=<value>] [--principal <role or function>] [--last 10] [--follow] [--no-logs] [--state .busline]

  --topic        only trees containing events of this topic
  --correlation  only the tree of this correlation id (the first event's metadata.id by default)
  --where        only trees containing an event whose data has this field (a dot path, e.g.
                 data.userId=u-1 or data.address.city=Oslo) with this value (a string
                 field equals it as text, any other its JSON: data.total=40, data.vip=true)
  --principal    only trees with an event this principal published or received (a function's
                 name, a role's name or ARN, or administrator: the CLI and SDKs from outside),
                 and the calls IAM refused it (or, with --iam warn, would have)
  --last         show the newest N trees (default 10)
  --follow       keep printing new steps as they happen`;

/** `data.<path>=<value>` as the data field of an event search, or what is wrong with it. */
function parseWhere(text: string): EventSearch['dataField'] | string {
  try {
    return parseDataFieldFilter(text);
  } catch (error) {
    if (!(error instanceof DataFieldFilterError)) throw error;
    return `--where ${error.message}`;
  }
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      topic: { type: 'string' }, correlation: { type: 'string' }, where: { type: 'string' }, principal: { type: 'string' }, last: { type: 'string', default: '10' },
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
  const principal = values.principal;
  const byPrincipal = (r: JournalRecord): boolean => principal === undefined || principalMatches(r.principal, principal);
  const ofPrincipal = principal === undefined ? undefined
    : new Set(records.flatMap((r) => (r.eventId !== undefined && (r.kind === 'event.accepted' || r.kind === 'delivery.received') && byPrincipal(r) ? [r.eventId] : [])));
  const searched = where ? new Set(searchEvents(journal, { ...where, limit: Infinity }).map((e) => e.eventId)) : undefined;
  const eventIds = searched && ofPrincipal ? new Set([...searched].filter((id) => ofPrincipal.has(id))) : searched ?? ofPrincipal;
  const filter = {
    ...(values.correlation ? { correlationId: values.correlation } : {}), ...(values.topic ? { topic: values.topic } : {}),
    ...(eventIds ? { eventIds } : {}),
  };
  // Why an event did not match the other rules is worked out for the events shown only.
  const mismatches = new RuleMismatches();
  for (const r of records) mismatches.observe(r);
  const trees = buildLineage(records, filter);
  const roots = trees.slice(-Number(values.last));
  const denials = records.filter((r) => r.kind === 'access.denied' && byPrincipal(r) && (values.topic === undefined || r.topic === values.topic)).slice(-Number(values.last));
  if (roots.length === 0 && denials.length === 0 && !values.follow) {
    console.log(values.correlation || values.topic || where || principal ? 'no events match' : 'no events yet');
  }
  for (const line of renderLineage(roots, label, { logs: !values['no-logs'], unmatched: (e) => mismatches.of(e) })) console.log(line);
  if (denials.length > 0) {
    console.log('IAM (what the template\'s policies do not allow):');
    for (const r of denials) if (r.kind === 'access.denied') console.log(`${r.at.slice(11, 23)} ${describeAccessDenied(r)}`);
  }
  if (!values.correlation && !values.topic && !where && !principal) {
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
    if (principal !== undefined && (r.kind === 'event.accepted' || r.kind === 'delivery.received' || r.kind === 'access.denied') && !byPrincipal(r)) return;
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
