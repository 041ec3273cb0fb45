/**
 * Publishing one event to a flow from outside a handler, as `busline publish` and the
 * busline/testing harness both do: find the flow that declares the topic, validate `data`
 * against the topic's newest schema (every violation listed, nothing sent), then publish it in
 * the Busline envelope with the runtime's own publisher (which fills the metadata and retries
 * only entries EventBridge did not accept).
 */
import { resolve } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createPublisher, type PublishedEvent, type PublishMetadata } from '../runtime/publisher.ts';
import type { FlowManifest } from '../schema/flow-manifest.ts';
import { topicSchemas, validatePayload, validatorTable, PayloadInvalidError } from './schema-check.ts';

/** The flows an event may be published to: each manifest with the physical name of its bus. */
export interface PublishableFlow {
  readonly manifest: FlowManifest;
  readonly busName: string;
}

export interface PublishEventOptions {
  readonly flows: readonly PublishableFlow[];
  /** Folder the manifests' `schemasDir` is relative to (the CDK app's folder at synth). */
  readonly projectDir: string;
  /** EventBridge client pointed at the engine. */
  readonly client: EventBridgeClient;
  readonly topic: string;
  readonly data: unknown;
  readonly metadata?: PublishMetadata;
}

/**
 * Validates and publishes one event. Throws PayloadInvalidError for a topic no flow declares
 * or a payload that breaks the topic's newest schema (the message names each field and what
 * is wrong with it); nothing is sent then.
 */
export async function publishEvent(options: PublishEventOptions): Promise<PublishedEvent> {
  const { flows, topic, data } = options;
  const flow = flows.find((f) => f.manifest.topics.some((t) => t.name === topic));
  if (!flow) {
    const known = flows.flatMap((f) => f.manifest.topics.map((t) => t.name));
    throw new PayloadInvalidError(`unknown topic "${topic}": the flow declares ${known.join(', ') || 'no topics'}`);
  }
  const topicInfo = flow.manifest.topics.find((t) => t.name === topic)!;
  const schemas = topicSchemas(resolve(options.projectDir, flow.manifest.schemasDir), topic);
  validatePayload(schemas.latest.schema, topic, schemas.latest.version, data);
  const publisher = createPublisher({
    topics: { [topic]: { source: topicInfo.source, latestVersion: schemas.latest.version } },
    validators: validatorTable(schemas), busName: flow.busName, client: options.client,
  });
  return publisher.publish(topic, data, options.metadata ?? {});
}
