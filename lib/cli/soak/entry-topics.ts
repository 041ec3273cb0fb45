/**
 * The entry topics of a flow: topics some subscription consumes that no subscription publishes.
 * They are what the outside world sends in, so what a soak publishes.
 */
import type { FlowManifest, FlowTopic } from '../../schema/flow-manifest.ts';

/** One entry topic and the flow (bus) it is published to. */
export interface EntryTopic {
  readonly topic: string;
  readonly source: string;
  readonly busName: string;
  /** The topic as the manifest declares it (its encrypted fields among it). */
  readonly declared: FlowTopic;
  /** ARN of the flow's PII key, which encrypts the topic's encrypted fields; absent without one. */
  readonly piiKeyArn?: string;
  /** Folder of the flow's schemas (relative to the CDK app's folder). */
  readonly schemasDir: string;
}

export class SoakNoEntryTopicError extends Error {
  override readonly name = 'SoakNoEntryTopicError';
}

/** Entry topics of every flow, in declaration order; throws SoakNoEntryTopicError when there is none. */
export function entryTopics(flows: readonly { readonly manifest: FlowManifest; readonly busName: string; readonly piiKeyArn?: string }[]): EntryTopic[] {
  const found: EntryTopic[] = [];
  for (const { manifest, busName, piiKeyArn } of flows) {
    const published = new Set(manifest.subscriptions.flatMap((s) => s.publishes));
    const consumed = new Set(manifest.subscriptions.flatMap((s) => s.topics));
    for (const t of manifest.topics) {
      if (consumed.has(t.name) && !published.has(t.name)) found.push({ topic: t.name, source: t.source, busName, declared: t, ...(piiKeyArn ? { piiKeyArn } : {}), schemasDir: manifest.schemasDir });
    }
  }
  if (found.length === 0) {
    const names = flows.map((f) => f.manifest.flow).join(', ') || 'none';
    throw new SoakNoEntryTopicError(`no entry topic to publish: every topic a subscription consumes is also published by one (flows: ${names}); a soak needs a topic that comes from outside the flow`);
  }
  return found;
}
