/**
 * `busline replay --from <time> --to <time> [--subscription <name>]`: re-sends archived events
 * of the flow's bus (EventBridge StartReplay on the engine's wire endpoint); with a
 * subscription, only to that subscription's rule (Destination.FilterArns).
 */
import { StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { DEFAULT_STATE_DIR, readDevSession } from '../dev-session.ts';
import { loadFlowContext } from '../flow-context.ts';
import { localClients } from '../aws-clients.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = 'replay archived events of a time range, to every rule or one subscription';

const HELP = `usage: busline replay --from <time> --to <time> [--subscription <name>] [--state .busline]

  times: ISO-8601 (2026-11-25T12:00:00Z), now, or a duration ago: 15m, 2h, 1d (also --from=-15m)`;

export function parseTime(text: string, now = Date.now()): Date {
  if (text === 'now') return new Date(now);
  const rel = /^-?(\d+)([smhd])$/.exec(text);
  if (rel) return new Date(now - Number(rel[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[rel[2] as 's' | 'm' | 'h' | 'd']);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`"${text}" is not a time: use ISO-8601 (2026-11-25T12:00:00Z), now, or a duration ago like 15m / 2h`);
  return d;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      from: { type: 'string' }, to: { type: 'string', default: 'now' }, subscription: { type: 'string' },
      state: { type: 'string', default: DEFAULT_STATE_DIR }, endpoint: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!values.from) { console.error(`busline replay: --from is required\n${HELP}`); return 2; }
  const from = parseTime(values.from);
  const to = parseTime(values.to);
  if (from >= to) { console.error(`busline replay: --from (${from.toISOString()}) must be before --to (${to.toISOString()})`); return 2; }
  const session = readDevSession(values.state);
  const context = loadFlowContext(session.assemblyDir);
  const sub = values.subscription ? context.subscription(values.subscription) : undefined;
  const busName = sub?.busName ?? context.flows[0]?.busName;
  const bus = context.model.buses.find((b) => b.name === busName);
  const archive = context.model.archives.find((a) => a.busName === busName);
  if (!bus || !archive) { console.error(`busline replay: the bus ${busName ?? '(none)'} has no archive to replay from`); return 1; }
  const rule = sub?.ruleName ? context.model.rules.find((r) => r.name === sub.ruleName) : undefined;
  const { events } = localClients(values.endpoint ?? process.env.BUSLINE_ENDPOINT ?? session.endpoint, context.model.region);
  const replayName = `busline-${Date.now()}`;
  const out = await events.send(new StartReplayCommand({
    ReplayName: replayName,
    EventSourceArn: `arn:aws:events:${context.model.region}:${context.model.account}:archive/${archive.name}`,
    EventStartTime: from, EventEndTime: to,
    Destination: { Arn: bus.arn, ...(rule ? { FilterArns: [rule.arn] } : {}) },
  }));
  console.log(`replay ${replayName} ${out.State ?? 'STARTED'}: events of ${bus.name} from ${from.toISOString()} to ${to.toISOString()}${sub ? ` → ${sub.name} only` : ' → every rule'}`);
  return 0;
}
