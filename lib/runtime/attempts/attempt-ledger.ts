/**
 * Where the runtime counts a record's failed attempts, so that the count survives redelivery and
 * is not the SQS receive count: records an ordered batch or the timeout guard left untried come
 * back with a higher ApproximateReceiveCount although their handler never ran.
 *
 * One item per delivered message in the flow's table (the dedupe table: partition key `pk`),
 * written only when a record fails, with one UpdateItem that also answers the new tally:
 *
 *   pk             S  #attempts#<subscription>#<SQS message id>            (queue and ordered delivery)
 *                     #attempts#<subscription>#<request id>#<event id>     (direct: Lambda's async retries keep the request id)
 *   attempts       N  failed attempts so far
 *   firstFailedAt  N  epoch ms of the first failure
 *   lastFailedAt   N  epoch ms of the latest failure
 *   expiresAt      N  epoch s: TTL, 14 days after the latest failure (SQS's longest retention)
 *
 * A key starts with '#', which no dedupe key does (those start with the subscription's name).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadDynamoDbModule } from '../aws-clients.ts';

export interface AttemptTally {
  /** Failed attempts, this one included. */
  readonly attempts: number;
  readonly firstFailedAtMs: number;
  readonly lastFailedAtMs: number;
}

export interface AttemptLedger {
  /** Counts one more failed attempt under `key` and answers the tally. Rejects when the table cannot be reached. */
  recordFailure(key: string, nowMs: number): Promise<AttemptTally>;
}

const RETAIN_SECONDS = 14 * 24 * 3600;

export function dynamoDbAttemptLedger(tableName: string, client: () => Promise<DynamoDBClient>): AttemptLedger {
  return {
    async recordFailure(key, nowMs) {
      const [db, { UpdateItemCommand }] = await Promise.all([client(), loadDynamoDbModule()]);
      const out = await db.send(new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: key } },
        UpdateExpression: 'ADD attempts :one SET firstFailedAt = if_not_exists(firstFailedAt, :now), lastFailedAt = :now, expiresAt = :expiresAt',
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':now': { N: String(nowMs) },
          ':expiresAt': { N: String(Math.ceil(nowMs / 1000) + RETAIN_SECONDS) },
        },
        ReturnValues: 'ALL_NEW',
      }));
      const item = out.Attributes ?? {};
      return {
        attempts: Number(item['attempts']?.N ?? 1),
        firstFailedAtMs: Number(item['firstFailedAt']?.N ?? nowMs),
        lastFailedAtMs: nowMs,
      };
    },
  };
}
