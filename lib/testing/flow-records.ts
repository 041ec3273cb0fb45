/**
 * What a flow under test has done, as the harness reads it: every journal record since the
 * start (older ones too, when the state folder has a history), the lines its functions logged,
 * and the lineage and dead letters built from them. Shared by startFlow and testFlow.
 */
import type { JournalRecord, LocalApp, LocalSubscription, LogLine } from '../local/index.ts';
import { deadLettersOf, type DeadLetter } from './dead-letters.ts';
import { eventLineages, type EventLineage } from './lineage.ts';
import { readLogLine, type FlowLogLine } from './log-lines.ts';

/** A line a function wrote, with the physical name of the function. */
export interface WrittenLine {
  readonly functionName: string;
  readonly line: LogLine;
}

export interface FlowRecords {
  /** Every journal record so far, in order (grows as the flow runs). */
  readonly records: readonly JournalRecord[];
  /** The subscription of that name; an Error naming the flow's subscriptions when there is none. */
  subscription(name: string): LocalSubscription;
  /** The subscription name of a function (the function name for functions outside a flow). */
  subscriptionOf(functionName: string): string;
  deadLetters(subscription?: string): DeadLetter[];
  events(): EventLineage[];
  logs(subscription?: string): FlowLogLine[];
  /** Stops recording. */
  stop(): void;
}

/** Starts recording the app's journal; `written` is the list its onLog fills. */
export async function recordFlow(app: LocalApp, written: readonly WrittenLine[]): Promise<FlowRecords> {
  // Every journal record, live; with a state folder that has a history, the older ones too.
  const live: JournalRecord[] = [];
  const unsubscribe = app.engine.journalSubscribe({}, (r) => { live.push(r); });
  const records = await app.engine.journalQuery({});
  const lastPast = records.at(-1)?.seq ?? 0;
  records.push(...live.filter((r) => r.seq > lastPast));
  unsubscribe();
  const stop = app.engine.journalSubscribe({}, (r) => { records.push(r); });

  const subscriptionOf = (functionName: string): string => app.subscriptions.find((s) => s.functionName === functionName)?.name ?? functionName;
  const subscription = (name: string): LocalSubscription => {
    const found = app.subscriptions.find((s) => s.name === name);
    if (!found) throw new Error(`no subscription named "${name}"; the flow has: ${app.subscriptions.map((s) => s.name).join(', ') || '(none)'}`);
    return found;
  };
  const deadLetters = (name?: string): DeadLetter[] =>
    (name === undefined ? app.subscriptions : [subscription(name)]).flatMap((s) => deadLettersOf(app, s, records));
  return {
    records,
    subscription,
    subscriptionOf,
    deadLetters,
    events: () => eventLineages({ records, subscriptions: app.subscriptions, deadLetters: deadLetters() }),
    logs(name) {
      if (name !== undefined) subscription(name);
      return written.flatMap(({ functionName, line }) => {
        const label = subscriptionOf(functionName);
        if (name !== undefined && label !== name) return [];
        return readLogLine(label, line.text, line.level) ?? [];
      });
    },
    stop,
  };
}
