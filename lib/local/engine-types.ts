/** Options and programmatic shapes of {@link LocalEngine} (lib/local/engine.ts). */
import type { LambdaInvoker } from './eventbridge/types.ts';
import type { Clock } from './clock.ts';
import type { ChaosProfile } from './chaos/profile.ts';

/** Options of {@link LocalEngine.start}. */
export interface LocalEngineOptions {
  /** Folder holding all durable state (queues, archive, journal, DynamoDB tables). Created if missing. */
  readonly stateDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** @default "us-east-1" */
  readonly region?: string;
  /** @default "000000000000" */
  readonly accountId?: string;
  /**
   * Called after durable state is recovered and before the wire endpoint accepts requests:
   * declare the template's buses, rules, queues and tables here, so no request can arrive
   * before the rules exist.
   */
  readonly setup?: (engine: EngineResources) => void | Promise<void>;
  /**
   * What to do at start with messages that were in flight when the engine stopped.
   * "release" makes them visible at once (their consumers — the engine's own workers —
   * died with it); "keep" lets their visibility timeout run out as on AWS.
   * @default "release"
   */
  readonly inFlightOnStart?: 'release' | 'keep';
  /** Function runner for rule → Lambda targets; can also be set later with setLambdaInvoker. */
  readonly lambdaInvoker?: LambdaInvoker;
  /** Write-ahead log size that triggers a snapshot (compaction). @default 64 MiB */
  readonly compactLogAfterBytes?: number;
  /**
   * Days the lineage journal keeps its records; older ones are dropped at start and every hour
   * (a bus's archive keeps its events as its archives' RetentionDays say). 0 keeps every record.
   * @default 7
   */
  readonly journalRetentionDays?: number;
  /** Skip starting DynamoDB (dynalite). @default false */
  readonly withoutDynamoDb?: boolean;
  /**
   * The engine's time: visibility timeouts, delays, long polls, retry backoff, event age and
   * journal timestamps read it. A test harness passes a virtual clock. @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Inject delivery and API faults (duplicates, reordering, delays, visibility expiry, PutEvents
   * throttling and partial failures, DynamoDB throttling and transaction conflicts), each drawn
   * from a PRNG seeded by `chaos.seed` and recorded in the journal as a `chaos.fault`.
   * See docs/chaos.md. @default no faults
   */
  readonly chaos?: ChaosProfile;
  /**
   * The template's permissions, enforced on every request (startLocalApp builds it from the
   * cloud assembly). Without it every call is allowed and callers are not recorded.
   */
  readonly iam?: EngineIam;
}

/** IAM for the engine: the authorizer, and who hears of each denial (besides the journal). */
export interface EngineIam {
  readonly authorizer: import('./iam/iam-authorizer.ts').IamAuthorizer;
  readonly onAccessDenied?: (denial: import('./iam/iam-authorizer.ts').AccessDenial) => void;
}

/** The resource-declaring part of the engine, handed to `setup`. */
export type EngineResources = Pick<
  import('./engine.ts').LocalEngine,
  'createBus' | 'putRule' | 'putTargets' | 'retainEventBridgeDeclarations' | 'createArchive' | 'createQueue' | 'queue' | 'createTable' | 'declareKey' | 'declareAlias' | 'setLambdaInvoker' | 'setTopicPiiPaths' | 'region' | 'accountId' | 'endpoint'
>;
