/**
 * An engine that cannot serve on its port (another process holds it) fails its start and closes
 * what it had opened: the state folder (its store and DynamoDB's LevelDB lock) is free at once,
 * and nothing keeps the process alive. Before, `busline dev` on a taken port printed the error
 * and hung, holding the folder, and the next start failed with "Database is closed".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEngine } from '../../lib/local/engine.ts';

test('a start on a port already taken fails with EADDRINUSE and leaves the state folder free for the next start', { timeout: 30_000 }, async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'busline-port-taken-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  t.after(() => holder.close());
  const { port } = holder.address() as AddressInfo;

  await assert.rejects(LocalEngine.start({ stateDir, port }), { code: 'EADDRINUSE' });

  const engine = await LocalEngine.start({ stateDir, port: 0 });
  try {
    engine.createQueue('after', {});
    assert.match(engine.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await engine.stop();
  }
});
