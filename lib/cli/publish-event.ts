/**
 * Publishing one event to a flow from outside a handler, as `busline publish` and the
 * busline/testing harness both do: find the flow that declares the topic, validate `data`
 * against the topic's newest schema (every violation listed, nothing sent), then publish it in
 * the Busline envelope with the runtime's own publisher (which fills the metadata, encrypts the
 * fields the topic marks `"x-busline-pii": "encrypt"` with the flow's PII key as a handler's
 * publish does, and retries only entries EventBridge did not accept).
 */
import { resolve } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import { createPublisher, type PublishedEvent, type PublisherOptions, type PublishMetadata } from '../runtime/publisher.ts';
import type { TopicInfo } from '../runtime/subscription-config.ts';
import type { FlowManifest, FlowTopic } from '../schema/flow-manifest.ts';
import { topicSchemas, validatePayload, validatorTable, PayloadInvalidError } from './schema-check.ts';

/** The flows an event may be published to: each manifest with the physical name of its bus. */
export interface PublishableFlow {
  readonly manifest: FlowManifest;
  readonly busName: string;
  /**
   * ARN of the flow's PII key (FlowManifest.piiKeyLogicalId, resolved by the target); absent
   * without one, and a topic with encrypted fields then needs BUSLINE_PII_KEY.
   */
  readonly piiKeyArn?: string;
}

export interface PublishEventOptions {
  readonly flows: readonly PublishableFlow[];
  /** Folder the manifests' `schemasDir` is relative to (the CDK app's folder at synth). */
  readonly projectDir: string;
  /** EventBridge client pointed at the engine. */
  readonly client: EventBridgeClient;
  /** KMS client for the data keys of encrypted fields, pointed where the flow's key is. */
  readonly kmsClient: KMSClient;
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
    topics: { [topic]: publisherTopicInfo(topicInfo, schemas.latest.version) },
    validators: validatorTable(schemas), busName: flow.busName, client: options.client,
    ...encryptionOptions(flow.piiKeyArn, options.kmsClient),
  });
  return publisher.publish(topic, data, options.metadata ?? {});
}

/** What the runtime's publisher knows of a manifest topic: its source, newest version and encrypted fields. */
export function publisherTopicInfo(topic: FlowTopic, latestVersion: number): TopicInfo {
  return { source: topic.source, latestVersion, ...(topic.encryptPaths && topic.encryptPaths.length > 0 ? { encryptPaths: topic.encryptPaths } : {}) };
}

/** The publisher options that encrypt with the flow's PII key (none without one: BUSLINE_PII_KEY then). */
export function encryptionOptions(piiKeyArn: string | undefined, kmsClient: KMSClient): Pick<PublisherOptions, 'piiKeyId' | 'kmsClient'> {
  return { kmsClient, ...(piiKeyArn ? { piiKeyId: piiKeyArn } : {}) };
}
