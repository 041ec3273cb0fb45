/**
 * Declares a cloud assembly's resources in an engine: its queues (dead-letter queues first),
 * buses, rules and targets (and removes the rules and targets it no longer has, as a
 * CloudFormation deploy does), archives, tables, and KMS keys and aliases. Every step is idempotent, so the same call
 * serves an engine's start and a running engine given a changed assembly: what exists keeps its
 * state (a queue's messages, a table's items), what changed is updated in place.
 */
import type { EngineResources } from './engine-types.ts';
import type { CloudAssembly } from './assembly/cloud-assembly.ts';
import { loadAppModel } from './assembly/load-app-model.ts';
import type { LocalAppModel, LocalQueue, LocalRuleTarget } from './assembly/app-model.ts';
import type { QueueAttributes } from './sqs/types.ts';
import type { TargetDefinition } from './eventbridge/types.ts';

/** The assembly's model with names only (queue URLs are not known until the queues exist in an engine). */
export function draftAppModel(assembly: CloudAssembly): LocalAppModel {
  return loadAppModel(assembly, { queueUrl: (account, region, name) => `local-queue://${name}` });
}

/** Declares the assembly in the engine; returns its model with the engine's queue URLs. */
export async function declareAppResources(e: EngineResources, assembly: CloudAssembly, draft: LocalAppModel = draftAppModel(assembly)): Promise<LocalAppModel> {
  const urls = new Map<string, string>();
  // Dead-letter queues must exist before a queue's RedrivePolicy names them.
  for (const q of draft.queues) urls.set(q.name, e.createQueue(q.name, queueAttributes(q, false)).url);
  for (const q of draft.queues) if (q.redrive) e.createQueue(q.name, queueAttributes(q, true));
  const model = loadAppModel(assembly, { queueUrl: (account, region, name) => urls.get(name) ?? `local-queue://${name}` });
  for (const bus of model.buses) if (bus.name !== 'default') e.createBus(bus.name);
  // The template's buses, rules and targets, and nothing else (what an earlier start
  // declared and the template no longer has goes, as a CloudFormation deploy removes it).
  const declared = new Map<string, Map<string, Set<string>>>(model.buses.map((b) => [b.name, new Map()]));
  for (const rule of model.rules) {
    e.putRule({
      Name: rule.name, EventBusName: rule.busName, EventPattern: JSON.stringify(rule.eventPattern),
      State: rule.enabled ? 'ENABLED' : 'DISABLED',
    });
    const targets = rule.targets.filter((t) => t.kind !== 'unsupported').map(targetDefinition);
    if (targets.length > 0) e.putTargets(rule.busName, rule.name, targets);
    if (!declared.has(rule.busName)) declared.set(rule.busName, new Map());
    declared.get(rule.busName)!.set(rule.name, new Set(targets.map((t) => t.Id)));
  }
  e.retainEventBridgeDeclarations(declared);
  for (const archive of model.archives) {
    e.createArchive({
      ArchiveName: archive.name, EventSourceArn: archive.busName,
      ...(archive.eventPattern ? { EventPattern: JSON.stringify(archive.eventPattern) } : {}),
      ...(archive.retentionDays !== undefined ? { RetentionDays: archive.retentionDays } : {}),
    });
  }
  for (const table of model.tables) await e.createTable(table.createTableInput);
  for (const key of model.keys) {
    e.declareKey({ keyId: key.keyId, description: key.description, enabled: key.enabled, ...(key.policy !== undefined && { policy: key.policy }) });
  }
  for (const alias of model.aliases) e.declareAlias(alias.name, alias.targetKeyId);
  return model;
}

function queueAttributes(q: LocalQueue, withRedrive: boolean): QueueAttributes {
  return {
    VisibilityTimeout: String(q.visibilityTimeoutSeconds),
    DelaySeconds: String(q.delaySeconds),
    MessageRetentionPeriod: String(q.messageRetentionSeconds),
    MaximumMessageSize: String(q.maximumMessageSize),
    ReceiveMessageWaitTimeSeconds: String(q.receiveWaitTimeSeconds),
    ...(q.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: String(q.contentBasedDeduplication) } : {}),
    ...(withRedrive && q.redrive ? { RedrivePolicy: JSON.stringify(q.redrive) } : {}),
  };
}

function targetDefinition(t: LocalRuleTarget): TargetDefinition {
  return {
    Id: t.id, Arn: t.arn,
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.inputTransformer ? {
      InputTransformer: {
        InputTemplate: t.inputTransformer.inputTemplate,
        ...(t.inputTransformer.inputPathsMap ? { InputPathsMap: t.inputTransformer.inputPathsMap } : {}),
      },
    } : {}),
    ...(t.retryPolicy ? {
      RetryPolicy: {
        ...(t.retryPolicy.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts } : {}),
        ...(t.retryPolicy.maximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds } : {}),
      },
    } : {}),
    ...(t.deadLetterArn ? { DeadLetterConfig: { Arn: t.deadLetterArn } } : {}),
    ...(t.messageGroupId ? { SqsParameters: { MessageGroupId: t.messageGroupId } } : {}),
  };
}
