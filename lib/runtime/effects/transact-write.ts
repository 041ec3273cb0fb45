/**
 * One TransactWriteItems call and what its failure means for a record's effects.
 */
import type { CancellationReason, DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { NonRetryableError } from '../errors.ts';
import { loadDynamoDbModule } from '../aws-clients.ts';

export type TransactOutcome =
  | { readonly committed: true }
  | { readonly committed: false; readonly reasons: readonly CancellationReason[] };

/**
 * Commits `items` as one transaction. Resolves `committed: false` with the reasons (one per
 * item, request order) when DynamoDB cancelled it; rejects with EffectsRejectedError when
 * DynamoDB refused the request itself (a ValidationException can never pass on retry), and
 * with the SDK error otherwise (network, throttling: retryable).
 */
export async function transactWrite(client: DynamoDBClient, items: readonly TransactWriteItem[]): Promise<TransactOutcome> {
  const sdk = await loadDynamoDbModule();
  try {
    await client.send(new sdk.TransactWriteItemsCommand({ TransactItems: [...items] }));
    return { committed: true };
  } catch (error) {
    if (error instanceof sdk.TransactionCanceledException) return { committed: false, reasons: error.CancellationReasons ?? [] };
    if (error instanceof Error && error.name === 'ValidationException') {
      throw new EffectsRejectedError(`DynamoDB refused the handler's writes: ${error.message}; none was applied`, { cause: error });
    }
    throw error;
  }
}

/**
 * The handler's declared writes were cancelled by one of their own conditions (or an item
 * error): none of them was applied. The record fails like a handler error and is retried.
 */
export class EffectsCanceledError extends Error {
  override readonly name = 'EffectsCanceledError';
  /** One entry per declared write, in ctx.write order. */
  readonly reasons: readonly CancellationReason[];
  constructor(reasons: readonly CancellationReason[]) {
    const failing = reasons
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.Code && r.Code !== 'None')
      .map(({ r, i }) => `write ${i + 1}: ${r.Code}${r.Message ? ` (${r.Message})` : ''}`);
    super(
      `the handler's DynamoDB writes were cancelled (none applied): ${failing.join('; ') || 'no reason given'}; ` +
        `the record is retried, then dead-lettered if its attempts run out`,
    );
    this.reasons = reasons;
  }
}

/** DynamoDB refused the declared writes as a request (ValidationException: bad expression, same item twice...). */
export class EffectsRejectedError extends NonRetryableError {
  override readonly name = 'EffectsRejectedError';
}
