/**
 * `busline status [--stack <name> …]`: per subscription, the queue's depth, in-flight count and
 * oldest message age, the DLQ's depth, and alarm states — on a deployed stack or the engine.
 */
import { parseCommandArgs } from '../args.ts';
import { openFlowTarget, TARGET_HELP, TARGET_OPTIONS } from '../target-options.ts';
import { subscriptionStatuses } from '../flow-operations.ts';

export const summary = 'per subscription: queue depth, oldest message age, in-flight, DLQ depth, alarms';

const HELP = `usage: busline status [target options]\n${TARGET_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, { args: argv, options: { ...TARGET_OPTIONS, help: { type: 'boolean', short: 'h' } } });
  if (typeof parsed === 'number') return parsed;
  const target = await openFlowTarget(parsed.values);
  console.log(`status of ${target.description}`);
  console.log(`${'subscription'.padEnd(22)}${'queued'.padStart(8)}${'oldest'.padStart(9)}${'in-flight'.padStart(11)}${'dlq'.padStart(6)}  alarms`);
  const cell = (v: number | undefined, unit = ''): string => (v === undefined ? '-' : `${v}${unit}`);
  for (const s of await subscriptionStatuses(target)) {
    console.log(`${s.name.padEnd(22)}${cell(s.queued).padStart(8)}${cell(s.oldestAgeSeconds, 's').padStart(9)}${cell(s.inFlight).padStart(11)}${cell(s.deadLettered).padStart(6)}  ${s.alarms.map((a) => `${a.name}=${a.state}`).join(' ') || '-'}`);
  }
  return 0;
}
