/**
 * Runs a LocalEngine in its own process (for the durability test and the routing benchmark):
 *
 *   node --import tsx test/local/support/engine-child.ts '<EngineChildConfig JSON>'
 *
 * Declares the given buses, queues and rules in `setup`, then prints one line
 * `{"endpoint": "http://127.0.0.1:<port>"}` on stdout. SIGTERM stops it cleanly; SIGKILL is
 * what the durability test uses to crash it. Spawned with an IPC channel (the memory bench), it
 * answers each `MemoryQuery` with its `process.memoryUsage()`, after a full garbage collection
 * when asked and node runs with --expose-gc.
 */
import { LocalEngine } from '../../../lib/local/engine.ts';
import { declare, type EngineDeclarations } from './engine-declarations.ts';

export interface EngineChildConfig extends EngineDeclarations {
  readonly stateDir: string;
  readonly port?: number;
  readonly withoutDynamoDb?: boolean;
}

/** A question over the IPC channel: the engine's memory, after a full collection if `fullGc`. */
export interface MemoryQuery {
  readonly type: 'memory';
  readonly fullGc: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as EngineChildConfig;
const engine = await LocalEngine.start({
  stateDir: config.stateDir,
  port: config.port ?? 0,
  withoutDynamoDb: config.withoutDynamoDb ?? true,
  setup: (e) => declare(e, config),
});
process.stdout.write(JSON.stringify({ endpoint: engine.endpoint }) + '\n');
process.once('SIGTERM', () => {
  void engine.stop().then(() => process.exit(0));
});
process.on('message', (query: MemoryQuery) => {
  if (query.type !== 'memory') return;
  if (query.fullGc) {
    if (typeof globalThis.gc !== 'function') throw new Error('a full collection was asked for, but node runs without --expose-gc');
    globalThis.gc();
  }
  process.send!(process.memoryUsage());
});
