/** The dashboard's JSON API (lib/cli/dashboard/dashboard-api.ts), typed as the page uses it. */

export interface TopicView { name: string; source: string; versions: number[]; publishedBy: string[]; subscribedBy: string[] }
export interface SubscriptionView {
  name: string; topics: string[]; delivery: string; filter?: unknown; eventPattern: unknown; publishes: string[];
  maxAttempts: number; rule?: string; queue?: string; dlq?: string; function?: string; tables: string[];
}
export interface FlowView { flow: string; busName: string; archive?: string; topics: TopicView[]; subscriptions: SubscriptionView[]; publishers: { name: string; topics: string[] }[] }
export interface FlowDescription { target: string; flows: FlowView[] }
export interface Counters { matched: number; ok: number; failed: number; retried: number; deadLettered: number }
export interface Status { name: string; queued?: number; inFlight?: number; oldestAgeSeconds?: number; deadLettered?: number }
export interface EventSummary { eventId: string; id: string; topic?: string; correlationId?: string; causationId?: string; at: string; replayName?: string; data?: unknown }
export interface LineageTree { event: EventSummary; steps: { at: string; kind: string; text: string; logs?: string[] }[]; caused: LineageTree[] }
export interface RuleVerdict { rule: string; subscription: string; matched: boolean; reason?: string }
export interface DeadLetter {
  messageId: string; kind: string; reason: string; attempts?: number; body: string; topic?: string; eventId?: string;
  event?: { detail?: { data?: unknown } }; history: { redrivenAt: string; kind: string; reason: string }[];
}
export interface JsonSchema { type?: string; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; examples?: unknown[]; default?: unknown; description?: string }

export class ApiError extends Error {}

async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json() as T & { error?: string };
  if (!res.ok) throw new ApiError(json.error ?? `${res.status} ${res.statusText}`);
  return json;
}

const q = (params: Record<string, string | undefined>): string =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1])).toString();

export const api = {
  flow: () => call<FlowDescription>('/api/flow'),
  status: () => call<{ subscriptions: Status[]; counters: Record<string, Counters> }>('/api/status'),
  events: (search: { topic?: string; id?: string; correlationId?: string; text?: string; where?: string }) => call<{ events: EventSummary[] }>(`/api/events?${q(search)}`),
  lineage: (id: string) => call<LineageTree>(`/api/lineage?${q({ id })}`),
  explain: (id: string) => call<{ rules: RuleVerdict[] }>(`/api/explain?${q({ id })}`),
  schema: (topic: string) => call<{ version: number; schema: JsonSchema }>(`/api/schema?${q({ topic })}`),
  deadLetters: (subscription: string) => call<{ messages: DeadLetter[] }>(`/api/dead-letters?${q({ subscription })}`),
  validate: (topic: string, data: unknown) => call<{ valid: boolean; problems: string[] }>('/api/validate', { topic, data }),
  publish: (topic: string, data: unknown) => call<{ id: string; correlationId: string }>('/api/publish', { topic, data }),
  redrive: (subscription: string, messageIds?: string[], data?: unknown, rate?: number) =>
    call<{ redriven?: number }>('/api/redrive', { subscription, ...(messageIds ? { messageIds } : {}), ...(data !== undefined ? { data } : {}), ...(rate ? { rate } : {}) }),
  replay: (from: string, to: string, subscription?: string) => call<{ replayName: string }>('/api/replay', { from, to, ...(subscription ? { subscription } : {}) }),
};
