/**
 * The template's KMS keys and aliases (AWS::KMS::Key, AWS::KMS::Alias) are keys of the engine:
 * declared at every start with a key id derived from stack and logical id, so the key ARN the
 * template's resources and functions hold names a key locally, and what it encrypted before a
 * restart decrypts after it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { App, Stack } from 'aws-cdk-lib';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import { DecryptCommand, DescribeKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { readCloudAssembly, type CloudAssembly } from '../../lib/local/assembly/cloud-assembly.ts';
import { declareAppResources } from '../../lib/local/app-declarations.ts';
import type { LocalAppModel } from '../../lib/local/assembly/app-model.ts';
import { startEngine, TEST_CREDENTIALS, type EngineFixture } from './support/engine-fixture.ts';
import { cdkJsonContext, cleanup, tempDir } from '../constructs/helpers.ts';

after(cleanup);

function synth(enabled: boolean): CloudAssembly {
  const outdir = tempDir('busline-kms-template-');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'Keys');
  const key = new Key(stack, 'PiiKey', { description: 'PII fields', enabled });
  new Alias(stack, 'PiiAlias', { aliasName: 'alias/busline-pii', targetKey: key });
  app.synth();
  return readCloudAssembly(outdir);
}

async function engineWith(assembly: CloudAssembly, stateDir?: string): Promise<{ f: EngineFixture; kms: KMSClient; model: LocalAppModel }> {
  let model: LocalAppModel | undefined;
  const f = await startEngine({ setup: async (e) => { model = await declareAppResources(e, assembly); } }, stateDir);
  const kms = new KMSClient({ endpoint: f.engine.endpoint, region: f.engine.region, credentials: TEST_CREDENTIALS });
  return { f, kms, model: model! };
}

test("the template's key is served under its key ARN, with its description, and its alias names it", async (t) => {
  const { f, kms, model } = await engineWith(synth(true));
  t.after(async () => { kms.destroy(); await f.close(); });
  const key = model.keys[0]!;
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: key.arn }));
  assert.equal(KeyMetadata!.KeyId, key.keyId);
  assert.equal(KeyMetadata!.Description, 'PII fields');
  const viaAlias = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/busline-pii', KeySpec: 'AES_256' }));
  assert.equal(viaAlias.KeyId, key.arn);
});

test("a data key generated under the template's key decrypts after the engine restarts and declares the key again", async (t) => {
  const assembly = synth(true);
  const first = await engineWith(assembly);
  const context = { topic: 'user.signed-up', field: 'email' };
  const dataKey = await first.kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/busline-pii', KeySpec: 'AES_256', EncryptionContext: context }));
  first.kms.destroy();
  await first.f.engine.stop();
  const second = await engineWith(assembly, first.f.stateDir);
  t.after(async () => { second.kms.destroy(); await second.f.close(); });
  const opened = await second.kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: context }));
  assert.deepEqual(Buffer.from(opened.Plaintext!), Buffer.from(dataKey.Plaintext!));
});

test('a key the template declares disabled (Enabled: false) refuses GenerateDataKey with DisabledException', async (t) => {
  const { f, kms } = await engineWith(synth(false));
  t.after(async () => { kms.destroy(); await f.close(); });
  await assert.rejects(kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/busline-pii', KeySpec: 'AES_256' })), { name: 'DisabledException' });
});
