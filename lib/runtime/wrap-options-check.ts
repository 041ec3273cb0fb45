/**
 * wrapHandler's checks of its options, at cold start: an unknown option, a config that is not a
 * SubscriptionConfig, validators missing a topic's newest version, malformed record steps. Each
 * error names the subscription and says what to pass. The entry the constructs generate does not
 * run them in the bundle (wrapGeneratedHandler): its config is checked here at synth.
 */
import type { UserHandler, ValidatorTable, WrapOptions } from './handler-types.ts';
import type { RecordStep } from './record-pipeline.ts';
import type { SubscriptionConfig } from './subscription-config.ts';
import { RuntimeOptionsError } from './errors.ts';
import { checkOptionKeys } from './option-checks.ts';
import { checkHandler } from './define-handler.ts';

const WRAP_OPTION_KEYS = ['config', 'validators', 'recordSteps', 'dedupe', 'recordConcurrency', 'busName', 'dlqUrl', 'timeoutMarginMs', 'logLevel', 'metricsNamespace', 'output', 'sqsClient', 'eventBridgeClient', 'dynamoDbClient', 'piiKeyId', 'kmsClient'] as const;

/** The handler and every option wrapHandler takes, checked; the config and record steps to use. */
export function checkWrapOptions(where: string, userHandler: unknown, options: WrapOptions): { config: SubscriptionConfig; recordSteps: readonly RecordStep[] } {
  checkHandler(where, userHandler);
  checkOptionKeys(where, options, WRAP_OPTION_KEYS);
  const config = checkConfig(where, options.config);
  checkValidators(where, config, options.validators);
  return { config, recordSteps: checkSteps(where, options.recordSteps) };
}

export function checkConfig(where: string, config: unknown): SubscriptionConfig {
  if (typeof config !== 'object' || config === null) {
    throw new RuntimeOptionsError(`${where}: config is required: pass the SubscriptionConfig the constructs generate`);
  }
  const c = config as Partial<SubscriptionConfig>;
  const problems: string[] = [];
  if (typeof c.flow !== 'string' || !c.flow) problems.push('flow must be a non-empty string');
  if (typeof c.subscription !== 'string' || !c.subscription) problems.push('subscription must be a non-empty string');
  if (c.delivery !== 'queue' && c.delivery !== 'ordered' && c.delivery !== 'direct') problems.push(`delivery must be queue, ordered or direct, got ${JSON.stringify(c.delivery)}`);
  if (!Array.isArray(c.consumes)) problems.push('consumes must be an array of topics');
  if (!Array.isArray(c.publishes)) problems.push('publishes must be an array of topics');
  if (typeof c.topics !== 'object' || c.topics === null) problems.push('topics must map each topic to { source, latestVersion }');
  else for (const t of [...(c.consumes ?? []), ...(c.publishes ?? [])]) if (!c.topics[t]) problems.push(`topics has no entry for ${t}`);
  const r = c.retry;
  if (typeof r !== 'object' || r === null) problems.push('retry must be { maxAttempts, backoffBaseSeconds, backoffMaxSeconds }');
  else {
    if (!Number.isInteger(r.maxAttempts) || r.maxAttempts < 1) problems.push(`retry.maxAttempts must be an integer ≥ 1, got ${JSON.stringify(r.maxAttempts)}`);
    if (typeof r.backoffBaseSeconds !== 'number' || r.backoffBaseSeconds < 0) problems.push(`retry.backoffBaseSeconds must be ≥ 0, got ${JSON.stringify(r.backoffBaseSeconds)}`);
    if (typeof r.backoffMaxSeconds !== 'number' || r.backoffMaxSeconds < 0) problems.push(`retry.backoffMaxSeconds must be ≥ 0, got ${JSON.stringify(r.backoffMaxSeconds)}`);
  }
  if (problems.length > 0) throw new RuntimeOptionsError(`${where}: invalid config: ${problems.join('; ')}`);
  return c as SubscriptionConfig;
}

/** Every consumed and published topic with a schema must have its newest version compiled. */
function checkValidators(where: string, config: SubscriptionConfig, validators: unknown): asserts validators is ValidatorTable {
  if (typeof validators !== 'object' || validators === null) {
    throw new RuntimeOptionsError(`${where}: validators is required: pass the \`validators\` export of the generated validator module`);
  }
  const table = validators as ValidatorTable;
  for (const topic of [...config.consumes, ...config.publishes]) {
    const info = config.topics[topic]!;
    if (table[topic] && !table[topic]![info.latestVersion]) {
      throw new RuntimeOptionsError(`${where}: the validators have no schema v${info.latestVersion} of topic ${topic}: regenerate the validator module from the schemas folder`);
    }
  }
  for (const topic of config.publishes) {
    if (!table[topic]) {
      throw new RuntimeOptionsError(`${where}: the validators lack ${topic}, which this subscription publishes: regenerate them with every topic it consumes and publishes`);
    }
  }
}

function checkSteps(where: string, steps: unknown): readonly RecordStep[] {
  if (steps === undefined) return [];
  if (!Array.isArray(steps)) throw new RuntimeOptionsError(`${where}: recordSteps must be an array of RecordStep`);
  for (const s of steps as unknown[]) {
    const step = s as Partial<RecordStep> | null;
    if (typeof step !== 'object' || step === null || typeof step.name !== 'string' || !(step.before || step.after || step.onError || step.settle)) {
      throw new RuntimeOptionsError(`${where}: each record step needs a name and at least one of before, after, onError, settle`);
    }
  }
  return steps as readonly RecordStep[];
}
