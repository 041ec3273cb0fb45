/** An in-process LocalEngine on a free port with a temporary state folder, plus SDK v3 clients for it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LocalEngine, type LocalEngineOptions } from '../../../lib/local/engine.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface EngineFixture {
  readonly engine: LocalEngine;
  readonly stateDir: string;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly dynamodb: DynamoDBClient;
  /** Stop the engine (keeping the state folder) and start a new one on it. */
  restart(options?: Partial<LocalEngineOptions>): Promise<EngineFixture>;
  /** Stop the engine and delete the state folder. */
  close(): Promise<void>;
}

export async function startEngine(options: Partial<LocalEngineOptions> = {}, stateDir?: string): Promise<EngineFixture> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'busline-engine-test-')));
  const engine = await LocalEngine.start({ stateDir: dir, port: 0, withoutDynamoDb: true, ...options });
  const config = { endpoint: engine.endpoint, region: engine.region, credentials: TEST_CREDENTIALS };
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const dynamodb = new DynamoDBClient(config);
  const stopClients = (): void => {
    sqs.destroy();
    events.destroy();
    dynamodb.destroy();
  };
  return {
    engine,
    stateDir: dir,
    sqs,
    events,
    dynamodb,
    async restart(next = {}) {
      stopClients();
      await engine.stop();
      return startEngine({ ...options, ...next }, dir);
    },
    async close() {
      stopClients();
      await engine.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
