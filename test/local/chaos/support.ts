/** Shared by the chaos specs: the journal's chaos.fault records of an engine, and a profile with one fault on. */
import type { LocalEngine } from '../../../lib/local/engine.ts';
import type { ChaosFaultRecord } from '../../../lib/local/journal/types.ts';

export async function faultsOf(engine: Pick<LocalEngine, 'journalQuery'>, fault?: ChaosFaultRecord['fault']): Promise<ChaosFaultRecord[]> {
  const records = await engine.journalQuery({ kinds: ['chaos.fault'] });
  return records.filter((r): r is ChaosFaultRecord => r.kind === 'chaos.fault' && (fault === undefined || r.fault === fault));
}
