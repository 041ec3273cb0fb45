/**
 * ListQueues paging ("ListQueues - Amazon Simple Queue Service", SQS API reference; also used
 * by ListDeadLetterSourceQueues, whose page has the same rules and an empty prefix): without
 * MaxResults the answer holds at most 1,000 queues and no NextToken; with MaxResults (1–1000)
 * it holds at most that many, plus a NextToken when more queues match. The token is opaque to
 * clients; here it carries the prefix and the last name returned, and queues are listed in name
 * order, so a page boundary survives queues created or deleted between calls.
 */
import { invalidParameter } from './errors.ts';

export interface QueueListPage {
  readonly names: string[];
  readonly nextToken?: string;
}

export function listQueuePage(allNames: readonly string[], prefix: string, maxResults?: number, nextToken?: string): QueueListPage {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)) {
    throw invalidParameter(`Value ${maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`);
  }
  let after: string | undefined;
  if (nextToken !== undefined) {
    const token = decodeToken(nextToken);
    if (!token || token.prefix !== prefix) throw invalidParameter('Invalid NextToken value.');
    after = token.after;
  }
  const names = allNames.filter((n) => n.startsWith(prefix) && (after === undefined || n > after)).sort();
  const limit = maxResults ?? 1000;
  const page = names.slice(0, limit);
  const more = maxResults !== undefined && names.length > limit;
  return { names: page, ...(more && { nextToken: encodeToken({ prefix, after: page[page.length - 1]! }) }) };
}

function encodeToken(token: { prefix: string; after: string }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): { prefix: string; after: string } | undefined {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { prefix?: unknown; after?: unknown };
    return typeof token.prefix === 'string' && typeof token.after === 'string' ? { prefix: token.prefix, after: token.after } : undefined;
  } catch {
    return undefined;
  }
}
