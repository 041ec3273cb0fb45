/**
 * `busline replay --from <time> --to <time> [--subscription <name>]`: re-sends archived events
 * of the flow's bus from its archive (EventBridge StartReplay, on the engine or a deployed
 * stack); with a subscription, only to that subscription's rule (Destination.FilterArns).
 */
import { parseCommandArgs } from '../args.ts';
import { openFlowTarget, TARGET_HELP, TARGET_OPTIONS } from '../target-options.ts';
import { parseTime } from '../time-option.ts';
import { startReplay } from '../flow-operations.ts';

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
  const started = await startReplay(target, { from, to, ...(values.subscription ? { subscription: values.subscription } : {}) });
  console.log(`replay ${started.replayName} ${started.state}: events of ${started.busName} from ${from.toISOString()} to ${to.toISOString()}${started.subscription ? ` → ${started.subscription} only` : ' → every rule'}`);
  return 0;
}
