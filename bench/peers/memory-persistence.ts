/**
 * Powertools idempotency over an in-memory store: the same store kind as Busline's
 * in-memory dedupe double, so the in-memory rows compare the two libraries' own work and
 * not a database. It keeps the semantics of Powertools' DynamoDB layer: the conditional
 * put fails while a live record exists (COMPLETED and unexpired, or IN_PROGRESS with an
 * unexpired in-progress lock) and hands back the existing record.
 */
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

export class MemoryPersistenceLayer extends BasePersistenceLayer {
  readonly #records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.#records.get(idempotencyKey);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#records.get(record.idempotencyKey);
    if (existing && !this.#replaceable(existing)) {
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        existing,
      );
    }
    this.#records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.#records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.#records.delete(record.idempotencyKey);
  }

  /** The DynamoDB layer's condition: absent, expired, or an IN_PROGRESS lock that lapsed. */
  #replaceable(existing: IdempotencyRecord): boolean {
    if (existing.isExpired()) return true;
    return (
      existing.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
      existing.inProgressExpiryTimestamp !== undefined &&
      existing.inProgressExpiryTimestamp < Date.now()
    );
  }
}
