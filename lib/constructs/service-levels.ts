import { Duration, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { EventFlowDeclarationError } from './errors.ts';

/**
 * Service level objectives of a subscription. Each objective that is set becomes one CloudWatch
 * alarm on the subscription; an objective left out makes no alarm.
 */
export interface ServiceLevelObjectives {
  /**
   * Highest acceptable p99 of the end-to-end latency (publish → handled: now − the event's
   * `metadata.publishedAt` when its handler finished; EMF metric EndToEndLatency). The alarm
   * fires when 3 of the last 5 one-minute p99 values are above it.
   * @default - no latency alarm
   */
  readonly latencyP99?: Duration;
  /**
   * Highest acceptable lag: the age of the oldest message waiting in the subscription's queue
   * (AWS/SQS ApproximateAgeOfOldestMessage), or for direct delivery the age of the oldest event
   * in Lambda's asynchronous queue (AWS/Lambda AsyncEventAge). The alarm fires when 3 of the last
   * 5 one-minute maxima are above it.
   * @default - no lag alarm
   */
  readonly maxLag?: Duration;
  /**
   * Highest acceptable share of failed records, in percent (0–100; `1` means 1 %): records whose
   * handler or checks failed (retried or dead-lettered) over the records handled. The alarm
   * fires when 3 of the last 5 one-minute rates are above it; minutes without records do not
   * count against it.
   * @default - no error-rate alarm
   */
  readonly errorRate?: number;
}

/** The subscription's own objectives over the flow's, field by field; checked. */
export function effectiveObjectives(scope: IConstruct, flow: ServiceLevelObjectives | undefined, own: ServiceLevelObjectives | undefined): ServiceLevelObjectives {
  const slo: ServiceLevelObjectives = { ...flow, ...definedFields(own) };
  for (const key of ['latencyP99', 'maxLag'] as const) {
    const d = slo[key];
    if (d !== undefined && !Token.isUnresolved(d) && d.toMilliseconds() <= 0) {
      throw new EventFlowDeclarationError(scope, `slo.${key} ${d.toHumanString()} is not above zero: choose a positive duration, e.g. Duration.seconds(5)`);
    }
  }
  const rate = slo.errorRate;
  if (rate !== undefined && !Token.isUnresolved(rate) && !(rate > 0 && rate <= 100)) {
    throw new EventFlowDeclarationError(scope, `slo.errorRate ${rate} is outside 0–100 (a percentage; 1 means 1 %): choose a value above 0 and at most 100`);
  }
  return slo;
}

function definedFields(slo: ServiceLevelObjectives | undefined): ServiceLevelObjectives {
  if (!slo) return {};
  return Object.fromEntries(Object.entries(slo).filter(([, v]) => v !== undefined)) as ServiceLevelObjectives;
}

/** How every SLO alarm evaluates: 3 of the last 5 one-minute periods (a blip does not page). */
export const SLO_ALARM_PERIOD = Duration.minutes(1);
export const SLO_EVALUATION_PERIODS = 5;
export const SLO_DATAPOINTS_TO_ALARM = 3;
