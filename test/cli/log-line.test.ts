import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../lib/runtime/logger.ts';
import { MAX_VALUE_CHARS, renderLogLine } from '../../lib/cli/log-line.ts';

/** Lines exactly as the runtime writes them: the handler's logger is a child with the record's fields. */
function runtimeLines(log: (logger: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  const root = createLogger('debug', (l) => lines.push(l), { flow: 'signups', subscription: 'send-welcome' });
  log(root.child({ topic: 'user.signed-up', eventId: 'evt-1', correlationId: 'corr-1', attempt: 1 }));
  return lines;
}

test("a user's own field (userId) is shown beside the message", () => {
  const [line] = runtimeLines((l) => l.info('welcome sent', { userId: 'u-42' }));
  assert.equal(renderLogLine(line!), 'INFO welcome sent  userId=u-42');
});

test('every field the user logs is shown, in the order logged, whatever its name', () => {
  const [line] = runtimeLines((l) => l.warn('quota low', { plan: 'free', remaining: 3, trial: true, coupon: null }));
  assert.equal(renderLogLine(line!), 'WARN quota low  plan=free remaining=3 trial=true coupon=null');
});

test('the fields every runtime line carries (time, flow, subscription, topic, event and correlation ids, first attempt) are left out', () => {
  const [line] = runtimeLines((l) => l.info('done'));
  assert.equal(renderLogLine(line!), 'INFO done');
});

test('a retry shows its attempt number', () => {
  const lines: string[] = [];
  createLogger('info', (l) => lines.push(l), { flow: 'f', subscription: 's' }).child({ eventId: 'e', attempt: 3 }).warn('record failed');
  assert.equal(renderLogLine(lines[0]!), 'WARN record failed  attempt=3');
});

test('in a tree, a line about another event than the node it sits under (a batch) shows that event id', () => {
  const [line] = runtimeLines((l) => l.info('welcome sent'));
  assert.equal(renderLogLine(line!, { topic: 'user.signed-up', eventId: 'evt-1', correlationId: 'corr-1' }), 'INFO welcome sent');
  assert.equal(renderLogLine(line!, { topic: 'user.signed-up', eventId: 'evt-0', correlationId: 'corr-1' }), 'INFO welcome sent  eventId=evt-1');
});

test('a string value with spaces, quotes or = is quoted; an empty one shows as ""', () => {
  const [line] = runtimeLines((l) => l.info('m', { name: 'Ada Lovelace', q: 'a="b"', empty: '' }));
  assert.equal(renderLogLine(line!), 'INFO m  name="Ada Lovelace" q="a=\\"b\\"" empty=""');
});

test('an object or array value is compact JSON', () => {
  const [line] = runtimeLines((l) => l.info('m', { user: { id: 'u-1', roles: ['admin'] }, tags: [1, 2] }));
  assert.equal(renderLogLine(line!), 'INFO m  user={"id":"u-1","roles":["admin"]} tags=[1,2]');
});

test('a logged Error reads as "Name: message"', () => {
  const [line] = runtimeLines((l) => l.error('send failed', { error: new TypeError('mailer down') }));
  assert.equal(renderLogLine(line!), 'ERROR send failed  error="TypeError: mailer down"');
});

test('a long value is cut with an ellipsis at MAX_VALUE_CHARS', () => {
  const [line] = runtimeLines((l) => l.info('m', { body: 'x'.repeat(500), big: { list: Array.from({ length: 100 }, (_, i) => i) } }));
  const rendered = renderLogLine(line!)!;
  const body = /body=(\S+)/.exec(rendered)![1]!;
  const big = /big=(\S+)/.exec(rendered)![1]!;
  assert.equal(body, `${'x'.repeat(MAX_VALUE_CHARS - 1)}…`);
  assert.equal(big.length, MAX_VALUE_CHARS);
  assert.ok(big.startsWith('{"list":[0,1,2') && big.endsWith('…'));
});

test('an EMF metric line is dropped', () => {
  assert.equal(renderLogLine('{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"Processed":1}'), undefined);
});

test('a line that is not structured JSON is shown as written', () => {
  assert.equal(renderLogLine('plain console.log output'), 'plain console.log output');
  assert.equal(renderLogLine('{not json'), '{not json');
  assert.equal(renderLogLine('{"no":"message field"}'), '{"no":"message field"}');
});

test('a line without a level reads as INFO', () => {
  assert.equal(renderLogLine('{"message":"hi","userId":"u-1"}'), 'INFO hi  userId=u-1');
});
