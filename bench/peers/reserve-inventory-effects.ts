/**
 * The work of the reference reserve-inventory handler, written with the AWS SDK clients
 * directly as a Powertools team would: count the run on the order's Reservations item
 * (the same UpdateItem as functions/reserve-inventory.ts), then publish inventory.reserved on the flow's bus. Shared by the Powertools peers of
 * the cold-start bench so both do exactly this and nothing else.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

export interface OrderLine {
  readonly sku: string;
  readonly qty: number;
}

export interface ReserveInput {
  readonly orderId: string;
  readonly items: readonly OrderLine[];
  /** Envelope metadata of the incoming event, carried into the published one. */
  readonly eventId: string;
  readonly correlationId: string;
}

export class ReserveInventoryEffects {
  readonly dynamo = new DynamoDBClient({});
  readonly #events = new EventBridgeClient({});

  constructor(
    private readonly reservationsTable: string,
    private readonly busName: string,
  ) {}

  async reserve(input: ReserveInput): Promise<void> {
    await this.dynamo.send(
      new UpdateItemCommand({
        TableName: this.reservationsTable,
        Key: { orderId: { S: input.orderId } },
        UpdateExpression: 'ADD runs :one SET skus = :skus',
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':skus': { L: input.items.map((i) => ({ S: i.sku })) },
        },
      }),
    );
    const result = await this.#events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: 'shop.inventory',
            DetailType: 'inventory.reserved',
            Detail: JSON.stringify({
              metadata: { id: `${input.eventId}/inventory.reserved`, correlationId: input.correlationId, causationId: input.eventId, schemaVersion: 1, publishedAt: new Date().toISOString() },
              data: { orderId: input.orderId, items: input.items },
            }),
          },
        ],
      }),
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents rejected inventory.reserved for ${input.orderId}: ${result.Entries?.[0]?.ErrorCode}`);
  }
}
