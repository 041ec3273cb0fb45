/**
 * The dashboard's MCP server: the flow operations (lib/cli/flow-operations.ts) as MCP tools,
 * so an assistant does what the page and the CLI do, with the same code. Each tool answers
 * JSON (as text, and as structured content); a refused action answers `isError` with the
 * reason, and nothing was done.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  deadLetterQueues, describeFlow, explainMatch, lineageOf, peekDeadLetters, redriveAll, redriveDeadLetter, searchEvents,
  startReplay, subscriptionStatuses, summarizeEvent,
} from '../flow-operations.ts';
import type { LineageNode } from '../lineage.ts';
import { describeStep } from '../lineage.ts';
import { renderLogLine } from '../log-line.ts';
import { parseTime } from '../time-option.ts';
import { parseDataFieldFilter } from '../data-field.ts';
import { publishAndSee, type DashboardContext } from './dashboard-context.ts';

export const MCP_TOOL_NAMES = [
  'describe_flow', 'flow_status', 'search_events', 'get_lineage', 'explain_match', 'publish_event',
  'list_dead_letters', 'show_dead_letters', 'redrive_dead_letters', 'redrive_dead_letter', 'replay_archive',
] as const;

function answer(value: unknown): CallToolResult {
  const json = JSON.parse(JSON.stringify(value)) as unknown;
  return {
    content: [{ type: 'text', text: JSON.stringify(json, null, 2) }],
    ...(json !== null && typeof json === 'object' && !Array.isArray(json) ? { structuredContent: json as Record<string, unknown> } : {}),
  };
}

async function attempt(action: () => unknown): Promise<CallToolResult> {
  try {
    return answer(await action());
  } catch (error) {
    const e = error as Error;
    return { isError: true, content: [{ type: 'text', text: `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` }] };
  }
}

/** A lineage tree as plain data: each event with its steps in words and the events it caused. */
export interface LineageTree {
  readonly event: ReturnType<typeof summarizeEvent>;
  readonly steps: readonly { readonly at: string; readonly kind: string; readonly text: string; readonly logs?: readonly string[] }[];
  readonly caused: readonly LineageTree[];
}

export function lineageTree(node: LineageNode, label: (name: string) => string): LineageTree {
  return {
    event: summarizeEvent(node.event),
    steps: node.steps.flatMap((s) => {
      const text = describeStep(s, label);
      if (text === undefined) return [];
      // As `busline events` shows them: metric lines left out, fields equal to the event's not repeated.
      const shown = { topic: node.event.topic, eventId: node.event.metadataId ?? node.event.eventId, correlationId: node.event.correlationId };
      const logs = s.kind === 'invocation.finished' ? (s.logs ?? []).flatMap((l) => renderLogLine(l, shown) ?? []) : undefined;
      return [{ at: s.at, kind: s.kind, text, ...(logs?.length ? { logs } : {}) }];
    }),
    caused: node.children.map((c) => lineageTree(c, label)),
  };
}

export function createMcpServer(context: DashboardContext): McpServer {
  const { target, journal } = context;
  const server = new McpServer({ name: 'busline', version: '1' });
  const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool('describe_flow', {
    description: "The flow: its topics (who publishes and who consumes each), subscriptions with their rule's event pattern, delivery, queue, DLQ, function and tables, and other publishers.",
    annotations: readOnly,
  }, () => attempt(() => describeFlow(target)));

  server.registerTool('flow_status', {
    description: 'Per subscription: messages queued and in flight, the oldest message age in seconds, messages dead-lettered, alarm states.',
    annotations: readOnly,
  }, () => attempt(async () => ({ subscriptions: await subscriptionStatuses(target) })));

  server.registerTool('search_events', {
    description: 'Events the bus accepted, newest first, filtered by topic, id (metadata.id or event id), correlation id, text in their data and a field of their data.',
    inputSchema: {
      topic: z.string().optional(), id: z.string().optional(), correlationId: z.string().optional(),
      text: z.string().optional().describe('found anywhere in the event data (JSON), case-insensitive'),
      dataField: z.string().optional().describe('data.<path>=<value>, e.g. data.userId=u-1 or data.address.city=Oslo: a string field equals the value, any other field its JSON (data.total=40, data.vip=true)'),
      limit: z.number().int().min(1).max(500).optional(),
    },
    annotations: readOnly,
  }, ({ dataField, ...search }) => attempt(() => ({
    events: searchEvents(journal, { ...search, ...(dataField !== undefined ? { dataField: parseDataFieldFilter(dataField) } : {}) }),
  })));

  server.registerTool('get_lineage', {
    description: 'The lineage of an event: from the first event of its chain, every rule it matched or not, its deliveries and handler runs (with log lines), and the events each run published, recursively.',
    inputSchema: { id: z.string().describe("the event's metadata.id or EventBridge id") },
    annotations: readOnly,
  }, ({ id }) => attempt(() => lineageTree(lineageOf(journal, id), journal.label)));

  server.registerTool('explain_match', {
    description: "Why each rule of the bus matched an event or did not (the pattern engine's explanation).",
    inputSchema: { id: z.string().describe("the event's metadata.id or EventBridge id") },
    annotations: readOnly,
  }, ({ id }) => attempt(() => explainMatch(journal, id)));

  server.registerTool('publish_event', {
    description: "Publishes an event to the flow's bus after validating its data against the topic's newest schema (an invalid payload is refused, nothing sent).",
    inputSchema: {
      topic: z.string(), data: z.unknown().describe('the event data'),
      id: z.string().optional().describe('metadata.id (default: a new UUID)'), correlationId: z.string().optional(),
    },
    annotations: { destructiveHint: false, openWorldHint: false },
  }, ({ topic, data, id, correlationId }) => attempt(() => publishAndSee(context, topic, data, { ...(id ? { id } : {}), ...(correlationId ? { correlationId } : {}) })));

  server.registerTool('list_dead_letters', {
    description: "Each subscription's dead-letter queue (and an ordered subscription's delivery DLQ, delivery: true) with how many messages it holds.",
    annotations: readOnly,
  }, () => attempt(async () => ({ queues: await deadLetterQueues(target) })));

  server.registerTool('show_dead_letters', {
    description: "Up to 10 messages of a subscription's dead-letter queue, each with its kind, reason, attempts, redrive history and original event (read without hiding them).",
    inputSchema: { subscription: z.string(), max: z.number().int().min(1).max(10).optional() },
    annotations: readOnly,
  }, ({ subscription, max }) => attempt(async () => ({ subscription, messages: await peekDeadLetters(target, subscription, max) })));

  server.registerTool('redrive_dead_letters', {
    description: "Sends every message of a subscription's dead-letter queue back to exactly that subscription, at `rate` messages a second.",
    inputSchema: { subscription: z.string(), rate: z.number().positive().max(500).optional(), oneByOne: z.boolean().optional() },
    annotations: { destructiveHint: false, openWorldHint: false },
  }, ({ subscription, rate, oneByOne }) => attempt(() => redriveAll(target, subscription, { ...(rate !== undefined ? { rate } : {}), ...(oneByOne !== undefined ? { oneByOne } : {}) })));

  server.registerTool('redrive_dead_letter', {
    description: "Sends one dead letter back to its subscription; with `data`, its payload is replaced first, after validation against the topic's newest schema.",
    inputSchema: { subscription: z.string(), messageId: z.string(), data: z.unknown().optional().describe('the corrected event data') },
    annotations: { destructiveHint: false, openWorldHint: false },
  }, ({ subscription, messageId, data }) => attempt(async () => {
    await redriveDeadLetter(target, subscription, messageId, data);
    return { subscription, messageId, redriven: true, edited: data !== undefined };
  }));

  server.registerTool('replay_archive', {
    description: "Replays the archived events of a time range to every rule of the bus, or only to one subscription's rule (EventBridge StartReplay).",
    inputSchema: {
      from: z.string().describe('ISO-8601, or a duration ago: 15m, 2h, 1d'), to: z.string().optional().describe('default: now'),
      subscription: z.string().optional(),
    },
    annotations: { destructiveHint: false, openWorldHint: false },
  }, ({ from, to, subscription }) => attempt(() => startReplay(target, {
    from: parseTime(from), to: parseTime(to ?? 'now'), ...(subscription ? { subscription } : {}),
  })));

  return server;
}
