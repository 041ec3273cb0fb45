/**
 * The page's JSON API under /api (the flow operations of lib/cli/flow-operations.ts, as the MCP
 * tools call them) and its live feed: /api/stream sends server-sent events — `event` for each
 * event the bus accepts, `counters` when the subscriptions' counters change.
 *
 *   GET  /api/flow                      describeFlow
 *   GET  /api/status                    status and counters per subscription
 *   GET  /api/events?topic&id&correlationId&text&where (where: data.<path>=<value>)
 *   GET  /api/lineage?id                the event's lineage tree
 *   GET  /api/explain?id                each rule's verdict
 *   GET  /api/schema?topic              the topic's newest schema
 *   GET  /api/dead-letters?subscription
 *   POST /api/validate {topic, data}    the violations, or none
 *   POST /api/publish {topic, data, id?, correlationId?}
 *   POST /api/redrive {subscription, messageIds?: [...], data?, rate?}   listed ones (data: edited, one), else all
 *   POST /api/replay {from, to?, subscription?}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  describeFlow, explainMatch, lineageOf, peekDeadLetters, redriveAll, redriveDeadLetter, searchEvents,
  startReplay, subscriptionCounters, subscriptionStatuses, summarizeEvent, topicSchema,
} from '../flow-operations.ts';
import { validatePayload, PayloadInvalidError } from '../schema-check.ts';
import { parseTime } from '../time-option.ts';
import { parseDataFieldFilter } from '../data-field.ts';
import { lineageTree } from './mcp-tools.ts';
import { sendJson } from './dashboard-server.ts';
import { publishAndSee, type DashboardContext } from './dashboard-context.ts';
import { lastSeqOf, recordsAfter } from '../journal-file.ts';

/** Bad input from the page: answered 400 with the reason. */
class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

const MAX_BODY_BYTES = 1_000_000;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequestError(`the request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try { body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'); } catch (error) { throw new BadRequestError(`the body is not JSON: ${(error as Error).message}`); }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new BadRequestError(`${field} is required (a string)`);
  return value;
}

function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined || value === '' ? undefined : text(value, field);
}

function time(value: string): Date {
  try { return parseTime(value); } catch (error) { throw new BadRequestError((error as Error).message); }
}

function query(url: URL, name: string): string | undefined {
  return url.searchParams.get(name) || undefined;
}

/** The user's mistakes (400) apart from the engine's failures (500). */
const USER_ERRORS = new Set(['BadRequestError', 'DataFieldFilterError', 'PayloadInvalidError', 'OperationError', 'UnknownSubscriptionError', 'RedriveError']);

export function dashboardApi(context: DashboardContext): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const { target, journal } = context;
  return async (req, res, url) => {
    if (!url.pathname.startsWith('/api/')) return false;
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    if (route === 'GET /api/stream') { stream(req, res); return true; }
    try {
      const answer = await handle(route, req, url);
      if (answer === undefined) return false;
      sendJson(res, 200, answer);
    } catch (error) {
      const e = error as Error;
      sendJson(res, USER_ERRORS.has(e.name) ? 400 : 500, { error: e.message, type: e.name });
    }
    return true;
  };

  async function handle(route: string, req: IncomingMessage, url: URL): Promise<unknown> {
    switch (route) {
      case 'GET /api/flow': return describeFlow(target);
      case 'GET /api/status': return { subscriptions: await subscriptionStatuses(target), counters: subscriptionCounters(target, journal) };
      case 'GET /api/events': {
        const [topic, id, correlationId, q, where] = ['topic', 'id', 'correlationId', 'text', 'where'].map((n) => query(url, n));
        const dataField = where === undefined ? undefined : parseDataFieldFilter(where);
        return { events: searchEvents(journal, { ...(topic ? { topic } : {}), ...(id ? { id } : {}), ...(correlationId ? { correlationId } : {}), ...(q ? { text: q } : {}), ...(dataField ? { dataField } : {}) }) };
      }
      case 'GET /api/lineage': return lineageTree(lineageOf(journal, text(query(url, 'id'), 'id')), journal.label);
      case 'GET /api/explain': return explainMatch(journal, text(query(url, 'id'), 'id'));
      case 'GET /api/schema': return topicSchema(target, text(query(url, 'topic'), 'topic'));
      case 'GET /api/dead-letters': {
        const subscription = text(query(url, 'subscription'), 'subscription');
        return { subscription, messages: await peekDeadLetters(target, subscription) };
      }
      case 'POST /api/validate': {
        const body = await readBody(req);
        const topic = text(body.topic, 'topic');
        const { version, schema } = topicSchema(target, topic);
        try {
          validatePayload(schema, topic, version, body.data);
          return { valid: true, problems: [] };
        } catch (error) {
          if (!(error instanceof PayloadInvalidError)) throw error;
          return { valid: false, problems: error.message.split('\n').slice(1).map((l) => l.trim()) };
        }
      }
      case 'POST /api/publish': {
        const body = await readBody(req);
        const topic = text(body.topic, 'topic');
        const id = optionalText(body.id, 'id');
        const correlationId = optionalText(body.correlationId, 'correlationId');
        return publishAndSee(context, topic, body.data, { ...(id ? { id } : {}), ...(correlationId ? { correlationId } : {}) });
      }
      case 'POST /api/redrive': {
        const body = await readBody(req);
        const subscription = text(body.subscription, 'subscription');
        const rate = body.rate === undefined ? undefined : Number(body.rate);
        if (body.messageIds === undefined) return redriveAll(target, subscription, { oneByOne: true, ...(rate !== undefined ? { rate } : {}) });
        if (!Array.isArray(body.messageIds) || body.messageIds.some((m) => typeof m !== 'string')) throw new BadRequestError('messageIds must be a list of message ids');
        const ids = body.messageIds as string[];
        if (body.data !== undefined && ids.length !== 1) throw new BadRequestError('an edited payload redrives exactly one message');
        // One at a time at `rate` a second (default 10), as the CLI's one-by-one redrive.
        const gapMs = 1000 / (rate !== undefined && rate > 0 ? rate : 10);
        for (const [i, id] of ids.entries()) {
          if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
          await redriveDeadLetter(target, subscription, id, body.data);
        }
        return { redriven: ids.length, skipped: [] };
      }
      case 'POST /api/replay': {
        const body = await readBody(req);
        const subscription = optionalText(body.subscription, 'subscription');
        return startReplay(target, {
          from: time(text(body.from, 'from')), to: time(optionalText(body.to, 'to') ?? 'now'), ...(subscription ? { subscription } : {}),
        });
      }
      default: return undefined;
    }
  }

  function stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // A seq, not an index: retention may rewrite the journal without its oldest records.
    let seen = lastSeqOf(journal.records());
    let counters = '';
    const send = (): void => {
      const records = journal.records();
      const fresh = recordsAfter(records, seen);
      for (const r of fresh) {
        if (r.kind === 'event.accepted') res.write(`event: event\ndata: ${JSON.stringify(summarizeEvent(r))}\n\n`);
      }
      if (fresh.length > 0 || counters === '') {
        const next = JSON.stringify(subscriptionCounters(target, journal));
        if (next !== counters) res.write(`event: counters\ndata: ${next}\n\n`);
        counters = next;
      }
      seen = Math.max(seen, lastSeqOf(records));
    };
    send();
    const timer = setInterval(send, 250);
    req.on('close', () => clearInterval(timer));
  }
}
