/**
 * Builds the {@link LocalAppModel} from a cloud assembly: one pass over every stack's
 * resources, resolving intrinsics to local names, and recording a warning for each resource
 * type or property the engine does not emulate (never ignoring one silently).
 */
import { FLOW_MANIFEST_METADATA_KEY, type FlowManifest } from '../../schema/flow-manifest.ts';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, type CloudAssembly, type CfnResource } from './cloud-assembly.ts';
import { CUSTOMER_MANAGED_KEY_WARNING, customerManagedKeyProperty } from './customer-managed-keys.ts';
import { StackResolver, UnresolvableError, busNameOf, isTrue } from './intrinsics.ts';
import { IamCollector } from './load-iam.ts';
import type {
  AssemblyWarning, LocalAppModel, LocalArchive, LocalBus, LocalEventSourceMapping, LocalFunction,
  LocalInvokeConfig, LocalKmsAlias, LocalKmsKey, LocalQueue, LocalRule, LocalRuleTarget, LocalTable, WarningKind,
} from './app-model.ts';

export interface LoadOptions {
  /** Queue URL for a queue name, in the engine's URL scheme. */
  readonly queueUrl: (account: string, region: string, name: string) => string;
}

/**
 * Types that exist only for permissions, encryption, logging or monitoring: no effect locally.
 * (IAM roles and policies, queue and bus policies are read by load-iam.ts and enforced.)
 */
const NO_EFFECT_TYPES = new Set([
  'AWS::Lambda::Permission', 'AWS::Logs::LogGroup',
  'AWS::CloudWatch::Alarm', 'AWS::CDK::Metadata',
  'AWS::EventSchemas::Registry', 'AWS::EventSchemas::Schema', 'AWS::CloudWatch::Dashboard',
]);

/**
 * Per type: properties the engine emulates, and properties accepted with no local effect
 * (encryption, tags, tracing, IAM). Anything else is reported as not emulated.
 */
const PROPERTIES: Record<string, { emulated: string[]; noEffect: string[] }> = {
  'AWS::Events::EventBus': { emulated: ['Name', 'Policy'], noEffect: ['Description', 'Tags', 'KmsKeyIdentifier', 'LogConfig'] },
  'AWS::Events::Rule': { emulated: ['Name', 'EventBusName', 'EventPattern', 'State', 'Targets'], noEffect: ['Description', 'RoleArn', 'Tags'] },
  'AWS::Events::Archive': { emulated: ['ArchiveName', 'SourceArn', 'EventPattern', 'RetentionDays'], noEffect: ['Description', 'KmsKeyIdentifier'] },
  'AWS::SQS::Queue': {
    emulated: ['QueueName', 'FifoQueue', 'ContentBasedDeduplication', 'DelaySeconds', 'MaximumMessageSize',
      'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'RedrivePolicy', 'VisibilityTimeout'],
    noEffect: ['KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled', 'Tags',
      'RedriveAllowPolicy', 'DeduplicationScope', 'FifoThroughputLimit'],
  },
  'AWS::Lambda::Function': {
    emulated: ['Code', 'Handler', 'Runtime', 'Timeout', 'MemorySize', 'Environment', 'FunctionName', 'ReservedConcurrentExecutions', 'Role'],
    noEffect: ['TracingConfig', 'Architectures', 'LoggingConfig', 'Description', 'Tags', 'VpcConfig',
      'KmsKeyArn', 'EphemeralStorage', 'RuntimeManagementConfig', 'PackageType'],
  },
  'AWS::Lambda::EventSourceMapping': {
    emulated: ['EventSourceArn', 'FunctionName', 'BatchSize', 'MaximumBatchingWindowInSeconds', 'FunctionResponseTypes', 'ScalingConfig', 'Enabled'],
    noEffect: ['Tags', 'MetricsConfig'],
  },
  'AWS::Lambda::EventInvokeConfig': {
    emulated: ['FunctionName', 'Qualifier', 'MaximumRetryAttempts', 'MaximumEventAgeInSeconds', 'DestinationConfig'],
    noEffect: [],
  },
  'AWS::KMS::Key': {
    emulated: ['Description', 'Enabled', 'KeySpec', 'KeyUsage'],
    noEffect: ['KeyPolicy', 'EnableKeyRotation', 'RotationPeriodInDays', 'PendingWindowInDays', 'BypassPolicyLockoutSafetyCheck', 'Tags'],
  },
  'AWS::KMS::Alias': { emulated: ['AliasName', 'TargetKeyId'], noEffect: [] },
  'AWS::DynamoDB::Table': {
    emulated: ['TableName', 'KeySchema', 'AttributeDefinitions', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes', 'BillingMode', 'ProvisionedThroughput'],
    noEffect: ['SSESpecification', 'PointInTimeRecoverySpecification', 'Tags', 'DeletionProtectionEnabled',
      'ContributorInsightsSpecification', 'TableClass', 'WarmThroughput', 'OnDemandThroughput'],
  },
};

/** Target properties the engine emulates; others are reported per target. */
const TARGET_PROPERTIES = new Set(['Id', 'Arn', 'Input', 'InputPath', 'InputTransformer', 'RetryPolicy', 'DeadLetterConfig', 'SqsParameters', 'RoleArn']);

export function loadAppModel(assembly: CloudAssembly, options: LoadOptions): LocalAppModel {
  const model = {
    account: assembly.stacks[0]?.account ?? DEFAULT_ACCOUNT,
    region: assembly.stacks[0]?.region ?? DEFAULT_REGION,
    buses: [] as LocalBus[], archives: [] as LocalArchive[], rules: [] as LocalRule[], queues: [] as LocalQueue[],
    functions: [] as LocalFunction[], mappings: [] as LocalEventSourceMapping[], invokeConfigs: [] as LocalInvokeConfig[],
    tables: [] as LocalTable[], keys: [] as LocalKmsKey[], aliases: [] as LocalKmsAlias[], flows: [] as FlowManifest[], warnings: [] as AssemblyWarning[],
  };
  const exports = new Map<string, unknown>();
  const iam = new IamCollector(model.account, model.region, (ref, resourceType, message) =>
    model.warnings.push({ ...ref, resourceType, kind: 'not-emulated', message }));

  for (const stack of assembly.stacks) {
    const r = new StackResolver({
      stackName: stack.stackName, account: stack.account, region: stack.region, template: stack.template,
      queueUrl: (name) => options.queueUrl(stack.account, stack.region, name), exports,
    });
    const warn = (logicalId: string, resourceType: string, kind: WarningKind, message: string): void => {
      model.warnings.push({ stackName: stack.stackName, logicalId, resourceType, kind, message });
    };

    for (const [logicalId, resource] of Object.entries(r.resources)) {
      try {
        if (!r.isCreated(logicalId)) continue;
      } catch (error) {
        warn(logicalId, resource.Type, 'unresolved', `its Condition cannot be evaluated locally (${(error as Error).message}); created anyway`);
      }
      const ref = { stackName: stack.stackName, logicalId };
      try {
        checkProperties(resource, (kind, message) => warn(logicalId, resource.Type, kind, message));
        const props = (name: string): unknown => r.resolve(resource.Properties?.[name], `${logicalId}.${name}`);
        switch (resource.Type) {
          case 'AWS::Events::EventBus': {
            const name = r.physicalName(logicalId);
            const flow = resource.Metadata?.[FLOW_MANIFEST_METADATA_KEY] as FlowManifest | undefined;
            if (flow) model.flows.push(flow);
            model.buses.push({ ...ref, name, arn: r.getAtt(logicalId, 'Arn'), ...(flow ? { flow } : {}) });
            if (props('Policy') !== undefined) iam.takeBusPolicy(ref, r.getAtt(logicalId, 'Arn'), props('Policy'));
            break;
          }
          case 'AWS::Events::Archive': {
            const source = String(props('SourceArn'));
            const pattern = props('EventPattern');
            model.archives.push({
              ...ref, name: r.physicalName(logicalId), busName: busNameOf(source),
              ...(pattern ? { eventPattern: parsePattern(pattern) } : {}),
              ...(props('RetentionDays') !== undefined ? { retentionDays: Number(props('RetentionDays')) } : {}),
            });
            break;
          }
          case 'AWS::Events::Rule': {
            const bus = props('EventBusName');
            const pattern = props('EventPattern');
            if (pattern === undefined) {
              warn(logicalId, resource.Type, 'not-emulated', `rule has no EventPattern (ScheduleExpression rules are not emulated); it never fires locally`);
              break;
            }
            const targets = ((props('Targets') as Record<string, unknown>[] | undefined) ?? []).map((t) =>
              readTarget(t, `arn:aws:events:${model.region}:${model.account}:event-bus/`, (message) => warn(logicalId, resource.Type, 'not-emulated', message)));
            model.rules.push({
              ...ref, name: r.physicalName(logicalId), arn: r.getAtt(logicalId, 'Arn'),
              busName: bus === undefined ? 'default' : busNameOf(String(bus)),
              eventPattern: parsePattern(pattern), enabled: (props('State') ?? 'ENABLED') === 'ENABLED', targets,
            });
            break;
          }
          case 'AWS::SQS::Queue': {
            const name = r.physicalName(logicalId);
            const redrive = props('RedrivePolicy') as { deadLetterTargetArn?: string; maxReceiveCount?: number | string } | string | undefined;
            const redriveObj = typeof redrive === 'string' ? JSON.parse(redrive) as { deadLetterTargetArn?: string; maxReceiveCount?: number } : redrive;
            model.queues.push({
              ...ref, name, arn: r.getAtt(logicalId, 'Arn'), fifo: isTrue(props('FifoQueue')),
              contentBasedDeduplication: isTrue(props('ContentBasedDeduplication')),
              visibilityTimeoutSeconds: num(props('VisibilityTimeout'), 30),
              messageRetentionSeconds: num(props('MessageRetentionPeriod'), 345_600),
              delaySeconds: num(props('DelaySeconds'), 0),
              receiveWaitTimeSeconds: num(props('ReceiveMessageWaitTimeSeconds'), 0),
              maximumMessageSize: num(props('MaximumMessageSize'), 262_144),
              ...(redriveObj?.deadLetterTargetArn ? {
                redrive: { deadLetterTargetArn: redriveObj.deadLetterTargetArn, maxReceiveCount: num(redriveObj.maxReceiveCount, 10) },
              } : {}),
            });
            break;
          }
          case 'AWS::Lambda::Function': {
            model.functions.push(readFunction(logicalId, resource, r, assembly, props,
              (message) => warn(logicalId, resource.Type, 'not-emulated', message)));
            break;
          }
          case 'AWS::Lambda::EventSourceMapping': {
            const source = String(props('EventSourceArn'));
            if (!source.startsWith('arn:aws:sqs:')) {
              warn(logicalId, resource.Type, 'not-emulated', `event source ${source} is not an SQS queue; only SQS mappings are emulated`);
              break;
            }
            const responseTypes = (props('FunctionResponseTypes') as string[] | undefined) ?? [];
            const scaling = props('ScalingConfig') as { MaximumConcurrency?: number } | undefined;
            model.mappings.push({
              ...ref, functionName: functionNameOf(String(props('FunctionName'))), queueArn: source,
              batchSize: num(props('BatchSize'), 10),
              maximumBatchingWindowSeconds: num(props('MaximumBatchingWindowInSeconds'), 0),
              reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
              ...(scaling?.MaximumConcurrency !== undefined ? { maximumConcurrency: Number(scaling.MaximumConcurrency) } : {}),
              enabled: props('Enabled') === undefined || isTrue(props('Enabled')),
            });
            break;
          }
          case 'AWS::Lambda::EventInvokeConfig': {
            const destinations = props('DestinationConfig') as { OnFailure?: { Destination?: string }; OnSuccess?: { Destination?: string } } | undefined;
            for (const [which, dest] of [['OnFailure', destinations?.OnFailure?.Destination], ['OnSuccess', destinations?.OnSuccess?.Destination]] as const) {
              if (dest && !dest.startsWith('arn:aws:sqs:')) {
                warn(logicalId, resource.Type, 'not-emulated', `${which} destination ${dest} is not an SQS queue; only SQS destinations are emulated`);
              }
            }
            const onFailure = destinations?.OnFailure?.Destination;
            const onSuccess = destinations?.OnSuccess?.Destination;
            model.invokeConfigs.push({
              ...ref, functionName: functionNameOf(String(props('FunctionName'))),
              maximumRetryAttempts: num(props('MaximumRetryAttempts'), 2),
              maximumEventAgeSeconds: num(props('MaximumEventAgeInSeconds'), 21_600),
              ...(onFailure?.startsWith('arn:aws:sqs:') ? { onFailureArn: onFailure } : {}),
              ...(onSuccess?.startsWith('arn:aws:sqs:') ? { onSuccessArn: onSuccess } : {}),
            });
            break;
          }
          case 'AWS::DynamoDB::Table': {
            const name = r.physicalName(logicalId);
            const billing = String(props('BillingMode') ?? 'PROVISIONED');
            const gsis = props('GlobalSecondaryIndexes') as unknown[] | undefined;
            const lsis = props('LocalSecondaryIndexes') as unknown[] | undefined;
            const throughput = props('ProvisionedThroughput') ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
            if (resource.Properties?.TimeToLiveSpecification) {
              warn(logicalId, resource.Type, 'not-emulated', 'TimeToLiveSpecification: expired items are not deleted locally (on AWS deletion lags too: check expiry in code)');
            }
            if (resource.Properties?.StreamSpecification) {
              warn(logicalId, resource.Type, 'not-emulated', 'StreamSpecification: DynamoDB streams are not emulated');
            }
            model.tables.push({
              ...ref, name, arn: r.getAtt(logicalId, 'Arn'),
              createTableInput: {
                TableName: name,
                KeySchema: props('KeySchema') as unknown[],
                AttributeDefinitions: props('AttributeDefinitions') as unknown[],
                BillingMode: billing,
                ...(gsis ? { GlobalSecondaryIndexes: gsis } : {}),
                ...(lsis ? { LocalSecondaryIndexes: lsis } : {}),
                ...(billing === 'PROVISIONED' ? { ProvisionedThroughput: throughput } : {}),
              },
            });
            break;
          }
          case 'AWS::KMS::Key': {
            const spec = String(props('KeySpec') ?? 'SYMMETRIC_DEFAULT');
            const usage = String(props('KeyUsage') ?? 'ENCRYPT_DECRYPT');
            if (spec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT') {
              warn(logicalId, resource.Type, 'not-emulated', `KeySpec ${spec} / KeyUsage ${usage}: only symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) are served locally; this key does not exist locally`);
              break;
            }
            const policy = props('KeyPolicy');
            model.keys.push({
              ...ref, keyId: r.ref(logicalId), arn: r.getAtt(logicalId, 'Arn'),
              description: String(props('Description') ?? ''), enabled: !(props('Enabled') === false || props('Enabled') === 'false'),
              ...(policy !== undefined && { policy: typeof policy === 'string' ? policy : JSON.stringify(policy) }),
            });
            break;
          }
          case 'AWS::KMS::Alias': {
            const target = String(props('TargetKeyId'));
            model.aliases.push({ ...ref, name: r.physicalName(logicalId), targetKeyId: target.slice(target.lastIndexOf('/') + 1) });
            break;
          }
          default:
            if (iam.take(ref, resource.Type, r, props)) break;
            if (NO_EFFECT_TYPES.has(resource.Type)) {
              warn(logicalId, resource.Type, 'no-effect', 'not emulated (no effect locally)');
            } else {
              warn(logicalId, resource.Type, 'not-emulated', `resource type ${resource.Type} is not emulated: it does not exist locally`);
            }
        }
      } catch (error) {
        if (!(error instanceof UnresolvableError)) throw error;
        warn(logicalId, resource.Type, 'unresolved', `skipped: ${error.message}`);
      }
    }

    for (const [outputId, output] of Object.entries(stack.template.Outputs ?? {})) {
      if (!output.Export) continue;
      try {
        exports.set(String(r.resolve(output.Export.Name, `Outputs.${outputId}.Export.Name`)), r.resolve(output.Value, `Outputs.${outputId}`));
      } catch (error) {
        if (!(error instanceof UnresolvableError)) throw error;
        warn(outputId, 'Output', 'unresolved', `export skipped: ${error.message}`);
      }
    }
  }
  return { ...model, roles: iam.finish(), resourcePolicies: iam.resourcePolicies };
}

function checkProperties(resource: CfnResource, warn: (kind: WarningKind, message: string) => void): void {
  const known = PROPERTIES[resource.Type];
  if (!known) return;
  const keyProperty = customerManagedKeyProperty(resource);
  if (keyProperty) warn('not-emulated', `${keyProperty}: ${CUSTOMER_MANAGED_KEY_WARNING}`);
  const ignored: string[] = [];
  for (const prop of Object.keys(resource.Properties ?? {})) {
    if (known.emulated.includes(prop) || prop === keyProperty) continue;
    if (known.noEffect.includes(prop)) { ignored.push(prop); continue; }
    if (resource.Type === 'AWS::DynamoDB::Table' && (prop === 'TimeToLiveSpecification' || prop === 'StreamSpecification')) continue;
    warn('not-emulated', `property ${prop} is not emulated`);
  }
  if (ignored.length > 0) warn('no-effect', `${ignored.join(', ')}: no effect locally`);
}

/** `localBuses`: the ARN prefix of the engine's own buses (a bus target elsewhere is not emulated). */
function readTarget(t: Record<string, unknown>, localBuses: string, warn: (message: string) => void): LocalRuleTarget {
  const arn = String(t.Arn);
  const kind = arn.startsWith('arn:aws:sqs:') ? 'sqs' : arn.startsWith('arn:aws:lambda:') ? 'lambda'
    : arn.startsWith('arn:aws:events:') && arn.includes(':event-bus/') ? 'eventbus' : 'unsupported';
  if (kind === 'unsupported') warn(`target ${String(t.Id)} (${arn}) is not emulated: only SQS queue, Lambda function and event bus targets are`);
  if (kind === 'eventbus' && !arn.startsWith(localBuses)) warn(`target ${String(t.Id)} (${arn}) is an event bus of another account or Region: not emulated, its deliveries fail as NO_RESOURCE (to the target's DLQ, if any)`);
  for (const key of Object.keys(t)) {
    if (!TARGET_PROPERTIES.has(key)) warn(`target ${String(t.Id)}: ${key} is not emulated`);
  }
  const transformer = t.InputTransformer as { InputPathsMap?: Record<string, string>; InputTemplate: string } | undefined;
  const retry = t.RetryPolicy as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined;
  const dlq = t.DeadLetterConfig as { Arn?: string } | undefined;
  const sqsParams = t.SqsParameters as { MessageGroupId?: string } | undefined;
  return {
    id: String(t.Id), arn, kind,
    ...(t.Input !== undefined ? { input: String(t.Input) } : {}),
    ...(t.InputPath !== undefined ? { inputPath: String(t.InputPath) } : {}),
    ...(transformer ? {
      inputTransformer: { inputTemplate: transformer.InputTemplate, ...(transformer.InputPathsMap ? { inputPathsMap: transformer.InputPathsMap } : {}) },
    } : {}),
    ...(sqsParams?.MessageGroupId ? { messageGroupId: sqsParams.MessageGroupId } : {}),
    ...(retry ? {
      retryPolicy: {
        ...(retry.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: Number(retry.MaximumRetryAttempts) } : {}),
        ...(retry.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds: Number(retry.MaximumEventAgeInSeconds) } : {}),
      },
    } : {}),
    ...(dlq?.Arn ? { deadLetterArn: dlq.Arn } : {}),
  };
}

function readFunction(
  logicalId: string, resource: CfnResource, r: StackResolver, assembly: CloudAssembly,
  props: (name: string) => unknown, warn: (message: string) => void,
): LocalFunction {
  const code = props('Code') as { S3Key?: string; ZipFile?: string; ImageUri?: string } | undefined;
  const name = r.physicalName(logicalId);
  const env = (props('Environment') as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const runtime = String(props('Runtime') ?? '');
  if (!runtime.startsWith('nodejs')) warn(`runtime ${runtime || '(container image)'} cannot run locally: only Node.js functions run`);
  if (resource.Properties?.Layers) warn('Layers are not emulated: code from layers is not available to the function');
  if (resource.Properties?.DeadLetterConfig) warn('DeadLetterConfig (async DLQ) is not emulated: use an EventInvokeConfig OnFailure destination');
  let codeDir: string | undefined;
  const assetPath = resource.Metadata?.['aws:asset:path'];
  if (code?.S3Key !== undefined) codeDir = assembly.assetsByObjectKey.get(code.S3Key);
  if (!codeDir && typeof assetPath === 'string') codeDir = `${assembly.directory}/${assetPath}`;
  if (!codeDir && code?.ZipFile === undefined) warn(`its code (${JSON.stringify(code)}) is not in the cloud assembly; invocations fail`);
  return {
    stackName: r.ctx.stackName, logicalId, name, arn: r.getAtt(logicalId, 'Arn'),
    ...(codeDir ? { codeDir } : {}),
    ...(code?.ZipFile !== undefined ? { inlineCode: code.ZipFile } : {}),
    handler: String(props('Handler') ?? 'index.handler'), runtime,
    timeoutSeconds: num(props('Timeout'), 3), memoryMb: num(props('MemorySize'), 128),
    environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
    ...(props('ReservedConcurrentExecutions') !== undefined ? { reservedConcurrency: Number(props('ReservedConcurrentExecutions')) } : {}),
    ...(props('Role') !== undefined ? { roleArn: String(props('Role')) } : {}),
  };
}

function parsePattern(pattern: unknown): Record<string, unknown> {
  return (typeof pattern === 'string' ? JSON.parse(pattern) : pattern) as Record<string, unknown>;
}

function num(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** A function given by name, ARN or partial ARN (with an optional qualifier), reduced to its name. */
export function functionNameOf(nameOrArn: string): string {
  const match = /:function:([^:]+)/.exec(nameOrArn);
  return match ? match[1]! : nameOrArn.split(':')[0]!;
}
