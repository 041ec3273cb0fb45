/**
 * What a successful DynamoDB write request committed, item by item: the table, the operation,
 * the item's primary key and a digest of the item's part of the request. The engine journals it
 * (`table.written`) so a reader can tell which items were written, how often, and whether two
 * writes were the same one (`busline soak` counts a handler's effects from it).
 */
import { createHash } from 'node:crypto';
import type { TableWrittenRecord, WrittenItem } from '../journal/types.ts';

export type WriteAction = TableWrittenRecord['action'];

const WRITE_ACTIONS: ReadonlySet<string> = new Set<WriteAction>(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** True for the actions that change items. */
export function isWriteAction(operation: string): operation is WriteAction {
  return WRITE_ACTIONS.has(operation);
}

/** Key attribute names of a table, in key-schema order (hash first). */
export type KeyNamesOf = (table: string) => Promise<readonly string[]>;

type AttributeMap = Readonly<Record<string, unknown>>;
interface Request {
  readonly TableName?: string;
  readonly Item?: AttributeMap;
  readonly Key?: AttributeMap;
}

/**
 * The items a write request committed. `output` is the action's answer (a batch's
 * `UnprocessedItems` were not written). A `ConditionCheck` of a transaction writes nothing.
 */
export async function committedItems(action: WriteAction, input: unknown, output: Readonly<Record<string, unknown>>, keyNamesOf: KeyNamesOf): Promise<WrittenItem[]> {
  const request = (input ?? {}) as Request & { readonly TransactItems?: unknown; readonly RequestItems?: unknown };
  const parts: Array<{ table: string; op: WrittenItem['op']; request: Request; attributes: AttributeMap }> = [];
  const add = (op: WrittenItem['op'], r: Request | undefined): void => {
    const attributes = op === 'Put' ? r?.Item : r?.Key;
    if (typeof r?.TableName === 'string' && attributes) parts.push({ table: r.TableName, op, request: r, attributes });
  };
  if (action === 'PutItem') add('Put', request);
  else if (action === 'UpdateItem') add('Update', request);
  else if (action === 'DeleteItem') add('Delete', request);
  else if (action === 'TransactWriteItems') {
    for (const item of Array.isArray(request.TransactItems) ? request.TransactItems as Array<Record<string, Request | undefined>> : []) {
      if (item.Put) add('Put', item.Put);
      else if (item.Update) add('Update', item.Update);
      else if (item.Delete) add('Delete', item.Delete);
    }
  } else {
    const unprocessed = new Set(batchEntries(output.UnprocessedItems).map((e) => JSON.stringify(e)));
    for (const entry of batchEntries(request.RequestItems)) {
      if (unprocessed.has(JSON.stringify(entry))) continue;
      if (entry.request.PutRequest) add('Put', { TableName: entry.table, Item: entry.request.PutRequest.Item });
      else if (entry.request.DeleteRequest) add('Delete', { TableName: entry.table, Key: entry.request.DeleteRequest.Key });
    }
  }
  const items: WrittenItem[] = [];
  for (const part of parts) {
    const names = await keyNamesOf(part.table);
    const key = JSON.stringify(Object.fromEntries(names.map((n) => [n, part.attributes[n]])));
    const digest = createHash('sha256').update(JSON.stringify(part.request)).digest('hex').slice(0, 16);
    items.push({ table: part.table, op: part.op, key, digest });
  }
  return items;
}

interface BatchEntry {
  readonly table: string;
  readonly request: { readonly PutRequest?: { readonly Item?: AttributeMap }; readonly DeleteRequest?: { readonly Key?: AttributeMap } };
}

function batchEntries(requestItems: unknown): BatchEntry[] {
  if (typeof requestItems !== 'object' || requestItems === null) return [];
  return Object.entries(requestItems as Record<string, unknown>).flatMap(([table, list]) =>
    Array.isArray(list) ? list.map((request) => ({ table, request: request as BatchEntry['request'] })) : []);
}
