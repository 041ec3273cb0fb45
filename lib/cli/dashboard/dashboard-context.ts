/**
 * What the dashboard's page and its MCP endpoint work on: the flow target of the running
 * engine (for status, publish, dead letters, replay) and a view of the engine's journal (for
 * events, lineage and rule verdicts), with subscription names for physical ones.
 */
import type { FlowTarget } from '../flow-target.ts';
import { publish, type JournalView } from '../flow-operations.ts';
import { lastSeqOf, recordsAfter } from '../journal-file.ts';
import type { PublishMetadata } from '../../runtime/publisher.ts';

export interface DashboardContext {
  readonly target: FlowTarget;
  readonly journal: JournalView;
}

/** What the page and the MCP endpoint answer for a published event. */
export interface PublishedAnswer {
  readonly topic: string;
  readonly id: string;
  readonly correlationId: string;
  readonly eventBridgeId: string;
}

/**
 * How long a publish waits for its event to show in the journal. The engine writes the journal
 * in batches gathered for up to 10 ms, after it answers PutEvents (lib/local/journal/journal.ts).
 */
const JOURNALED_WITHIN_MS = 2_000;

/**
 * Publishes (validated against the topic's newest schema: flow-operations.ts publish) and answers
 * once the engine's journal shows the event, so that a search, a lineage or an explain asked right
 * after finds it. An event that does not show within JOURNALED_WITHIN_MS is still published: the
 * answer says so rather than fail.
 */
export async function publishAndSee(context: DashboardContext, topic: string, data: unknown, metadata: PublishMetadata): Promise<PublishedAnswer & { readonly journaled: boolean }> {
  // Only records read after this can be the event's: each check looks at those, not the whole journal.
  // (A seq, not an index: retention may rewrite the journal without its oldest records.)
  let from = lastSeqOf(context.journal.records());
  const published = await publish(context.target, topic, data, metadata);
  const deadline = Date.now() + JOURNALED_WITHIN_MS;
  let journaled = false;
  for (;;) {
    const records = context.journal.records();
    journaled = recordsAfter(records, from).some((r) => r.kind === 'event.accepted' && r.eventId === published.eventBridgeId);
    from = Math.max(from, lastSeqOf(records));
    if (journaled || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { topic, id: published.id, correlationId: published.metadata.correlationId, eventBridgeId: published.eventBridgeId, journaled };
}
