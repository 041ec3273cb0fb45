/** Choosing a command's target: --stack and its options, or the local engine. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf } from './support/main-errors.ts';

test('--profile, --region and --endpoint-url without --stack are refused, naming them', async () => {
  const { code, text } = await errorsOf(['status', '--profile', 'prod', '--endpoint-url', 'http://127.0.0.1:1']);
  assert.equal(code, 1);
  assert.match(text, /--profile, --endpoint-url need --stack <name>/);
});

test("--endpoint (the engine's) with --stack is refused, pointing to --endpoint-url", async () => {
  const { code, text } = await errorsOf(['dlq', 'list', '--stack', 'Orders', '--endpoint', 'http://127.0.0.1:1']);
  assert.equal(code, 1);
  assert.match(text, /with --stack use --endpoint-url/);
});
