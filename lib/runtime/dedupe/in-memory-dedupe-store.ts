/**
 * A dedupe store in this process's memory, with the DynamoDB store's semantics
 * (same expiry rules, token-conditional complete and release). For benchmarks and unit
 * tests of pipeline logic; it dedupes nothing across Lambda containers, so never use it
 * in a deployed function. It commits no DynamoDB writes, so it never parks events
 * (PUBLISHING): complete() and park() with writes throw.
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { AcquireRequest, AcquireResult, CompleteRequest, DedupeStore, DedupeStatus } from './dedupe-store.ts';

interface MemoryRecord {
  status: DedupeStatus;
  token: string;
  lockExpiresAtMs: number;
  expiresAtMs: number;
  processedAtMs: number;
}

export class InMemoryDedupeStore implements DedupeStore {
  readonly #records = new Map<string, MemoryRecord>();
  #nextToken = 0;

  async acquire(key: string, request: AcquireRequest): Promise<AcquireResult> {
    const held = this.#records.get(key);
    if (held?.status === 'COMPLETED' && held.expiresAtMs > request.nowMs) {
      return { outcome: 'completed', processedAtMs: held.processedAtMs, expiresAtMs: held.expiresAtMs };
    }
    if (held?.status === 'IN_PROGRESS' && held.lockExpiresAtMs >= request.nowMs) {
      return { outcome: 'in-progress', lockExpiresAtMs: held.lockExpiresAtMs };
    }
    const token = `mem-${++this.#nextToken}`;
    this.#records.set(key, {
      status: 'IN_PROGRESS',
      token,
      lockExpiresAtMs: request.lockExpiresAtMs,
      expiresAtMs: request.lockExpiresAtMs,
      processedAtMs: 0,
    });
    return { outcome: 'acquired', token };
  }

  async complete(key: string, token: string, request: CompleteRequest, writes?: readonly TransactWriteItem[]): Promise<boolean> {
    if (writes && writes.length > 0) refuseWrites(writes);
    const held = this.#records.get(key);
    if (held?.status !== 'IN_PROGRESS' || held.token !== token) return false;
    held.status = 'COMPLETED';
    held.processedAtMs = request.nowMs;
    held.expiresAtMs = request.expiresAtMs;
    return true;
  }

  async park(key: string, token: string, request: CompleteRequest, writes: readonly TransactWriteItem[]): Promise<boolean> {
    return refuseWrites(writes);
  }

  async release(key: string, token: string): Promise<void> {
    const held = this.#records.get(key);
    if (held?.status === 'IN_PROGRESS' && held.token === token) this.#records.delete(key);
  }

  /** Number of records held, expired or not (for tests of the pipeline's bookkeeping). */
  get size(): number {
    return this.#records.size;
  }
}

function refuseWrites(writes: readonly TransactWriteItem[]): never {
  throw new TypeError(
    `InMemoryDedupeStore cannot commit the handler's ${writes.length} DynamoDB write(s) (ctx.write) with its dedupe record: ` +
      'use DynamoDbDedupeStore, or a handler without ctx.write',
  );
}
