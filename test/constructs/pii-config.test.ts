import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { EventFlow } from '../../lib/constructs/index.ts';
import { cleanup, projectWith, tempDir } from './helpers.ts';

after(cleanup);

test("the fields a topic's schema marks x-busline-pii reach the subscription's runtime config as piiPaths, for the consumed and the published topics", () => {
  const root = projectWith({
    'schemas/user.signed-up/v1.json': JSON.stringify({ type: 'object', properties: { userId: { type: 'string' }, email: { type: 'string', 'x-busline-pii': true } } }),
    'schemas/welcome.sent/v1.json': JSON.stringify({ type: 'object', properties: { to: { type: 'string', 'x-busline-pii': 'mask' } } }),
    'schemas/plain.event/v1.json': JSON.stringify({ type: 'object', properties: { n: { type: 'number' } } }),
    'functions/welcome.ts': 'export default async () => {};\n',
  });
  const stack = new Stack(new App({ outdir: tempDir() }), 'S');
  const flow = new EventFlow(stack, 'Signups', { rootDir: root });
  const signedUp = flow.addTopic('user.signed-up', { source: 'app.accounts' });
  const sent = flow.addTopic('welcome.sent', { source: 'app.mail' });
  const plain = flow.addTopic('plain.event', { source: 'app.other' });
  const sub = flow.addSubscription('welcome', { topic: signedUp, handler: 'functions/welcome.ts', publishes: [sent, plain] });
  assert.deepEqual(sub.config.topics['user.signed-up']!.piiPaths, [['email']]);
  assert.deepEqual(sub.config.topics['welcome.sent']!.piiPaths, [['to']]);
  assert.equal(sub.config.topics['plain.event']!.piiPaths, undefined);
});
