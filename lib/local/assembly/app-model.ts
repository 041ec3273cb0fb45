/**
 * What the local engine runs, read from a cloud assembly: every emulated resource with its
 * intrinsics resolved to local names, plus a warning for everything it cannot emulate.
 * This is plain data; lib/local/app.ts turns it into engine resources, functions and mappings.
 */
import type { FlowManifest } from '../../schema/flow-manifest.ts';
import type { NamedPolicy, PolicyDocument } from '../iam/policy-document.ts';

export interface ResourceRef {
  readonly stackName: string;
  readonly logicalId: string;
}

export interface LocalBus extends ResourceRef {
  readonly name: string;
  readonly arn: string;
  /** The Busline flow declared on this bus, when the constructs made it. */
  readonly flow?: FlowManifest;
}

export interface LocalArchive extends ResourceRef {
  readonly name: string;
  readonly busName: string;
  readonly eventPattern?: Record<string, unknown>;
  readonly retentionDays?: number;
}

export interface LocalInputTransformer {
  readonly inputPathsMap?: Record<string, string>;
  readonly inputTemplate: string;
}

export interface LocalRuleTarget {
  readonly id: string;
  readonly arn: string;
  readonly kind: 'sqs' | 'lambda' | 'eventbus' | 'unsupported';
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: LocalInputTransformer;
  readonly messageGroupId?: string;
  readonly retryPolicy?: { readonly maximumRetryAttempts?: number; readonly maximumEventAgeInSeconds?: number };
  readonly deadLetterArn?: string;
}

export interface LocalRule extends ResourceRef {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly eventPattern: Record<string, unknown>;
  readonly enabled: boolean;
  readonly targets: readonly LocalRuleTarget[];
}

export interface LocalQueue extends ResourceRef {
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly messageRetentionSeconds: number;
  readonly delaySeconds: number;
  readonly receiveWaitTimeSeconds: number;
  readonly maximumMessageSize: number;
  readonly redrive?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
}

export interface LocalFunction extends ResourceRef {
  readonly name: string;
  readonly arn: string;
  /** Folder holding the function's code (an asset folder, or a temp folder for inline code). */
  readonly codeDir?: string;
  /** Inline source (Code.ZipFile), written to codeDir/index.js by the runner. */
  readonly inlineCode?: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Record<string, string>;
  readonly reservedConcurrency?: number;
  /** The execution role (its ARN), whose policies the engine enforces on the function's calls. */
  readonly roleArn?: string;
}

export interface LocalEventSourceMapping extends ResourceRef {
  readonly functionName: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly maximumConcurrency?: number;
  readonly enabled: boolean;
}

export interface LocalInvokeConfig extends ResourceRef {
  readonly functionName: string;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly onFailureArn?: string;
  readonly onSuccessArn?: string;
}

export interface LocalTable extends ResourceRef {
  readonly name: string;
  readonly arn: string;
  /** The CreateTable request for the table, with intrinsics resolved. */
  readonly createTableInput: {
    readonly TableName: string;
    readonly KeySchema: unknown[];
    readonly AttributeDefinitions: unknown[];
    readonly GlobalSecondaryIndexes?: unknown[];
    readonly LocalSecondaryIndexes?: unknown[];
    readonly BillingMode: string;
    readonly ProvisionedThroughput?: unknown;
  };
}

/** A KMS key of the template (symmetric encryption keys only), served by the engine's KMS. */
export interface LocalKmsKey extends ResourceRef {
  /** Derived from stack and logical id: the same key, with the same secret, at every start. */
  readonly keyId: string;
  readonly arn: string;
  readonly description: string;
  readonly enabled: boolean;
  /** The key policy (JSON text): kept and returned by GetKeyPolicy, not evaluated. */
  readonly policy?: string;
}

/** An alias of the template (`alias/…`) and the key id it names. */
export interface LocalKmsAlias extends ResourceRef {
  readonly name: string;
  readonly targetKeyId: string;
}

/** An IAM role of the template with its identity policies (inline, AWS::IAM::Policy, in-template managed policies). */
export interface LocalRole extends ResourceRef {
  readonly name: string;
  readonly arn: string;
  readonly policies: readonly NamedPolicy[];
}

/** A resource-based policy of the template (AWS::SQS::QueuePolicy, AWS::Events::EventBusPolicy, a bus's Policy). */
export interface LocalResourcePolicy extends ResourceRef {
  /** The queues or buses it is attached to. */
  readonly resourceArns: readonly string[];
  readonly document: PolicyDocument;
}

export type WarningKind = 'no-effect' | 'not-emulated' | 'unresolved';

export interface AssemblyWarning extends ResourceRef {
  readonly resourceType: string;
  readonly kind: WarningKind;
  readonly message: string;
}

export interface LocalAppModel {
  readonly account: string;
  readonly region: string;
  readonly buses: readonly LocalBus[];
  readonly archives: readonly LocalArchive[];
  readonly rules: readonly LocalRule[];
  readonly queues: readonly LocalQueue[];
  readonly functions: readonly LocalFunction[];
  readonly mappings: readonly LocalEventSourceMapping[];
  readonly invokeConfigs: readonly LocalInvokeConfig[];
  readonly tables: readonly LocalTable[];
  readonly keys: readonly LocalKmsKey[];
  readonly aliases: readonly LocalKmsAlias[];
  readonly roles: readonly LocalRole[];
  readonly resourcePolicies: readonly LocalResourcePolicy[];
  readonly flows: readonly FlowManifest[];
  readonly warnings: readonly AssemblyWarning[];
}
