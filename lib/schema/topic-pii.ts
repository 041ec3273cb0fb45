/**
 * The PII fields of every topic of the flows an assembly declares, as ONE map the local engine
 * and the CLI mask with: topic (detail-type) → paths in `data` (lib/schema/pii.ts). The
 * constructs derive each topic's paths from its schemas at synth time and write them into the
 * flow manifest (`FlowTopic.piiPaths`), so a reader of the assembly needs no schemas folder.
 * Every PII field is in it, whatever its mode: what Busline masks in what it writes for people and
 * tools. The stored events keep their values (mask mode) or hold envelopes (encrypt mode,
 * lib/runtime/pii-envelope.ts): an envelope's own parts are never taken for the field's value;
 * the value is the one an {@link EnvelopeOpener} finds inside it (the local engine, which holds
 * the keys), else none.
 */
import type { PiiMask } from '../runtime/pii-mask.ts';
import { forEachAt, piiMaskOf } from '../runtime/pii-values.ts';
import { isEnvelope } from '../runtime/pii-envelope.ts';
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
 * The value inside the envelope of field `path` of a `topic` event, or undefined when it cannot
 * be opened (a key that is not there, a tampered envelope). For masking only: what it returns is
 * never written anywhere.
 */
export type EnvelopeOpener = (topic: string, path: readonly string[], envelope: Readonly<Record<string, unknown>>) => unknown;

/**
 * The PII values of an EventBridge event (its `detail-type`'s paths, read in `detail.data`), or
 * undefined when it holds none. A JSON text is read as the event it holds. An encrypted field
 * counts with the value `open` finds in its envelope, or not at all (without `open`, or when it
 * cannot open it): the envelope is ciphertext, and masking its parts (its version `1`) would
 * mask unrelated text.
 */
export function eventPiiMask(event: unknown, paths: TopicPiiPaths, open?: EnvelopeOpener): PiiMask | undefined {
  if (paths.size === 0) return undefined;
  let e = event;
  if (typeof e === 'string') {
    try { e = JSON.parse(e); } catch { return undefined; }
  }
  if (typeof e !== 'object' || e === null) return undefined;
  const { 'detail-type': topic, detail } = e as { 'detail-type'?: unknown; detail?: { data?: unknown } };
  if (typeof topic !== 'string' || typeof detail !== 'object' || detail === null) return undefined;
  const topicPaths = paths.get(topic);
  return piiMaskOf(withEnvelopesOpened(topic, detail.data, topicPaths, open), topicPaths);
}

/** `data` with each envelope at `paths` replaced by its value (`open`) or removed; `data` itself when it holds none. */
function withEnvelopesOpened(topic: string, data: unknown, paths: ReadonlyArray<readonly string[]> | undefined, open: EnvelopeOpener | undefined): unknown {
  if (!paths) return data;
  let found = false;
  for (const path of paths) forEachAt(data, path, (container, key) => { found ||= isEnvelope(container[key]); });
  if (!found) return data;
  const copy: unknown = structuredClone(data);
  for (const path of paths) {
    forEachAt(copy, path, (container, key) => {
      const envelope = container[key];
      if (!isEnvelope(envelope)) return;
      const value = open?.(topic, path, envelope);
      if (value === undefined) delete container[key];
      else container[key] = value;
    });
  }
  return copy;
}
