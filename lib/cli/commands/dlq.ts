/**
 * `busline dlq list | show <subscription> | redrive <subscription>`: the dead-letter queues of
 * the flow's subscriptions (an ordered subscription has two: its own, and the rule target's
 * "delivery" DLQ), on the engine or a deployed stack. `show` tells each message's kind, reason,
 * attempts and redrive history; `redrive` sends every message of both back to exactly its
 * subscription (lib/cli/redrive.ts), at `--rate` messages a second.
 */
import { parseCommandArgs } from '../args.ts';
import { openFlowTarget, TARGET_HELP, TARGET_OPTIONS } from '../target-options.ts';
import { deadLetterQueues, peekDeadLetters, redriveAll } from '../flow-operations.ts';

export const summary = 'list dead-letter queues, show their messages with reasons, redrive them';

const HELP = `usage: busline dlq list
       busline dlq show <subscription> [--max 10] [--full]
       busline dlq redrive <subscription> [--rate 10] [--max <n>] [--one-by-one]
  --rate         messages a second sent back (1–500)
  --max          at most this many messages (show; redrive one by one)
  --full         show each message's whole body (show; by default a body is cut at 400 characters)
  --one-by-one   a queue subscription's dead letters are sent back one by one, each with its
                 redrive history, instead of by SQS's move task (FIFO DLQs, emulators)
${TARGET_HELP}`;

const SHOWN_BODY = 400;

/** A dead letter's body as `show` prints it: whole with --full, else cut with a note of what is left out. */
function shownBody(body: string, full: boolean): string {
  if (full || body.length <= SHOWN_BODY) return body;
  return `${body.slice(0, SHOWN_BODY)}… (${body.length - SHOWN_BODY} more characters; --full shows the whole body)`;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv, allowPositionals: true,
    options: { ...TARGET_OPTIONS, max: { type: 'string' }, full: { type: 'boolean', default: false }, rate: { type: 'string', default: '10' }, 'one-by-one': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [action, name] = positionals;
  if (!action || !['list', 'show', 'redrive'].includes(action)) {
    console.error(`${action ? `busline dlq: unknown action "${action}"\n` : ''}${HELP}`);
    return 2;
  }
  if (action !== 'list' && !name) { console.error(`busline dlq ${action}: name the subscription\n${HELP}`); return 2; }
  const numberOption = (option: 'max' | 'rate'): number | undefined => {
    const text = values[option];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${option} ${text} is not a positive number`);
    return n;
  };
  const max = numberOption('max');
  const rate = numberOption('rate');
  const target = await openFlowTarget(values);

  if (action === 'list') {
    console.log(`${'subscription'.padEnd(22)}${'messages'.padStart(9)}  queue`);
    for (const q of await deadLetterQueues(target)) {
      console.log(`${q.subscription.padEnd(22)}${String(q.messages).padStart(9)}  ${q.queue}${q.delivery ? ' (delivery)' : ''}`);
    }
    return 0;
  }
  const sub = target.subscription(name!);
  if (!sub.dlq) { console.error(`busline dlq: subscription ${sub.name} has no dead-letter queue`); return 1; }

  if (action === 'show') {
    const letters = await peekDeadLetters(target, sub.name, max ?? 10);
    if (letters.length === 0) { console.log(`${[sub.dlq, sub.deliveryDlq].flatMap((q) => (q ? [q.name] : [])).join(' and ')} ${sub.deliveryDlq ? 'are' : 'is'} empty`); return 0; }
    for (const letter of letters) {
      const on = sub.deliveryDlq ? `  on ${letter.queue}` : '';
      console.log(`message ${letter.messageId}  ${letter.kind}${letter.sentAt ? `  sent ${letter.sentAt.toISOString()}` : ''}${on}`);
      if (letter.event) console.log(`  event: ${letter.topic ?? '?'} id=${letter.eventId ?? '?'}`);
      console.log(`  reason: ${letter.reason}${letter.attempts !== undefined ? `  (attempts: ${letter.attempts})` : ''}`);
      for (const h of letter.history) console.log(`  earlier: ${h.kind}: ${h.reason}${h.attempts !== undefined ? ` (attempts: ${h.attempts})` : ''}, redriven ${h.redrivenAt}`);
      console.log(`  body: ${shownBody(letter.body, values.full)}`);
    }
    return 0;
  }
  const result = await redriveAll(target, sub.name, { oneByOne: values['one-by-one'], ...(rate !== undefined ? { rate } : {}), ...(max !== undefined ? { max } : {}) });
  const to = sub.queue ? `queue ${sub.queue.name}` : `function ${sub.function!.name}`;
  if (result.moveTask !== undefined) {
    console.log(`redrive of ${sub.dlq.name} to ${sub.queue!.name} started (move task ${result.moveTask || '-'}, ${rate ?? 10} message(s)/s)`);
    if (sub.deliveryDlq) console.log(`redrove ${result.redriven} message(s) from ${sub.deliveryDlq.name} to ${to}`);
  } else {
    const from = [sub.dlq, sub.deliveryDlq].flatMap((q) => (q ? [q.name] : [])).join(' and ');
    console.log(`redrove ${result.redriven} message(s) from ${from} to ${to}`);
  }
  for (const s of result.skipped) console.log(`  skipped ${s.messageId}: ${s.why}`);
  return 0;
}
