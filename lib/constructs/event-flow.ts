import { isAbsolute, join, relative, resolve } from 'node:path';
import { Aspects, Duration, Lazy, Names, RemovalPolicy, Stack, Stage, type CfnElement, type CfnResource, type IAspect } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, type IConstruct } from 'constructs';
import { FLOW_MANIFEST_METADATA_KEY, type FlowManifest, type FlowPublisher } from '../schema/flow-manifest.ts';
import { loadSchemas, type TopicSchemas } from '../schema/schema-set.ts';
import { topicEncryptPaths, topicPiiPaths } from '../schema/pii.ts';
import { generateValidatorModule } from '../schema/validator-codegen.ts';
import { recordSynthInputs } from '../assembly-cache/synth-inputs.ts';
import { bundleHandlers, BundlingError, FLOW_BUNDLES_DIR, flowBundleFolderName } from './bundler.ts';
import { EventFlowDeclarationError } from './errors.ts';
import { FlowEncryption } from './flow-encryption.ts';
import { checkKey, FlowKey } from './flow-key.ts';
import { encryptedFieldsOf, PiiKey } from './pii-key.ts';
import { FlowDashboard, type FlowDashboardOptions } from './flow-dashboard.ts';
import { FlowSchemaRegistry } from './schema-registry.ts';
import type { ServiceLevelObjectives } from './service-levels.ts';
import { Subscription, type SubscriptionOptions } from './subscription.ts';
import { Topic, type TopicOptions } from './topic.ts';

/** Props of an EventFlow. */
export interface EventFlowProps {
  /**
   * Name of the flow in the manifest, the runtime's configuration and descriptions.
   * @default - the construct id
   */
  readonly flowName?: string;
  /**
   * Folder the handler paths and `schemasDir` are relative to.
   * @default process.cwd() (the CDK app's folder, where cdk.json is)
   */
  readonly rootDir?: string;
  /**
   * Folder of the topics' JSON Schemas: `<schemasDir>/<topic>/v<N>.json`.
   * @default 'schemas'
   */
  readonly schemasDir?: string;
  /**
   * How long the bus's archive keeps events for replay.
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
  /**
   * Retention of the functions' log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether every topic's schema versions are published to an EventBridge schema registry
   * (one AWS::EventSchemas::Schema, type JSONSchemaDraft4, per version), so other teams can
   * discover and generate code for the flow's events.
   * @default true
   */
  readonly schemaRegistry?: boolean;
  /**
   * Service level objectives of every subscription (each may override them with its own `slo`):
   * each objective set becomes one CloudWatch alarm per subscription. Alarms cost money, so none
   * is made unless asked for.
   * @default - no SLO alarms (each subscription still has its dead-letter alarm)
   */
  readonly slo?: ServiceLevelObjectives;
  /**
   * What every alarm of the flow does when it goes into ALARM: the dead-letter alarms and the SLO
   * alarms, e.g. `new cloudwatch_actions.SnsAction(topic)` to notify an SNS topic.
   * @default - alarms change state and notify no one
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /**
   * The keys that encrypt the bus, its archive, every queue and DLQ and the dedupe table:
   * `FlowEncryption.customerManaged(key?)` for your own KMS key (one is created, with rotation
   * on, if none is given), with the key-policy statements and grants each service and function
   * needs (docs/security.md).
   * @default FlowEncryption.awsManaged() (keys AWS owns and manages)
   */
  readonly encryption?: FlowEncryption;
  /**
   * The KMS key of the fields the topics' schemas mark `"x-busline-pii": "encrypt"`: publishers
   * encrypt each such field with a data key from it, subscribers' runtimes decrypt it before
   * validation. Each topic's publishers get kms:GenerateDataKey and its subscriptions kms:Decrypt,
   * for that topic's data keys only (docs/security.md). A symmetric encryption key of the stack's
   * account and Region.
   * @default - the flow's customer managed key when `encryption` is `FlowEncryption.customerManaged()`;
   * otherwise none, and a topic with encrypted fields fails synth
   */
  readonly piiKey?: kms.IKey;
}

const TOPIC_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
/** Bundling slower than this prints one progress line, so a long synth is not a silent one. */
const SLOW_BUNDLE_MS = 2000;

/** `welcome-user` → `WelcomeUser`: construct ids are PascalCase. */
function pascalCase(name: string): string {
  return name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/**
 * An event flow: a custom EventBridge bus with an archive for replay, the topics that
 * travel on it (each with a versioned JSON Schema), and the subscriptions that handle
 * them. Handlers are plain async functions, bundled together with the Busline runtime
 * when the app is synthesized.
 */
export class EventFlow extends Construct {
  readonly flowName: string;
  /** Absolute folder handler paths are resolved against. */
  readonly rootDir: string;
  /** Absolute schemas folder. */
  readonly schemasDir: string;
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  /** The runtime's dedupe records (partition key `pk`, TTL attribute `expiresAt`). */
  readonly dedupeTable: dynamodb.Table;
  readonly logRetention: logs.RetentionDays;
  /** The registry the topics' schemas are published to; absent with `schemaRegistry: false`. */
  readonly schemaRegistry?: FlowSchemaRegistry;
  /** The flow's service level objectives, the default of every subscription's. */
  readonly slo?: ServiceLevelObjectives;
  /** Added to every alarm of the flow. */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /** How the flow encrypts what it stores. */
  readonly encryption: FlowEncryption;
  /** The customer managed key in use (given or created); absent with AWS managed keys. */
  readonly encryptionKey?: kms.IKey;
  /** @internal The key and the permissions on it; absent with AWS managed keys. */
  readonly _flowKey?: FlowKey;
  /** The key of the `"x-busline-pii": "encrypt"` fields: `piiKey`, else the customer managed key; absent with neither. */
  readonly piiKey?: kms.IKey;
  /** @internal The PII key and its per-topic grants. */
  readonly _piiKey?: PiiKey;
  private flowDashboard?: FlowDashboard;
  private readonly topicsByName = new Map<string, Topic>();
  private readonly subscriptionsByName = new Map<string, Subscription>();
  private readonly publishers: FlowPublisher[] = [];
  private schemaSet?: ReadonlyMap<string, TopicSchemas>;
  private bundled = false;

  constructor(scope: Construct, id: string, props: EventFlowProps = {}) {
    super(scope, id);
    this.flowName = props.flowName ?? id;
    this.rootDir = resolve(props.rootDir ?? process.cwd());
    const schemasDir = props.schemasDir ?? 'schemas';
    this.schemasDir = isAbsolute(schemasDir) ? schemasDir : join(this.rootDir, schemasDir);
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.slo = props.slo;
    this.alarmAction = props.alarmAction;

    this.encryption = props.encryption ?? FlowEncryption.awsManaged();
    this.bus = new events.EventBus(this, 'Bus', { description: `Busline flow ${this.flowName}` });
    const cfnBus = this.bus.node.defaultChild as events.CfnEventBus;
    if (this.encryption.isCustomerManaged) {
      this.encryptionKey = this.encryption.key ?? new kms.Key(this, 'Key', {
        description: `Busline flow ${this.flowName}: its bus, archive, queues and dedupe table`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // The bus's ARN from its name (a literal at synth), not its Arn attribute: the key policy
      // must not depend on the bus that depends on the key.
      const busArn = Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: cfnBus.name });
      this._flowKey = new FlowKey(this, this.encryptionKey, busArn);
      cfnBus.kmsKeyIdentifier = this.encryptionKey.keyArn;
    }
    if (props.piiKey) checkKey(this, props.piiKey, 'piiKey');
    this.piiKey = props.piiKey ?? this.encryptionKey;
    if (this.piiKey) this._piiKey = new PiiKey(this.piiKey);
    const retention = props.archiveRetention ?? Duration.days(30);
    if (retention.toDays({ integral: false }) < 1) {
      throw new EventFlowDeclarationError(this, `archiveRetention ${retention.toHumanString()} is shorter than a day: choose whole days (default 30)`);
    }
    this.archive = this.bus.archive('Archive', {
      description: `Busline flow ${this.flowName}: every event, for replay`,
      // Every event on this bus (all carry this account).
      eventPattern: { account: [Stack.of(this).account] },
      retention,
    });
    if (this.encryptionKey) (this.archive.node.defaultChild as events.CfnArchive).kmsKeyIdentifier = this.encryptionKey.keyArn;
    this.dedupeTable = new dynamodb.Table(this, 'DedupeTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      ...(this.encryptionKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.encryptionKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Dedupe records are short-lived working state: nothing to keep when the flow goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    if (props.schemaRegistry ?? true) {
      this.schemaRegistry = new FlowSchemaRegistry(this, 'SchemaRegistry', { flowName: this.flowName });
    }

    (this.bus.node.defaultChild as CfnResource).addMetadata(
      FLOW_MANIFEST_METADATA_KEY,
      Lazy.any({ produce: () => this.manifest() }),
    );
    // Bundle once, when the app is synthesized and every subscription is known.
    const flow = this;
    const bundleAspect: IAspect = {
      visit(node: IConstruct): void {
        if (node === flow) flow.bundle();
      },
    };
    Aspects.of(this).add(bundleAspect);
  }

  /** Topics declared so far, in declaration order. */
  get topics(): Topic[] {
    return [...this.topicsByName.values()];
  }

  /** Subscriptions declared so far, in declaration order. */
  get subscriptions(): Subscription[] {
    return [...this.subscriptionsByName.values()];
  }

  /**
   * Declares a topic: `name` is its detail-type and the folder of its schemas
   * (`<schemasDir>/<name>/v1.json`, …), which must exist and compile.
   */
  addTopic(name: string, options: TopicOptions): Topic {
    if (!TOPIC_NAME.test(name)) {
      throw new EventFlowDeclarationError(this, `topic name '${name}' is not lower-case letters, digits and . _ -: use a name like 'user.signed-up'`);
    }
    if (this.topicsByName.has(name)) {
      throw new EventFlowDeclarationError(this, `topic '${name}' is declared twice: declare it once and reuse the Topic`);
    }
    if (!SOURCE.test(options.source)) {
      throw new EventFlowDeclarationError(this, `source '${options.source}' of topic '${name}' is not a valid EventBridge source: use a name like 'app.accounts'`);
    }
    const schemas = this.loadedSchemas().get(name);
    if (!schemas) {
      const rel = relative(this.rootDir, join(this.schemasDir, name, 'v1.json'));
      throw new EventFlowDeclarationError(this, `topic '${name}' has no schema: create ${rel} holding the JSON Schema of its data`);
    }
    try {
      generateValidatorModule([schemas]);
    } catch (err) {
      throw new EventFlowDeclarationError(this, `topic '${name}': ${(err as Error).message}; fix the schema`, { cause: err });
    }
    const topic = new Topic(this.node.path, name, options.source, schemas);
    const encrypted = encryptedFieldsOf(topic);
    if (encrypted.length > 0 && !this._piiKey) {
      throw new EventFlowDeclarationError(this, `topic '${name}' marks ${encrypted.map((f) => `'${f}'`).join(', ')} "x-busline-pii": "encrypt" (${relative(this.rootDir, schemas.latest.file)}), but the flow has no KMS key to encrypt them with: set encryption: FlowEncryption.customerManaged() or piiKey on the EventFlow, or mark the fields "mask"`);
    }
    try {
      this.schemaRegistry?.addTopic(topic);
    } catch (err) {
      throw new EventFlowDeclarationError(this, `topic '${name}' cannot be published to the schema registry: ${(err as Error).message}; or set schemaRegistry: false`, { cause: err });
    }
    this.topicsByName.set(name, topic);
    return topic;
  }

  /** The declared topic named `name`; throws if there is none. */
  topic(name: string): Topic {
    const t = this.topicsByName.get(name);
    if (!t) {
      const known = this.topics.map((x) => x.name).join(', ') || 'none yet';
      throw new EventFlowDeclarationError(this, `unknown topic '${name}' (topics: ${known}): declare it with addTopic('${name}', { source })`);
    }
    return t;
  }

  /** The declared topic named `name`, or undefined. */
  findTopic(name: string): Topic | undefined {
    return this.topicsByName.get(name);
  }

  /**
   * Adds a subscription: a rule for `options.topic`, its delivery path, a function running
   * `options.handler`, and a DLQ with an alarm. The construct id is the PascalCase name.
   */
  addSubscription(name: string, options: SubscriptionOptions): Subscription {
    if (this.subscriptionsByName.has(name)) {
      throw new EventFlowDeclarationError(this, `subscription name '${name}' is used twice: give each subscription its own name`);
    }
    if (this.bundled) {
      throw new EventFlowDeclarationError(this, `subscription '${name}' was added after the flow was bundled: declare every subscription before synth`);
    }
    return new Subscription(this, pascalCase(name), { ...options, flow: this, name });
  }

  /**
   * Adds the flow's CloudWatch dashboard: per subscription, its alarms and the service level
   * indicators (end-to-end latency, lag, throughput, success and error rates, retries,
   * duplicates suppressed, schema failures apart from handler errors, dead-lettering, handler
   * duration), with the objectives drawn on the graphs. Subscriptions added later join it.
   * Not made by default: a dashboard is a billed resource (CDK design guidelines: no surprise
   * resources). A flow has at most one.
   */
  addDashboard(id = 'Dashboard', options: FlowDashboardOptions = {}): FlowDashboard {
    if (this.flowDashboard) {
      throw new EventFlowDeclarationError(this, `addDashboard('${id}'): the flow already has its dashboard (${this.flowDashboard.node.path}): one dashboard shows every subscription; call addDashboard once`);
    }
    const dashboard = new FlowDashboard(this, id, { ...options, flowName: this.flowName });
    this.flowDashboard = dashboard;
    for (const sub of this.subscriptions) dashboard.addSubscription(sub);
    return dashboard;
  }

  /** The dashboard `addDashboard()` made, if any. */
  get dashboard(): FlowDashboard | undefined {
    return this.flowDashboard;
  }

  /** @internal Called by every Subscription's constructor, however it was made. */
  _registerSubscription(sub: Subscription): void {
    if (this.subscriptionsByName.has(sub.name)) {
      throw new EventFlowDeclarationError(sub, `subscription name '${sub.name}' is used twice: give each subscription its own name`);
    }
    if (this.bundled) {
      throw new EventFlowDeclarationError(sub, `subscription '${sub.name}' was added after the flow was bundled: declare every subscription before synth`);
    }
    this.subscriptionsByName.set(sub.name, sub);
    this.flowDashboard?.addSubscription(sub);
  }

  /**
   * Lets `grantee` publish the given topics on this bus: `events:PutEvents` on the bus only,
   * one statement per topic with `events:detail-type` and `events:source` conditions; for a topic
   * with `"x-busline-pii": "encrypt"` fields also `kms:GenerateDataKey` on the flow's `piiKey` for
   * that topic's data keys only (the producer passes `piiKey.keyArn` as createPublisher's `piiKeyId`).
   */
  grantPublish(grantee: iam.IGrantable, ...topics: Topic[]): iam.Grant {
    if (topics.length === 0) {
      throw new EventFlowDeclarationError(this, 'grantPublish needs at least one topic: pass the topics the grantee publishes');
    }
    for (const t of topics) {
      if (this.topicsByName.get(t.name) !== t) {
        throw new EventFlowDeclarationError(this, `grantPublish: '${t.name}' is not a topic of this flow: declare it with addTopic('${t.name}', { source })`);
      }
    }
    let grant: iam.Grant | undefined;
    for (const t of topics) {
      const g = iam.Grant.addToPrincipal({
        grantee,
        actions: ['events:PutEvents'],
        resourceArns: [this.bus.eventBusArn],
        conditions: { StringEquals: { 'events:detail-type': t.name, 'events:source': t.source } },
      });
      grant = grant ? grant.combine(g) : g;
      // addTopic refused a topic with encrypted fields in a flow without a PII key.
      if (this._piiKey && encryptedFieldsOf(t).length > 0) grant = grant.combine(this._piiKey.grantEncrypt(grantee, t));
    }
    const name = Construct.isConstruct(grantee) ? grantee.node.path : Stack.of(this).resolve(grantee.grantPrincipal.toString()) as string;
    if (!this.isSubscriptionFunction(grantee)) this.publishers.push({ name, topics: topics.map((t) => t.name) });
    return grant!;
  }

  /** The flow as the manifest in the bus's template metadata describes it. */
  manifest(): FlowManifest {
    const stack = Stack.of(this);
    const piiKeyLogicalId = this.piiKeyLogicalId();
    return {
      manifestVersion: 1,
      flow: this.flowName,
      busLogicalId: stack.resolve((this.bus.node.defaultChild as CfnElement).logicalId) as string,
      schemasDir: relative(process.cwd(), this.schemasDir) || '.',
      topics: this.topics.map((t) => {
        const piiPaths = topicPiiPaths(t.schemas.versions);
        const encryptPaths = topicEncryptPaths(t.schemas.versions);
        return {
          name: t.name, source: t.source, versions: t.schemas.versions.map((v) => v.version),
          ...(piiPaths.length > 0 ? { piiPaths } : {}),
          ...(encryptPaths.length > 0 ? { encryptPaths } : {}),
        };
      }),
      subscriptions: this.subscriptions.map((s) => s._manifest()),
      publishers: this.publishers,
      ...(piiKeyLogicalId !== undefined ? { piiKeyLogicalId } : {}),
    };
  }

  /** The logical id of the PII key when it is a key of the bus's stack (not an imported one). */
  private piiKeyLogicalId(): string | undefined {
    const cfn = this.piiKey?.node.defaultChild;
    if (!(cfn instanceof kms.CfnKey) || Stack.of(cfn) !== Stack.of(this)) return undefined;
    return Stack.of(this).resolve(cfn.logicalId) as string;
  }

  private isSubscriptionFunction(grantee: iam.IGrantable): boolean {
    return this.subscriptions.some((s) => s.function === grantee) || (Construct.isConstruct(grantee) && grantee.node.scope instanceof Subscription);
  }

  private loadedSchemas(): ReadonlyMap<string, TopicSchemas> {
    if (!this.schemaSet) {
      try {
        this.schemaSet = loadSchemas(this.schemasDir);
        recordSynthInputs([this.schemasDir]);
      } catch (err) {
        throw new EventFlowDeclarationError(this, (err as Error).message, { cause: err });
      }
    }
    return this.schemaSet;
  }

  /** Bundles every subscription's handler in one esbuild call and attaches the assets. */
  private bundle(): void {
    if (this.bundled || this.subscriptionsByName.size === 0) return;
    this.bundled = true;
    const stage = Stage.of(this);
    if (!stage) throw new EventFlowDeclarationError(this, 'an EventFlow must live in a CDK App or Stage');
    const workDir = join(stage.outdir, FLOW_BUNDLES_DIR, flowBundleFolderName(Names.uniqueId(this), this.node.path));
    const started = Date.now();
    let dirs: Map<string, string>;
    try {
      dirs = bundleHandlers(
        this.subscriptions.map((s) => ({
          name: s.name,
          handlerFile: s.handlerFile,
          validatorsModule: generateValidatorModule([s.topic, ...s.publishes].map((t) => t.schemas)),
          config: s.config,
        })),
        workDir,
      );
    } catch (err) {
      const culprit = err instanceof BundlingError ? this.subscriptions.find((s) => err.entryNames.includes(s.name)) : undefined;
      throw new EventFlowDeclarationError(culprit ?? this, `${(err as Error).message}; fix the handler (a default-exported async function (data, ctx) => { … })`, { cause: err });
    }
    const ms = Date.now() - started;
    if (ms > SLOW_BUNDLE_MS) process.stderr.write(`busline: bundled ${dirs.size} handlers of flow ${this.flowName} in ${ms} ms\n`);
    for (const s of this.subscriptions) {
      const asset = new s3assets.Asset(s, 'Code', { path: dirs.get(s.name)! });
      s._code.attach(asset);
    }
  }
}
