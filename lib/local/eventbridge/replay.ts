/**
 * Replay: archived events of a bus in a time window are routed again, each with a
 * `replay-name`, to all of the bus's rules or those a replay names; the answer waits until
 * every message the replay enqueued is on disk.
 */
import type { SqsService } from '../sqs/sqs-service.ts';
import type { Clock } from '../clock.ts';
import type { EventArchive } from './archive.ts';
import { busNameOf, compilePatternOrThrow, type Declarations } from './declarations.ts';
import { EventBridgeError } from './errors.ts';
import type { Router } from './routing.ts';
import type { BusEvent, ReplayOptions, ReplayResult } from './types.ts';

export interface ReplayContext {
  readonly declarations: Declarations;
  readonly archive: EventArchive;
  readonly router: Router;
  readonly sqs: SqsService;
  readonly clock: Clock;
}

export async function replay(context: ReplayContext, options: ReplayOptions): Promise<ReplayResult> {
  const bus = context.declarations.bus(options.busName);
  if (!(options.from instanceof Date) || !(options.to instanceof Date) || options.from.getTime() >= options.to.getTime()) {
    throw new EventBridgeError('ValidationException', 'Replay needs from < to (Dates).');
  }
  const replayName = options.replayName ?? `replay-${context.clock.now()}`;
  const onlyRules = options.ruleNames ? new Set(options.ruleNames) : undefined;
  let count = 0;
  await context.archive.read(bus.name, options.from, options.to, (archived) => {
    if (options.filter && !options.filter({ bus: bus.name, event: archived })) return;
    const event: BusEvent = { ...archived, 'replay-name': replayName };
    context.router.route(bus, event, JSON.stringify(event), context.clock.now(), onlyRules ? { onlyRules } : {});
    count++;
  });
  // Events a bus target forwarded are archived on their bus: on disk too before the answer.
  await Promise.all([context.archive.flush(), context.sqs.durable()]);
  return { replayName, eventCount: count };
}

/**
 * StartReplay: the archive (by ARN) names the bus whose events are re-sent; its pattern,
 * if any, filters them. An archive never declared falls back to the destination bus (the
 * engine archives every bus anyway).
 */
export function replayFromArchive(
  context: ReplayContext,
  options: { archiveArn: string; busArn: string; from: Date; to: Date; replayName: string; ruleNames?: readonly string[] },
): Promise<ReplayResult> {
  const archiveName = options.archiveArn.slice(options.archiveArn.lastIndexOf('/') + 1);
  const archive = context.declarations.archives.get(archiveName);
  const busName = busNameOf(archive?.EventSourceArn ?? options.busArn);
  const pattern = archive?.EventPattern ? compilePatternOrThrow(archive.EventPattern) : undefined;
  return replay(context, {
    busName,
    from: options.from,
    to: options.to,
    replayName: options.replayName,
    ...(options.ruleNames && { ruleNames: options.ruleNames }),
    ...(pattern && { filter: (archived) => pattern.matches(archived.event) }),
  });
}
