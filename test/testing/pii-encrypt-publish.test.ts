/**
 * busline/testing and `"x-busline-pii": "encrypt"`: the harness's publish encrypts the topic's
 * encrypted fields with the flow's PII key, as a handler's publish does (lib/cli/publish-event.ts),
 * and under IAM enforce (the default) the subscription's runtime decrypts them with the
 * kms:Decrypt the constructs granted it for that topic. The project is the PII project of the CLI
 * tests in encrypt mode (test/cli/support/pii-project.ts): its handler records what it received
 * in the project's received.jsonl.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { testFlow, type FlowTest } from 'busline/testing';
import { isEnvelope } from '../../lib/runtime/pii-envelope.ts';
import { piiProject, RECEIVED_FILE } from '../cli/support/pii-project.ts';
import type { TinyProject } from '../cli/support/tiny-project.ts';

let project: TinyProject;
let flow: FlowTest;

before(async () => {
  project = piiProject('encrypt');
  const { notesStack } = await import(join(project.dir, 'stack.ts')) as { notesStack: (app: App) => Stack };
  flow = await testFlow(notesStack(new App()), { synthCacheDir: join(project.dir, 'synth-cache') });
}, { timeout: 300_000 });
after(async () => {
  await flow?.close();
  project?.remove();
});

test("the harness's publish puts an envelope on the bus, and the handler receives the plaintext", async () => {
  const email = `pii-${randomUUID()}@example.com`;
  const sent = await flow.publish('contact.added', { contactId: 'c-harness', email, failTimes: 0 });
  const lineages = await flow.settle();
  const accepted = lineages.find((l) => l.id === sent.id);
  assert.ok(accepted, JSON.stringify(lineages));
  // What the bus accepted (the journal's record of it): the email is an envelope.
  assert.ok(isEnvelope((accepted.data as { email: unknown }).email), JSON.stringify(accepted.data));
  assert.ok(!JSON.stringify(accepted).includes(email));
  const received = readFileSync(join(project.dir, RECEIVED_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { email: string });
  assert.deepEqual(received.map((r) => r.email), [email]);
});
