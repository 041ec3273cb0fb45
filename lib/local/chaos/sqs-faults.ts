/**
 * The chaos mode's SQS faults, on standard queues a client declared (not FIFO queues, whose
 * exactly-once processing is their point, nor the engine's internal delivery queue):
 *
 * - duplicate: a delete misses one copy of the message, which is delivered again ("Amazon SQS
 *   at-least-once delivery": a copy on a server that was unavailable is not deleted, "and you
 *   might get that message copy again"). A copy is not copied again, so a message comes back at
 *   most once this way and even `duplicate=1` lets a flow settle (every message twice);
 * - delay: a message sent becomes visible only after the profile's delayMs;
 * - reorder: a receive passes over a visible message, so messages sent after it are delivered
 *   first (standard queues make "a best effort to preserve the order of messages").
 */
import { lineageFields, type Queue, type StoredMessage } from '../sqs/queue.ts';
import type { SqsFaults } from '../sqs/sqs-state.ts';
import type { Chaos } from './chaos.ts';

export function sqsFaults(chaos: Chaos): SqsFaults {
  const eligible = (queue: Queue): boolean => !queue.fifo && !queue.internal;
  return {
    sendDelayMs(queue, messageId, lineage) {
      if (!eligible(queue) || !chaos.strikes('delay', queue.name)) return 0;
      chaos.record({ fault: 'delay', queue: queue.name, messageId, ...lineageFields(lineage), detail: `held back ${chaos.delayMs} ms before it became visible` });
      return chaos.delayMs;
    },
    leavesCopy(queue, m) {
      if (!eligible(queue) || m.copyOf !== undefined || !chaos.strikes('duplicate', queue.name)) return undefined;
      return (copyId) => chaos.record({
        fault: 'duplicate', queue: queue.name, messageId: m.id, ...lineageFields(m.lineage),
        detail: `the delete missed a copy: delivered again as message ${copyId}`,
      });
    },
    passesOver(queue, m) {
      return eligible(queue) && chaos.strikes('reorder', queue.name);
    },
    overtaken(queue, m, by: StoredMessage) {
      chaos.record({ fault: 'reorder', queue: queue.name, messageId: m.id, ...lineageFields(m.lineage), detail: `passed over: message ${by.id}, behind it in the queue, was delivered first` });
    },
  };
}
