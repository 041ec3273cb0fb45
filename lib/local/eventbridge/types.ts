/**
 * Public shapes of the local EventBridge emulation. Field names follow the EventBridge API
 * (PutRule / PutTargets / PutEvents), which CloudFormation's AWS::Events::Rule uses too.
 */
import type { EventBridgeEvent } from '../../runtime/envelope.ts';

/** One entry of PutEvents, as in the API. */
export interface PutEventsRequestEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  /** A JSON object, as text. */
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  /** ISO-8601 text or a Date; defaults to now. */
  readonly Time?: string | Date;
  /** Bus name or ARN. @default "default" */
  readonly EventBusName?: string;
  readonly TraceHeader?: string;
}

/** One entry of the PutEvents response: EventId, or ErrorCode + ErrorMessage (AWS's shape). */
export interface PutEventsResultEntry {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/** The PutEvents response: one entry per request entry, in order. */
export interface PutEventsResult {
  readonly FailedEntryCount: number;
  readonly Entries: readonly PutEventsResultEntry[];
}

/** A rule as PutRule takes it. */
export interface RuleDefinition {
  readonly Name: string;
  /** @default "default" */
  readonly EventBusName?: string;
  /** Pattern text (JSON). Rules with a ScheduleExpression are not emulated. */
  readonly EventPattern: string;
  /** "ENABLED" | "DISABLED". @default "ENABLED" */
  readonly State?: string;
  readonly Description?: string;
}

/** A target's InputTransformer, as in PutTargets. */
export interface InputTransformer {
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  readonly InputTemplate: string;
}

/** A target's RetryPolicy, as in PutTargets. */
export interface RetryPolicy {
  /** 0–185. @default 185 */
  readonly MaximumRetryAttempts?: number;
  /** 60–86,400. @default 86400 */
  readonly MaximumEventAgeInSeconds?: number;
}

/** A rule target as PutTargets takes it. */
export interface TargetDefinition {
  readonly Id: string;
  /** An SQS queue ARN or a Lambda function ARN of this engine. */
  readonly Arn: string;
  /** Constant JSON text sent instead of the event. */
  readonly Input?: string;
  /** JSONPath (`$.detail.data`) selecting what is sent. */
  readonly InputPath?: string;
  readonly InputTransformer?: InputTransformer;
  readonly RetryPolicy?: RetryPolicy;
  /** SQS queue ARN receiving events whose delivery failed for good. */
  readonly DeadLetterConfig?: { readonly Arn?: string };
  /** FIFO queue targets need a MessageGroupId (may be a JSONPath like `$.detail.data.userId`). */
  readonly SqsParameters?: { readonly MessageGroupId?: string };
}

/** An archive of a bus, as CreateArchive takes it. */
export interface ArchiveDefinition {
  readonly ArchiveName: string;
  /** Bus name or ARN. */
  readonly EventSourceArn: string;
  /** Only events matching this pattern are archived. @default every event */
  readonly EventPattern?: string;
  /** 0 = forever. @default 0 */
  readonly RetentionDays?: number;
}

/** What `LocalEngine.replay` re-sends. */
export interface ReplayOptions {
  readonly busName: string;
  /** Events whose `time` is >= from and < to. */
  readonly from: Date;
  readonly to: Date;
  /** Written into the replayed events' `replay-name`. @default "replay-<timestamp>" */
  readonly replayName?: string;
  /** Only send to these rules (AWS: ReplayDestination.FilterArns). @default all rules of the bus */
  readonly ruleNames?: readonly string[];
  /** Extra filter over the archived events (e.g. by detail-type). */
  readonly filter?: (event: ArchivedEvent) => boolean;
}

/** What `LocalEngine.replay` did. */
export interface ReplayResult {
  readonly replayName: string;
  /** Events re-sent. */
  readonly eventCount: number;
}

/** An event as delivered to targets: the one EventBridge event shape the runtime also reads. */
export type BusEvent = EventBridgeEvent;

/** An event kept by an archive, with the bus it was accepted on. */
export interface ArchivedEvent {
  readonly bus: string;
  readonly event: BusEvent;
}

/**
 * How the engine invokes a Lambda target of a rule (async invoke). Implemented by the
 * function runner (lib/local/lambda, engine-app) and injected with LocalEngine.setLambdaInvoker.
 */
export interface LambdaInvoker {
  /**
   * Hand the payload to the function as an asynchronous invocation, and resolve when the
   * invocation is finished with — succeeded, or failed after Lambda's own async retries
   * and been routed to its on-failure destination (that part is the invoker's job).
   * Reject only when the function cannot be invoked at all (unknown function, not
   * started): the rule target's RetryPolicy and DeadLetterConfig then apply; an error named
   * `ResourceNotFoundException` (the function does not exist) is not retried and goes to the
   * DeadLetterConfig queue at once with ERROR_CODE NO_RESOURCE, as on AWS. The engine
   * keeps the delivery durable until this promise settles, so a delivery interrupted by a
   * crash is made again after restart.
   */
  invokeAsync(functionArn: string, payload: unknown, context: LambdaInvokeContext): Promise<void>;
}

/** What the engine tells a {@link LambdaInvoker} about a delivery. */
export interface LambdaInvokeContext {
  /** The event being delivered (for the journal). */
  readonly eventId: string;
  readonly ruleName: string;
  readonly busName: string;
  /** 1 for the first delivery attempt. */
  readonly attempt: number;
}
