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
import type { QueueAttributes } from '../../../lib/local/sqs/types.ts';

export interface EngineChildConfig {
  readonly stateDir: string;
  readonly port?: number;
  readonly queues?: ReadonlyArray<{ readonly name: string; readonly attributes?: QueueAttributes }>;
  readonly buses?: readonly string[];
  readonly rules?: ReadonlyArray<{ readonly bus: string; readonly name: string; readonly pattern: string; readonly queue: string }>;
  readonly withoutDynamoDb?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as EngineChildConfig;
const engine = await LocalEngine.start({
  stateDir: config.stateDir,
  port: config.port ?? 0,
  withoutDynamoDb: config.withoutDynamoDb ?? true,
  setup(e) {
    for (const bus of config.buses ?? []) e.createBus(bus);
    for (const queue of config.queues ?? []) e.createQueue(queue.name, queue.attributes ?? {});
    for (const rule of config.rules ?? []) {
      e.putRule({ Name: rule.name, EventBusName: rule.bus, EventPattern: rule.pattern });
      e.putTargets(rule.bus, rule.name, [{ Id: 'queue', Arn: `arn:aws:sqs:${e.region}:${e.accountId}:${rule.queue}` }]);
    }
  },
});
process.stdout.write(JSON.stringify({ endpoint: engine.endpoint }) + '\n');
process.once('SIGTERM', () => {
  void engine.stop().then(() => process.exit(0));
});
