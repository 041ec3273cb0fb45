/**
 * The flow target of a deployed stack (`--stack`): the flow manifests and physical resources
 * come from CloudFormation (GetTemplate, ListStackResources); queue ages and alarm states from
 * CloudWatch; log lines from the functions' CloudWatch Logs log groups. Credentials: the
 * standard AWS chain, or `--profile`; `--endpoint-url` points every client at an emulator.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeEventBusCommand, ListArchivesCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { clientConfig, flowClients } from './aws-clients.ts';
import { FLOW_MANIFEST_METADATA_KEY } from '../schema/flow-manifest.ts';
import { flowManifests, readDeployedStack, referencedLogicalIds, StackReadError, type DeployedStack } from './stack-template.ts';
import {
  findSubscription, type FlowTarget, type TargetFlow, type TargetLogLine, type TargetQueue, type TargetSubscription,
} from './flow-target.ts';

export interface StackTargetOptions {
  readonly stackName: string;
  readonly region?: string;
  readonly profile?: string;
  readonly endpoint?: string;
  /** The folder the manifests' schemasDir is relative to. @default the working directory */
  readonly projectDir?: string;
}

/** How far back status looks for a CloudWatch datapoint of ApproximateAgeOfOldestMessage. */
const AGE_LOOKBACK_MS = 15 * 60_000;

export async function openStackTarget(options: StackTargetOptions): Promise<FlowTarget> {
  const base = { ...(options.endpoint ? { endpoint: options.endpoint } : {}), ...(options.profile ? { profile: options.profile } : {}) };
  const cfn = new CloudFormationClient(clientConfig({ ...(options.region ? { region: options.region } : {}), ...base }));
  // The region the SDK resolved: --region, else AWS_REGION or the profile's region.
  const region = await cfn.config.region().catch(() => undefined);
  if (!region) throw new StackReadError('no AWS region: pass --region, or set AWS_REGION or a region in your AWS profile');
  const settings = { region, ...base };
  const stack = await readDeployedStack(cfn, options.stackName).catch((error: unknown) => {
    if ((error as Error).name !== 'CredentialsProviderError') throw error;
    throw new StackReadError(`no AWS credentials${options.profile ? ` for profile "${options.profile}"` : ''} (${(error as Error).message}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile, or sign in with \`aws sso login\``);
  });
  const clients = flowClients(settings);
  const cloudwatch = new CloudWatchClient(clientConfig(settings));
  const logs = new CloudWatchLogsClient(clientConfig(settings));

  const manifests = flowManifests(stack);
  if (manifests.length === 0) {
    throw new StackReadError(`stack ${options.stackName} declares no Busline flow (no event bus with ${FLOW_MANIFEST_METADATA_KEY} metadata in its template)`);
  }
  const physicalId = (logicalId: string | undefined): string | undefined => (logicalId ? stack.physical.get(logicalId)?.id : undefined);
  // A resource CloudFormation reports without a physical id (some emulators do, for buses and
  // archives) is known by the name the template declares for it, if it declares one.
  const nameOf = (logicalId: string, nameProperty: string): string | undefined => {
    const declared = stack.resources[logicalId]?.Properties?.[nameProperty];
    return physicalId(logicalId) ?? (typeof declared === 'string' ? declared : undefined);
  };
  const flows: TargetFlow[] = [];
  const subscriptions: TargetSubscription[] = [];
  const logGroupOf = new Map<string, string>();
  for (const { busLogicalId, manifest } of manifests) {
    const busName = nameOf(busLogicalId, 'Name');
    if (!busName) throw new StackReadError(`stack ${options.stackName} has no deployed resource ${busLogicalId} (the bus of flow ${manifest.flow}): is the stack fully deployed?`);
    const busArn = (await clients.events.send(new DescribeEventBusCommand({ Name: busName }))).Arn!;
    // arn:<partition>:events:<region>:<account>:event-bus/<name>
    const [, partition, , , account] = busArn.split(':');
    const arn = (service: string, resource: string): string => `arn:${partition}:${service}:${region}:${account}:${resource}`;
    const archiveId = Object.entries(stack.resources).find(([, r]) => r.Type === 'AWS::Events::Archive' && referencedLogicalIds(r.Properties?.SourceArn).has(busLogicalId))?.[0];
    const archiveName = archiveId ? nameOf(archiveId, 'ArchiveName') ?? await onlyArchiveOf(clients.events, busArn) : undefined;
    // An AWS::KMS::Key's physical id is its key id (CloudFormation: Ref returns the key id).
    const piiKeyId = physicalId(manifest.piiKeyLogicalId);
    flows.push({
      manifest, busName, busArn,
      ...(piiKeyId ? { piiKeyArn: arn('kms', `key/${piiKeyId}`) } : {}),
      ...(archiveName ? { archive: { name: archiveName, arn: arn('events', `archive/${archiveName}`) } } : {}),
    });
    const queue = (logicalId: string | undefined): TargetQueue | undefined => {
      const url = physicalId(logicalId);
      if (!url) return undefined;
      const name = url.slice(url.lastIndexOf('/') + 1);
      return { name, arn: arn('sqs', name), url };
    };
    for (const s of manifest.subscriptions) {
      // A rule on a custom bus has the physical id "<bus>|<rule>".
      const ruleName = physicalId(s.resources.rule)?.split('|').at(-1);
      const functionName = physicalId(s.resources.function);
      const q = queue(s.resources.queue);
      const dlq = queue(s.resources.dlq);
      const deliveryDlq = queue(s.resources.deliveryDlq);
      subscriptions.push({
        name: s.name, flow: manifest.flow, manifest: s, busName,
        ...(ruleName ? { rule: { name: ruleName, arn: arn('events', `rule/${busName}/${ruleName}`) } } : {}),
        ...(functionName ? { function: { name: functionName, arn: arn('lambda', `function:${functionName}`) } } : {}),
        ...(q ? { queue: q } : {}),
        ...(dlq ? { dlq } : {}),
        ...(deliveryDlq ? { deliveryDlq } : {}),
      });
      const logGroup = physicalId([...referencedLogicalIds(stack.resources[s.resources.function]?.Properties?.LoggingConfig)][0]);
      if (logGroup) logGroupOf.set(s.name, logGroup);
    }
  }

  return {
    description: `stack ${options.stackName} (${region})`,
    region,
    projectDir: options.projectDir ?? process.cwd(),
    flows, subscriptions, clients,
    subscription: (name) => findSubscription(subscriptions, name),
    async oldestMessageAgeSeconds(q) {
      const now = Date.now();
      const out = await cloudwatch.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: q.name }],
        StartTime: new Date(now - AGE_LOOKBACK_MS), EndTime: new Date(now), Period: 60, Statistics: ['Maximum'],
      }));
      const latest = (out.Datapoints ?? []).filter((d) => d.Timestamp && d.Maximum !== undefined)
        .sort((a, b) => b.Timestamp!.getTime() - a.Timestamp!.getTime())[0];
      return latest?.Maximum;
    },
    async alarmStates(sub) {
      const names = alarmNamesOf(stack, sub);
      if (names.length === 0) return [];
      const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
      return (out.MetricAlarms ?? []).map((a) => ({ name: a.AlarmName ?? '', state: a.StateValue ?? 'INSUFFICIENT_DATA' }));
    },
    async logLines(since, of) {
      const lines: TargetLogLine[] = [];
      for (const s of of) {
        const logGroupName = logGroupOf.get(s.name);
        if (!logGroupName) continue;
        let token: string | undefined;
        do {
          const page = await logs.send(new FilterLogEventsCommand({ logGroupName, startTime: since.getTime(), ...(token ? { nextToken: token } : {}) }));
          for (const e of page.events ?? []) lines.push({ at: new Date(e.timestamp ?? 0), subscription: s.name, text: e.message ?? '' });
          token = page.nextToken;
        } while (token);
      }
      return lines.sort((a, b) => a.at.getTime() - b.at.getTime());
    },
  };
}

/** The one archive of a bus, when EventBridge lists exactly one (else: none known). */
async function onlyArchiveOf(events: EventBridgeClient, busArn: string): Promise<string | undefined> {
  const archives = (await events.send(new ListArchivesCommand({ EventSourceArn: busArn }))).Archives ?? [];
  return archives.length === 1 ? archives[0]!.ArchiveName : undefined;
}

/** The physical names of the alarms whose definition refers to one of the subscription's resources. */
function alarmNamesOf(stack: DeployedStack, sub: TargetSubscription): string[] {
  const own = new Set(Object.values(sub.manifest.resources));
  return Object.entries(stack.resources).flatMap(([logicalId, r]) => {
    if (r.Type !== 'AWS::CloudWatch::Alarm') return [];
    const refersToOwn = [...referencedLogicalIds(r.Properties)].some((id) => own.has(id));
    const name = stack.physical.get(logicalId)?.id;
    return refersToOwn && name ? [name] : [];
  });
}
