/**
 * What the dashboard's page and its MCP endpoint work on: the flow target of the running
 * engine (for status, publish, dead letters, replay) and a view of the engine's journal (for
 * events, lineage and rule verdicts), with subscription names for physical ones.
 */
import type { FlowTarget } from '../flow-target.ts';
import type { JournalView } from '../flow-operations.ts';
import { readJournal } from '../journal-file.ts';
import type { JournalRecord } from '../../local/journal/types.ts';
import { RuleMismatches } from '../../local/journal/rule-mismatches.ts';

export interface DashboardContext {
  readonly target: FlowTarget;
  readonly journal: JournalView;
}

/**
 * A journal view over the journal file that reads only what was appended since the last call
 * (the file only grows while the engine runs). Each event is followed by the `rule.unmatched`
 * records of the rules it did not match, worked out once as it is read (routing journals only
 * the bus's rules: lib/local/journal/rule-mismatches.ts).
 */
export function journalFileView(file: string, label: (physicalName: string) => string): JournalView {
  const records: JournalRecord[] = [];
  const mismatches = new RuleMismatches();
  let offset = 0;
  return {
    records() {
      const next = readJournal(file, offset);
      offset = next.offset;
      for (const record of next.records) {
        mismatches.observe(record);
        records.push(record);
        if (record.kind === 'event.accepted') records.push(...mismatches.of(record));
      }
      return records;
    },
    label,
  };
}
