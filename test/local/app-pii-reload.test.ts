/**
 * The engine learns the topics' PII fields from the flow manifests when the app starts and again
 * when a changed assembly is applied (`busline dev`'s watch reload): a field the schema marks PII
 * after a reload is masked in the journal from then on.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import { EventFlow } from '../../lib/constructs/index.ts';
import { startLocalApp } from '../../lib/local/app.ts';
import type { EventAcceptedRecord } from '../../lib/local/index.ts';
import { cleanup, projectWith, tempDir } from '../constructs/helpers.ts';

after(cleanup);

/** The cloud assembly of a flow with the one topic `contact.added`, its `email` marked PII or not. */
function assembly(emailIsPii: boolean): string {
  const root = projectWith({
    'schemas/contact.added/v1.json': JSON.stringify({ type: 'object', properties: { email: { type: 'string', ...(emailIsPii ? { 'x-busline-pii': true } : {}) } } }),
  });
  const app = new App({ outdir: tempDir() });
  const flow = new EventFlow(new Stack(app, 'Contacts', { env: { account: '000000000000', region: 'us-east-1' } }), 'Contacts', { rootDir: root, schemaRegistry: false });
  flow.addTopic('contact.added', { source: 'test.contacts' });
  return app.synth().directory;
}

test('a field marked PII by a reloaded assembly is masked in the journal from the reload on', async () => {
  const app = await startLocalApp({ assembly: assembly(false), stateDir: tempDir('busline-pii-reload-'), port: 0 });
  try {
    const bus = app.model.buses.find((b) => b.flow)!.name;
    const publish = async (): Promise<unknown> => {
      const email = `pii-${randomUUID()}@example.com`;
      const { Entries: [entry] } = await app.engine.putEvents([{ EventBusName: bus, Source: 'test.contacts', DetailType: 'contact.added', Detail: JSON.stringify({ metadata: { id: randomUUID() }, data: { email } }) }]);
      const [record] = await app.engine.journalQuery({ eventId: entry!.EventId!, kinds: ['event.accepted'] }) as EventAcceptedRecord[];
      return (record!.event as { detail: { data: unknown } }).detail.data;
    };
    assert.match(JSON.stringify(await publish()), /pii-.*@example\.com/);
    await app.update(assembly(true));
    assert.deepEqual(await publish(), { email: '***' });
  } finally {
    await app.stop();
  }
});
