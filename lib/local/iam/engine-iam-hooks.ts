/**
 * Where IAM meets the engine: the wire endpoint's check of each request, and the rule → queue
 * deliveries' check against the queue policy (the rule sends as the service principal
 * `events.amazonaws.com` with `aws:SourceArn` = the rule's ARN, as the queue policies written for
 * EventBridge targets expect: "Amazon SQS permissions", EventBridge user guide,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions).
 * Every denial, enforced or not, goes to the journal (`access.denied`) and to `onAccessDenied`.
 */
import type { EngineIam } from '../engine-types.ts';
import type { JournalEntry } from '../journal/types.ts';
import type { WireIam } from '../wire/wire-iam.ts';
import { accessKeyIdOf, servicePrincipal, type Caller } from './caller.ts';
import type { AccessDenial } from './iam-authorizer.ts';
import type { Coordinates, PermissionCheck } from './request-permissions.ts';

export interface EngineIamHooks {
  readonly wire: WireIam;
  readonly refuseDelivery: (ruleArn: string, queueArn: string) => string | undefined;
}

const EVENTBRIDGE = servicePrincipal('events.amazonaws.com');

/** `livePolicy`: the resource policy set over the wire on a queue or bus (JSON text), by ARN. */
export function engineIamHooks(
  iam: EngineIam, journal: { append(entry: JournalEntry): unknown }, coordinates: Coordinates,
  livePolicy: (resourceArn: string) => string | undefined,
): EngineIamHooks {
  iam.authorizer.useLivePolicies(livePolicy);
  const check = (caller: Caller, checks: readonly PermissionCheck[]): AccessDenial | undefined => {
    const denials = iam.authorizer.authorize(caller, checks);
    for (const denial of denials) {
      journal.append({
        kind: 'access.denied', principal: denial.caller.arn, action: denial.check.action, resource: denial.check.resource,
        message: denial.message, missing: denial.missing, fix: denial.fix, enforced: denial.enforced,
        ...(denial.check.topic !== undefined && { topic: denial.check.topic }),
      });
      iam.onAccessDenied?.(denial);
    }
    return denials.find((d) => d.enforced);
  };
  return {
    wire: {
      coordinates,
      callerOf: (request) => iam.authorizer.callerOf(accessKeyIdOf(request.headers.authorization, request.url)),
      check,
    },
    refuseDelivery: (ruleArn, queueArn) =>
      check(EVENTBRIDGE, [{ action: 'sqs:SendMessage', resource: queueArn, context: { 'aws:SourceArn': ruleArn } }])?.message,
  };
}
