/**
 * The PII fields of every topic of the flows an assembly declares, as ONE map the local engine
 * and the CLI mask with: topic (detail-type) → paths in `data` (lib/schema/pii.ts). The
 * constructs derive each topic's paths from its schemas at synth time and write them into the
 * flow manifest (`FlowTopic.piiPaths`), so a reader of the assembly needs no schemas folder.
 * Only `true` / `"mask"` fields are in it: what Busline masks in what it writes for people and
 * tools; the stored events keep their values.
 */
import { piiMaskOf, type PiiMask } from '../runtime/pii-mask.ts';
import type { FlowManifest } from './flow-manifest.ts';

/** Topic → paths in `data` of its PII fields; a topic without any is not in it. */
export type TopicPiiPaths = ReadonlyMap<string, ReadonlyArray<readonly string[]>>;

/** The map of every topic of these flows with PII fields (a topic in several flows: the union). */
export function topicPiiPathsOf(flows: Iterable<FlowManifest>): TopicPiiPaths {
  const byTopic = new Map<string, Map<string, readonly string[]>>();
  for (const flow of flows) {
    for (const topic of flow.topics) {
      if (!topic.piiPaths || topic.piiPaths.length === 0) continue;
      const paths = byTopic.get(topic.name) ?? new Map<string, readonly string[]>();
      for (const p of topic.piiPaths) paths.set(JSON.stringify(p), p);
      byTopic.set(topic.name, paths);
    }
  }
  return new Map([...byTopic].map(([topic, paths]) => [topic, [...paths.values()]]));
}

/**
 * The PII values of an EventBridge event (its `detail-type`'s paths, read in `detail.data`), or
 * undefined when it holds none. A JSON text is read as the event it holds.
 */
export function eventPiiMask(event: unknown, paths: TopicPiiPaths): PiiMask | undefined {
  if (paths.size === 0) return undefined;
  let e = event;
  if (typeof e === 'string') {
    try { e = JSON.parse(e); } catch { return undefined; }
  }
  if (typeof e !== 'object' || e === null) return undefined;
  const { 'detail-type': topic, detail } = e as { 'detail-type'?: unknown; detail?: { data?: unknown } };
  if (typeof topic !== 'string' || typeof detail !== 'object' || detail === null) return undefined;
  return piiMaskOf(detail.data, paths.get(topic));
}
