/**
 * What the dashboard's page and its MCP endpoint work on: the flow target of the running
 * engine (for status, publish, dead letters, replay) and a view of the engine's journal (for
 * events, lineage and rule verdicts), with subscription names for physical ones.
 */
import type { FlowTarget } from '../flow-target.ts';
import type { JournalView } from '../flow-operations.ts';

export interface DashboardContext {
  readonly target: FlowTarget;
  readonly journal: JournalView;
}
