/**
 * `busline replay --from <time> --to <time> [--subscription <name>]`: re-sends archived events
 * of the flow's bus from its archive (EventBridge StartReplay, on the engine or a deployed
 * stack); with a subscription, only to that subscription's rule (Destination.FilterArns).
 */
import { StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { parseCommandArgs } from '../args.ts';
import { openFlowTarget, TARGET_HELP, TARGET_OPTIONS } from '../target-options.ts';
import { parseTime } from '../time-option.ts';

export const summary = 'replay archived events of a time range, to every rule or one subscription';

const HELP = `usage: busline replay --from <time> [--to now] [--subscription <name>] [target options]

  times: ISO-8601 (2026-11-25T12:00:00Z), now, or a duration ago: 15m, 2h, 1d (also --from=-15m)
  --subscription   replay only to this subscription's rule (StartReplay Destination.FilterArns)
${TARGET_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      from: { type: 'string' }, to: { type: 'string', default: 'now' }, subscription: { type: 'string' },
      ...TARGET_OPTIONS, help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!values.from) { console.error(`busline replay: --from is required\n${HELP}`); return 2; }
  const from = parseTime(values.from);
  const to = parseTime(values.to);
  if (from >= to) { console.error(`busline replay: --from (${from.toISOString()}) must be before --to (${to.toISOString()})`); return 2; }
  const target = await openFlowTarget(values);
  const sub = values.subscription ? target.subscription(values.subscription) : undefined;
  const flow = sub ? target.flows.find((f) => f.busName === sub.busName) : target.flows[0];
  if (!flow?.archive) { console.error(`busline replay: the bus ${flow?.busName ?? '(none)'} has no archive to replay from`); return 1; }
  if (sub && !sub.rule) { console.error(`busline replay: subscription ${sub.name} has no rule to replay to`); return 1; }
  const replayName = `busline-${Date.now()}`;
  const out = await target.clients.events.send(new StartReplayCommand({
    ReplayName: replayName,
    EventSourceArn: flow.archive.arn,
    EventStartTime: from, EventEndTime: to,
    Destination: { Arn: flow.busArn, ...(sub?.rule ? { FilterArns: [sub.rule.arn] } : {}) },
  }));
  console.log(`replay ${replayName} ${out.State ?? 'STARTED'}: events of ${flow.busName} from ${from.toISOString()} to ${to.toISOString()}${sub ? ` → ${sub.name} only` : ' → every rule'}`);
  return 0;
}
