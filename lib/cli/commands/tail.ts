/**
 * `busline tail [--subscription <name>] [--since 10m] [--follow]`: the flow's function log
 * lines — from CloudWatch Logs on a deployed stack, from the journal on the engine — rendered
 * as `busline events` renders them (lib/cli/log-line.ts): EMF metric lines dropped, structured
 * lines as `LEVEL message key=value`.
 */
import { parseCommandArgs } from '../args.ts';
import { renderLogLine } from '../log-line.ts';
import { openFlowTarget, TARGET_HELP, TARGET_OPTIONS } from '../target-options.ts';
import { parseTime } from '../time-option.ts';

export const summary = "the flow's function log lines (CloudWatch Logs on a stack, the journal locally)";

const HELP = `usage: busline tail [--subscription <name>] [--since 10m] [--follow]
  --since      ISO-8601 time or a duration ago (15m, 2h, 1d); default 10m
  --follow     keep printing new lines (every 2 s) until interrupted
${TARGET_HELP}`;

const FOLLOW_EVERY_MS = 2000;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      subscription: { type: 'string' }, since: { type: 'string', default: '10m' }, follow: { type: 'boolean', short: 'f', default: false },
      ...TARGET_OPTIONS, help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const target = await openFlowTarget(values);
  const of = values.subscription ? [target.subscription(values.subscription)] : target.subscriptions;
  const width = Math.max(...of.map((s) => s.name.length));
  let since = parseTime(values.since);
  const printed = new Set<string>();
  const printNew = async (): Promise<void> => {
    for (const line of await target.logLines(since, of)) {
      const key = `${line.at.getTime()} ${line.subscription} ${line.text}`;
      if (printed.has(key)) continue;
      printed.add(key);
      const text = renderLogLine(line.text);
      if (text !== undefined) console.log(`${line.at.toISOString().slice(11, 23)} ${line.subscription.padEnd(width)}  ${text}`);
      if (line.at > since) since = line.at;
    }
  };
  await printNew();
  if (!values.follow) return 0;
  await new Promise<void>((resolveStop) => {
    const timer = setInterval(() => { void printNew(); }, FOLLOW_EVERY_MS);
    process.once('SIGINT', () => { clearInterval(timer); resolveStop(); });
  });
  return 0;
}
