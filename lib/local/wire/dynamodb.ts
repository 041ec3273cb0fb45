/**
 * DynamoDB for the engine: dynalite's store (LevelDB in `<stateDir>/dynamodb`, so tables
 * survive restarts) driven in-process by lib/local/dynamodb, which adds TransactWriteItems and
 * TransactGetItems. The wire endpoint hands `DynamoDB_20120810.*` requests to it unread; it
 * also listens on its own loopback port (`endpoint`), for tools that want DynamoDB alone.
 */
import type http from 'node:http';
import { startLocalDynamoDb, type LocalDynamoDb } from '../dynamodb/start-local-dynamodb.ts';
import type { CommittedWritesObserver, DynamoDbFault, DynamoDbFaultInjector, RequestCheck } from '../dynamodb/dynamodb-service.ts';
import { useSynchronousLevelDbReads } from '../dynamodb/leveldb-sync-reads.ts';

export class DynamoDbBackend {
  private constructor(private readonly local: LocalDynamoDb) {}

  /** Start with the LevelDB in `path` (in memory when undefined). */
  static async start(path: string | undefined): Promise<DynamoDbBackend> {
    useSynchronousLevelDbReads();
    return new DynamoDbBackend(await startLocalDynamoDb(path ? { path } : {}));
  }

  get endpoint(): string {
    return this.local.endpoint;
  }

  /**
   * Serve one request whose body has not been read yet, in process (no loopback hop); `check`
   * answers instead when it refuses the request (IAM).
   */
  handle(request: http.IncomingMessage, response: http.ServerResponse, check?: RequestCheck): void {
    this.local.service.handle(request, response, check);
  }

  /** The next wire requests matching each fault fail with it (see DynamoDbService.injectFaults). */
  injectFaults(faults: readonly DynamoDbFault[]): void {
    this.local.service.injectFaults(faults);
  }

  /** Told of each write request over the wire that succeeded (the engine journals them). */
  onCommitted(observer: CommittedWritesObserver): void {
    this.local.service.onCommitted = observer;
  }

  /** The chaos mode's faults for wire requests (see DynamoDbService.chaos). */
  injectChaos(injector: DynamoDbFaultInjector): void {
    this.local.service.chaos = injector;
  }

  /** Call a DynamoDB action directly (used for CreateTable from the template). */
  async call(action: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.local.service.call(action, input);
  }

  async stop(): Promise<void> {
    await this.local.stop();
  }
}
