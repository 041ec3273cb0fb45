/**
 * Moving messages out of a dead-letter queue (what StartMessageMoveTask does): each goes to the
 * destination, or back to the queue it came from, with a fresh receive count.
 */
import { storedOf, type SqsState } from './sqs-state.ts';
import type { LiveMessage, Queue, StoredMessage } from './queue.ts';

/** Where a message of `source` goes: the destination given, else the queue it was dead-lettered from (if it still exists). */
export function moveTarget(state: SqsState, m: StoredMessage, destination: Queue | undefined): Queue | undefined {
  return destination ?? (m.deadLetterSourceArn ? state.find(m.deadLetterSourceArn) : undefined);
}

/** Moves one message of `source` to `target`: deleted there, enqueued here, receive count 0. */
export function moveMessage(state: SqsState, source: Queue, m: LiveMessage, target: Queue, now: number): void {
  state.commit({ t: 'del', q: source.name, id: m.id }, now);
  const { deadLetterSourceArn: _dropped, first: _first, receipt: _receipt, ...rest } = storedOf(m);
  const back: StoredMessage = { ...rest, rc: 0, avail: now + target.settings.delaySeconds * 1000 };
  state.commit({ t: 'send', q: target.name, m: back }, now);
  state.observer.enqueued?.(target, back, 'move-task');
  target.signal(now);
}

/**
 * Moves every message of `sourceRef` (a dead-letter queue) to `destinationRef`, or back to
 * the queue each came from, at once.
 */
export function moveAllMessages(state: SqsState, sourceRef: string, destinationRef?: string): { moved: number } {
  const source = state.get(sourceRef);
  const destination = destinationRef ? state.get(destinationRef) : undefined;
  const now = state.clock.now();
  state.dropExpired(source, now);
  let moved = 0;
  for (const m of [...source.messages.values()]) {
    const target = moveTarget(state, m, destination);
    if (!target) continue;
    moveMessage(state, source, m, target, now);
    moved++;
  }
  return { moved };
}
