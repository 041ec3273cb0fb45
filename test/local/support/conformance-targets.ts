/**
 * The same cases against the local engine and against moto_server (an independent emulator: a
 * case that passes there checks the case itself, not only the engine). Registers the hooks that
 * start both once for the file and stop them after; each target gets SDK clients made by
 * `clients` for its endpoint.
 *
 *   const targets = conformanceTargets({ clients: (config) => new KMSClient(config), destroy: (c) => c.destroy() });
 *   targets.scenario('what it shows', { moto: true }, async (t) => { ... t.clients ... });
 */
import { after, before, test } from 'node:test';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing, startMotoServer, type MotoServer } from '../../support/moto-server.ts';
import { startEngine, TEST_CREDENTIALS, type EngineFixture } from './engine-fixture.ts';

export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface ConformanceTarget<C> {
  readonly name: 'engine' | 'moto_server';
  readonly clients: C;
  readonly account: string;
}

export interface ConformanceTargets<C> {
  readonly engine: () => EngineFixture;
  /** Stops the engine and starts it again on its state folder, with new clients. */
  restartEngine(): Promise<ConformanceTarget<C>>;
  /**
   * One test per target: `<name> [engine]`, and `<name> [moto_server]` when `moto` is true
   * (skipped when moto_server is not installed). Pass `moto: false` with a comment saying where
   * moto differs from AWS.
   */
  scenario(name: string, options: { moto: boolean }, body: (t: ConformanceTarget<C>) => Promise<void>): void;
  /** The engine's target (for a case that is the engine's alone). */
  onEngine(): ConformanceTarget<C>;
}

export function conformanceTargets<C>(options: { clients: (config: ClientConfig) => C; destroy: (clients: C) => void }): ConformanceTargets<C> {
  let engine: EngineFixture | undefined;
  let engineClients: C | undefined;
  let moto: MotoServer | undefined;
  let motoClients: C | undefined;
  const motoSkip = motoServerMissing();
  const forEngine = (f: EngineFixture): C => options.clients({ endpoint: f.engine.endpoint, region: f.engine.region, credentials: TEST_CREDENTIALS });
  const onEngine = (): ConformanceTarget<C> => ({ name: 'engine', clients: engineClients!, account: engine!.engine.accountId });
  before(async () => {
    engine = await startEngine();
    engineClients = forEngine(engine);
    if (!motoSkip) {
      moto = await startMotoServer();
      motoClients = options.clients({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
    }
  });
  after(async () => {
    if (engineClients !== undefined) options.destroy(engineClients);
    if (motoClients !== undefined) options.destroy(motoClients);
    await moto?.stop();
    await engine?.close();
  });
  return {
    engine: () => engine!,
    async restartEngine() {
      options.destroy(engineClients!);
      engine = await engine!.restart();
      engineClients = forEngine(engine);
      return onEngine();
    },
    scenario(name, { moto: onMoto }, body) {
      test(`${name} [engine]`, () => body(onEngine()));
      if (onMoto) test(`${name} [moto_server]`, { skip: motoSkip }, () => body({ name: 'moto_server', clients: motoClients!, account: MOTO_ACCOUNT }));
    },
    onEngine,
  };
}
