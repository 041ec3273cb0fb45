/**
 * The local engine's journal as the flow operations read it (lib/cli/flow-operations.ts), for
 * the commands about what happened (`busline events`, `busline explain`): the journal file in
 * the state folder, read while the engine runs and after it stopped, with subscription names
 * for physical ones while `busline dev`'s session file is there.
 */
import { existsSync } from 'node:fs';
import { readDevSession } from './dev-session.ts';
import { loadFlowContext } from './flow-context.ts';
import { journalFileView, journalPath } from './journal-file.ts';
import type { JournalView } from './flow-operations.ts';

/** The journal of the engine whose state is in `stateDir`, or a message saying why there is none. */
export function openLocalJournal(stateDir: string): JournalView | { readonly missing: string } {
  const file = journalPath(stateDir);
  if (!existsSync(file)) return { missing: `no journal at ${file}: start the engine with \`busline dev\` and publish an event first` };
  let label = (name: string): string => name;
  try {
    label = loadFlowContext(readDevSession(stateDir).assemblyDir).label;
  } catch { /* no session (the engine stopped and its assembly is gone): show physical names */ }
  return journalFileView(file, label);
}
