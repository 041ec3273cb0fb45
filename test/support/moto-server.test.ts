import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing, startMotoServer } from './moto-server.ts';

const skip = motoServerMissing();

test('startMotoServer serves the AWS wire protocol on 127.0.0.1 and stop() ends it', { skip }, async () => {
  const moto = await startMotoServer();
  after(() => moto.stop());
  assert.match(moto.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  const sqs = new SQSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  const out = await sqs.send(new ListQueuesCommand({}));
  assert.equal(out.$metadata.httpStatusCode, 200);
  sqs.destroy();
  await moto.stop();
  await assert.rejects(fetch(`${moto.endpoint}/moto-api/`));
});
