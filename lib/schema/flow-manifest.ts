/**
 * A machine-readable description of one EventFlow, written by the constructs into the
 * synthesized template as the bus resource's `Metadata["Busline::Flow"]`, so every tool
 * that reads the cloud assembly (local engine, CLI, catalog, compatibility gate) sees the
 * same declaration without running the CDK app again.
 */
import type { DeliveryMode, RetryConfig, DedupeConfig } from '../runtime/subscription-config.ts';

export const FLOW_MANIFEST_METADATA_KEY = 'Busline::Flow';

export interface FlowManifest {
  readonly manifestVersion: 1;
  /** Flow name (the EventFlow's id unless named). */
  readonly flow: string;
  /** Logical id of the AWS::Events::EventBus. */
  readonly busLogicalId: string;
  /** Schemas folder, relative to the CDK app's working directory. */
  readonly schemasDir: string;
  readonly topics: readonly FlowTopic[];
  readonly subscriptions: readonly FlowSubscription[];
  /** Producers other than subscriptions, granted with grantPublish. */
  readonly publishers: readonly FlowPublisher[];
  /**
   * Logical id of the AWS::KMS::Key (in the bus's stack) that encrypts the topics'
   * `encryptPaths` (the EventFlow's `piiKey`), so publishers from outside the flow (`busline
   * publish`, the test harness, `busline soak`) encrypt those fields as a subscription's runtime
   * does. Absent when the flow has no PII key, or its key is not a resource of the stack (an
   * imported key: such publishers set BUSLINE_PII_KEY to its ARN).
   */
  readonly piiKeyLogicalId?: string;
}

export interface FlowTopic {
  readonly name: string;
  readonly source: string;
  readonly versions: readonly number[];
  /**
   * Paths in `data` of the fields a version of the topic's schema marks `"x-busline-pii"`, in any
   * mode (lib/schema/pii.ts: `['customer', 'email']`, `'*'` for every array item), so
   * the engine and the CLI mask their values in what they write for people and tools. Absent
   * when the topic has none.
   */
  readonly piiPaths?: readonly (readonly string[])[];
  /**
   * The paths among `piiPaths` whose fields a version marks `"x-busline-pii": "encrypt"`: every
   * publisher encrypts them with the flow's PII key (`piiKeyLogicalId`). Absent when none.
   */
  readonly encryptPaths?: readonly (readonly string[])[];
}

export interface FlowSubscription {
  readonly name: string;
  readonly constructPath: string;
  readonly topics: readonly string[];
  readonly delivery: DeliveryMode;
  /** Ordered delivery: the dot path in `data` whose value is an event's message group. */
  readonly messageGroupPath?: string;
  /** Content filter as the user wrote it, on `data` fields. */
  readonly filter?: Readonly<Record<string, unknown>>;
  /** The full EventBridge pattern of the rule. */
  readonly eventPattern: Readonly<Record<string, unknown>>;
  readonly publishes: readonly string[];
  readonly acceptsVersions?: Readonly<Record<string, readonly number[]>>;
  readonly retry: RetryConfig;
  readonly dedupe: DedupeConfig | false;
  /** Logical ids of the subscription's resources in the template. */
  readonly resources: {
    readonly rule: string;
    readonly function: string;
    readonly dlq: string;
    /**
     * The rule target's dead-letter queue, when it is not `dlq`: ordered delivery, whose `dlq`
     * is FIFO, which EventBridge cannot send to. Its messages go back to `queue`.
     */
    readonly deliveryDlq?: string;
    /** Absent for direct delivery. */
    readonly queue?: string;
  };
}

export interface FlowPublisher {
  readonly name: string;
  readonly topics: readonly string[];
}
