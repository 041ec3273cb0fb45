import type { TopicSchemas } from '../schema/schema-set.ts';

/** Options of `EventFlow.addTopic()`. */
export interface TopicOptions {
  /**
   * EventBridge `source` of the topic's events: the producing domain, e.g. `'app.accounts'`.
   * Publishers are allowed exactly this source for this topic.
   */
  readonly source: string;
}

/**
 * A kind of event in a flow: an EventBridge detail-type with a versioned JSON Schema
 * (schemas/<name>/v<N>.json) for its `data`, and one source. Made by `EventFlow.addTopic()`;
 * it owns no AWS resources.
 */
export class Topic {
  /** @internal */
  constructor(
    /** Path of the flow that declared the topic (a topic belongs to one flow). */
    readonly flowPath: string,
    /** The detail-type, e.g. `'user.signed-up'`. */
    readonly name: string,
    /** The EventBridge source. */
    readonly source: string,
    /** Every schema version of the topic, oldest first. */
    readonly schemas: TopicSchemas,
  ) {}

  /** Newest schema version; publishers stamp it into `metadata.schemaVersion`. */
  get latestVersion(): number {
    return this.schemas.latest.version;
  }

  toString(): string {
    return this.name;
  }
}
