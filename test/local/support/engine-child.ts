/**
 * Runs a LocalEngine in its own process (for the durability test and the routing benchmark):
 *
 *   node --import tsx test/local/support/engine-child.ts '<EngineChildConfig JSON>'
 *
 * Declares the given buses, queues and rules in `setup`, then prints one line
 * `{"endpoint": "http://127.0.0.1:<port>"}` on stdout. SIGTERM stops it cleanly; SIGKILL is
 * what the durability test uses to crash it.
 */
import { LocalEngine } from '../../../lib/local/engine.ts';
import { declare, type EngineDeclarations } from './engine-declarations.ts';

export interface EngineChildConfig extends EngineDeclarations {
  readonly stateDir: string;
  readonly port?: number;
  readonly withoutDynamoDb?: boolean;
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
