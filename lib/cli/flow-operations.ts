/**
 * The operations on a running flow that every surface offers — the CLI commands, the local
 * dashboard's page and its MCP endpoint — written once here: describe the flow, status per
 * subscription, events and their lineage, why a rule matched or not, publish, dead letters
 * (list, show, redrive all or one with an edited payload) and archive replay. Each returns
 * plain data; the surfaces only render it.
 */
import { resolve } from 'node:path';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { StartReplayCommand } from '@aws-sdk/client-eventbridge';
import type { PublishedEvent, PublishMetadata } from '../runtime/publisher.ts';
import type { EventAcceptedRecord, JournalRecord } from '../local/journal/types.ts';
import { RuleMismatches } from '../local/journal/rule-mismatches.ts';
import { ruleVerdicts, type RuleVerdict } from '../local/journal/rule-verdicts.ts';
import type { FlowTarget, TargetSubscription } from './flow-target.ts';
import { parseDeadLetter, type DeadLetter } from './dead-letter.ts';
import { queueDepth } from './queue-depth.ts';
import { redrive, redriveMessage, type RedriveOptions, type RedriveResult } from './redrive.ts';
import { publishEvent } from './publish-event.ts';
import { buildLineage, type LineageFilter, type LineageNode } from './lineage.ts';
import { topicSchemas, validatePayload, PayloadInvalidError } from './schema-check.ts';
import type { JsonSchema } from '../schema/schema-set.ts';
import { dataFieldAt, dataFieldText, type DataFieldFilter } from './data-field.ts';
import { eventPiiMask, topicPiiPathsOf, type TopicPiiPaths } from '../schema/topic-pii.ts';
import { maskDeep } from '../runtime/pii-mask.ts';

export class OperationError extends Error {
  override readonly name = 'OperationError';
}

// ── the flow ────────────────────────────────────────────────────────────────────────────────

export interface FlowDescription {
  readonly target: string;
  readonly flows: readonly {
    readonly flow: string;
    readonly busName: string;
    readonly archive?: string;
    readonly topics: readonly { readonly name: string; readonly source: string; readonly versions: readonly number[]; readonly publishedBy: readonly string[]; readonly subscribedBy: readonly string[] }[];
    readonly subscriptions: readonly {
      readonly name: string; readonly topics: readonly string[]; readonly delivery: string; readonly filter?: unknown;
      readonly eventPattern: unknown; readonly publishes: readonly string[]; readonly maxAttempts: number;
      readonly rule?: string; readonly queue?: string; readonly dlq?: string; readonly deliveryDlq?: string; readonly function?: string; readonly tables: readonly string[];
    }[];
    readonly publishers: readonly { readonly name: string; readonly topics: readonly string[] }[];
  }[];
}

/** The flow as declared, joined with its physical resources; who publishes and who consumes each topic. */
export function describeFlow(target: FlowTarget): FlowDescription {
  return {
    target: target.description,
    flows: target.flows.map((f) => {
      const m = f.manifest;
      const subs = target.subscriptions.filter((s) => s.busName === f.busName);
      const publishedBy = (topic: string): string[] => [
        ...m.subscriptions.filter((s) => s.publishes.includes(topic)).map((s) => s.name),
        ...m.publishers.filter((p) => p.topics.includes(topic)).map((p) => p.name),
      ];
      return {
        flow: m.flow, busName: f.busName, ...(f.archive ? { archive: f.archive.name } : {}),
        topics: m.topics.map((t) => ({
          name: t.name, source: t.source, versions: t.versions, publishedBy: publishedBy(t.name),
          subscribedBy: m.subscriptions.filter((s) => s.topics.includes(t.name)).map((s) => s.name),
        })),
        subscriptions: subs.map((s) => ({
          name: s.name, topics: s.manifest.topics, delivery: s.manifest.delivery,
          ...(s.manifest.filter ? { filter: s.manifest.filter } : {}),
          eventPattern: s.manifest.eventPattern, publishes: s.manifest.publishes, maxAttempts: s.manifest.retry.maxAttempts,
          ...(s.rule ? { rule: s.rule.name } : {}), ...(s.queue ? { queue: s.queue.name } : {}),
          ...(s.dlq ? { dlq: s.dlq.name } : {}), ...(s.deliveryDlq ? { deliveryDlq: s.deliveryDlq.name } : {}), ...(s.function ? { function: s.function.name } : {}),
          tables: s.tables ?? [],
        })),
        publishers: m.publishers.map((p) => ({ name: p.name, topics: p.topics })),
      };
    }),
  };
}

/** A topic's newest schema, as a form or a validator needs it. */
export function topicSchema(target: FlowTarget, topic: string): { readonly version: number; readonly schema: JsonSchema } {
  const flow = target.flows.find((f) => f.manifest.topics.some((t) => t.name === topic));
  if (!flow) throw new PayloadInvalidError(`unknown topic "${topic}": the flow declares ${target.flows.flatMap((f) => f.manifest.topics.map((t) => t.name)).join(', ') || 'no topics'}`);
  return topicSchemas(resolve(target.projectDir, flow.manifest.schemasDir), topic).latest;
}

// ── status ──────────────────────────────────────────────────────────────────────────────────

export interface SubscriptionStatus {
  readonly name: string;
  /** Undefined for a subscription without a queue (direct delivery). */
  readonly queued?: number;
  readonly inFlight?: number;
  readonly oldestAgeSeconds?: number;
  /** Messages on its DLQs (an ordered subscription's delivery DLQ included); undefined without a DLQ. */
  readonly deadLettered?: number;
  /** Of those, on the delivery DLQ of an ordered subscription. */
  readonly deliveryDeadLettered?: number;
  readonly alarms: readonly { readonly name: string; readonly state: string }[];
}

export async function subscriptionStatuses(target: FlowTarget): Promise<SubscriptionStatus[]> {
  return Promise.all(target.subscriptions.map(async (s) => {
    const [q, age, d, dd, alarms] = await Promise.all([
      s.queue ? queueDepth(target.clients.sqs, s.queue) : undefined,
      s.queue ? target.oldestMessageAgeSeconds(s.queue) : undefined,
      s.dlq ? queueDepth(target.clients.sqs, s.dlq) : undefined,
      s.deliveryDlq ? queueDepth(target.clients.sqs, s.deliveryDlq) : undefined,
      target.alarmStates(s),
    ]);
    const delivery = dd ? dd.visible + dd.inFlight : undefined;
    return {
      name: s.name,
      ...(q ? { queued: q.visible, inFlight: q.inFlight } : {}),
      ...(age !== undefined ? { oldestAgeSeconds: age } : {}),
      ...(d ? { deadLettered: d.visible + d.inFlight + (delivery ?? 0) } : {}),
      ...(delivery !== undefined ? { deliveryDeadLettered: delivery } : {}),
      alarms,
    };
  }));
}

// ── events and lineage (the engine's journal) ─────────────────────────────────────────────

/** Where the engine's journal is, and how to name its physical resources. */
export interface JournalView {
  records(): readonly JournalRecord[];
  label(physicalName: string): string;
}

export interface EventSummary {
  readonly eventId: string;
  readonly id: string;
  readonly topic?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly at: string;
  readonly replayName?: string;
  readonly data?: unknown;
}

export interface EventSearch {
  readonly topic?: string;
  /** metadata.id or EventBridge's event id. */
  readonly id?: string;
  readonly correlationId?: string;
  /** Text found anywhere in the event's `data` (as JSON). */
  readonly text?: string;
  /** A field of `data` by its dot path and the value it must have (`data.userId=u-1`). */
  readonly dataField?: DataFieldFilter;
  /** The newest N (default 50). */
  readonly limit?: number;
}

export function summarizeEvent(e: EventAcceptedRecord): EventSummary {
  const detail = (e.event as { detail?: { data?: unknown } } | undefined)?.detail;
  return {
    eventId: e.eventId, id: e.metadataId ?? e.eventId, at: e.at,
    ...(e.topic !== undefined ? { topic: e.topic } : {}),
    ...(e.correlationId !== undefined ? { correlationId: e.correlationId } : {}),
    ...(e.causationId !== undefined ? { causationId: e.causationId } : {}),
    ...(e.replayName !== undefined ? { replayName: e.replayName } : {}),
    ...(detail && 'data' in detail ? { data: detail.data } : {}),
  };
}

/** Whether an event meets every given criterion of the search (its limit aside). */
export function eventMatches(e: EventSummary, search: EventSearch): boolean {
  if (search.topic !== undefined && e.topic !== search.topic) return false;
  if (search.id !== undefined && e.id !== search.id && e.eventId !== search.id) return false;
  if (search.correlationId !== undefined && e.correlationId !== search.correlationId) return false;
  if (search.text !== undefined && !JSON.stringify(e.data ?? null).toLowerCase().includes(search.text.toLowerCase())) return false;
  if (search.dataField !== undefined) {
    const value = dataFieldText(dataFieldAt(e.data, search.dataField.path));
    if (value === undefined || value !== search.dataField.equals) return false;
  }
  return true;
}

/** Accepted events matching every given criterion, newest first. */
export function searchEvents(journal: JournalView, search: EventSearch = {}): EventSummary[] {
  const found: EventSummary[] = [];
  const records = journal.records();
  for (let i = records.length - 1; i >= 0 && found.length < (search.limit ?? 50); i--) {
    const r = records[i]!;
    if (r.kind !== 'event.accepted') continue;
    const e = summarizeEvent(r);
    if (eventMatches(e, search)) found.push(e);
  }
  return found;
}

/** Lineage trees (events and what they caused), oldest first: the newest `last`. */
export function eventTrees(journal: JournalView, filter: LineageFilter = {}, last = 10): LineageNode[] {
  return buildLineage(journal.records(), filter).slice(-last);
}

/**
 * The lineage tree an event (metadata.id or event id) belongs to, from its root, each event's
 * steps including why the rules it did not match did not (worked out from the bus's rules as
 * the journal recorded them: RuleMismatches).
 */
export function lineageOf(journal: JournalView, id: string): LineageNode {
  const roots = buildLineage(withMismatches(journal.records()));
  const contains = (n: LineageNode): boolean => n.event.metadataId === id || n.event.eventId === id || n.children.some(contains);
  const root = roots.filter(contains).at(-1);
  if (!root) throw new OperationError(`no event with id ${id} in the journal`);
  return root;
}

/** The records with each event's `rule.unmatched` records right after it, as the engine's journal reader gives them. */
function withMismatches(records: readonly JournalRecord[]): JournalRecord[] {
  const mismatches = new RuleMismatches();
  const out: JournalRecord[] = [];
  for (const r of records) {
    mismatches.observe(r);
    out.push(r);
    if (r.kind === 'event.accepted') out.push(...mismatches.of(r));
  }
  return out;
}

export type { RuleVerdict } from '../local/journal/rule-verdicts.ts';

/** Each rule of the event's bus on its newest acceptance, matched or not, with the reason (ruleVerdicts). */
export function explainMatch(journal: JournalView, id: string): { readonly event: EventSummary; readonly rules: readonly RuleVerdict[] } {
  const verdicts = ruleVerdicts(journal.records(), id, { subscriptionOf: journal.label });
  if (!verdicts) throw new OperationError(`no event with id ${id} in the journal`);
  return { event: summarizeEvent(verdicts.accepted), rules: verdicts.rules };
}

// ── publish ─────────────────────────────────────────────────────────────────────────────────

/** Validates `data` against the topic's newest schema and publishes it (PayloadInvalidError: nothing sent). */
export function publish(target: FlowTarget, topic: string, data: unknown, metadata: PublishMetadata = {}): Promise<PublishedEvent> {
  return publishEvent({ flows: target.flows, projectDir: target.projectDir, client: target.clients.events, kmsClient: target.clients.kms, topic, data, metadata });
}

// ── dead letters ───────────────────────────────────────────────────────────────────────────

export interface DeadLetterView extends DeadLetter {
  /** The DLQ it is on: the subscription's, or an ordered subscription's delivery DLQ. */
  readonly queue: string;
  readonly body: string;
  readonly topic?: string;
  /** The event's metadata.id, else its EventBridge id. */
  readonly eventId?: string;
}

export interface DeadLetterQueueView {
  readonly subscription: string;
  readonly queue: string;
  /** An ordered subscription's delivery DLQ (the rule target's), beside its own. */
  readonly delivery: boolean;
  /** Visible + in-flight messages. */
  readonly messages: number;
}

/** Every DLQ of the flow with its depth: each subscription's, then an ordered subscription's delivery DLQ. */
export async function deadLetterQueues(target: FlowTarget): Promise<DeadLetterQueueView[]> {
  const rows = await Promise.all(target.subscriptions.map(async (s) => {
    const dlqs = [s.dlq && { queue: s.dlq, delivery: false }, s.deliveryDlq && { queue: s.deliveryDlq, delivery: true }].filter((d) => !!d);
    return Promise.all(dlqs.map(async ({ queue, delivery }) => {
      const depth = await queueDepth(target.clients.sqs, queue);
      return { subscription: s.name, queue: queue.name, delivery, messages: depth.visible + depth.inFlight };
    }));
  }));
  return rows.flat();
}

function dlqOf(target: FlowTarget, name: string): TargetSubscription & { readonly dlq: NonNullable<TargetSubscription['dlq']> } {
  const sub = target.subscription(name);
  if (!sub.dlq) throw new OperationError(`subscription ${sub.name} has no dead-letter queue`);
  return sub as TargetSubscription & { readonly dlq: NonNullable<TargetSubscription['dlq']> };
}

export function viewDeadLetter(m: Message, queue: string): DeadLetterView {
  const letter = parseDeadLetter(m);
  const detail = letter.event?.detail as { metadata?: { id?: string } } | undefined;
  const eventId = detail?.metadata?.id ?? (typeof letter.event?.id === 'string' ? letter.event.id : undefined);
  const topic = letter.event?.['detail-type'];
  return { ...letter, queue, body: m.Body ?? '', ...(typeof topic === 'string' ? { topic } : {}), ...(eventId !== undefined ? { eventId } : {}) };
}

/**
 * Up to `max` (1–10) messages of a subscription's DLQ, then of its delivery DLQ (ordered
 * delivery), read without hiding them (VisibilityTimeout 0; each peek counts as a receive, as
 * on AWS).
 */
export async function peekDeadLetters(target: FlowTarget, subscription: string, max = 10): Promise<DeadLetterView[]> {
  const sub = dlqOf(target, subscription);
  const letters: DeadLetterView[] = [];
  for (const dlq of sub.deliveryDlq ? [sub.dlq, sub.deliveryDlq] : [sub.dlq]) {
    const want = Math.max(1, Math.min(10, max)) - letters.length;
    if (want < 1) break;
    const out = await target.clients.sqs.send(new ReceiveMessageCommand({
      QueueUrl: dlq.url, MaxNumberOfMessages: want, VisibilityTimeout: 0,
      MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    letters.push(...(out.Messages ?? []).map((m) => viewDeadLetter(m, dlq.name)));
  }
  const pii = topicPiiPathsOf(target.flows.map((f) => f.manifest));
  return letters.map((letter) => maskedDeadLetter(letter, pii));
}

/**
 * A dead letter as shown to people and tools (`dlq show`, the dashboard, MCP): the PII values of
 * its event (fields its topic's schema marks, lib/schema/topic-pii.ts) masked wherever they
 * appear in it, its body, event, reason, attributes and history. Redrives read the queue
 * themselves and send the event as stored.
 */
export function maskedDeadLetter(letter: DeadLetterView, pii: TopicPiiPaths): DeadLetterView {
  const mask = eventPiiMask(letter.event, pii);
  if (!mask) return letter;
  const { event, body, reason, attributes, history } = letter;
  return { ...letter, ...maskDeep({ event, body, reason, attributes, history }, mask) };
}

/** Every dead letter (both DLQs of an ordered subscription) back to its subscription (a move task, or one by one at `rate` a second). */
export function redriveAll(target: FlowTarget, subscription: string, options: RedriveOptions = {}): Promise<RedriveResult> {
  return redrive(target.clients, dlqOf(target, subscription), options);
}

/**
 * One dead letter back to its subscription; with `data`, its payload replaced first, after
 * validating it against the newest schema of the event's topic (PayloadInvalidError: nothing sent).
 */
export async function redriveDeadLetter(target: FlowTarget, subscription: string, messageId: string, data?: unknown): Promise<void> {
  const sub = dlqOf(target, subscription);
  if (data !== undefined) {
    const topic = sub.manifest.topics.length === 1 ? sub.manifest.topics[0]! : undefined;
    const letter = (await peekDeadLetters(target, subscription)).find((l) => l.messageId === messageId);
    const of = letter?.topic ?? topic;
    if (of === undefined) throw new OperationError(`cannot tell the topic of message ${messageId} to validate its new payload`);
    const { version, schema } = topicSchema(target, of);
    validatePayload(schema, of, version, data);
  }
  await redriveMessage(target.clients, sub, messageId, data);
}

// ── replay ──────────────────────────────────────────────────────────────────────────────────

export interface ReplayRequest {
  readonly from: Date;
  readonly to: Date;
  /** Only to this subscription's rule (Destination.FilterArns). */
  readonly subscription?: string;
}

export interface ReplayStarted {
  readonly replayName: string;
  readonly state: string;
  readonly busName: string;
  readonly from: Date;
  readonly to: Date;
  readonly subscription?: string;
}

/** Starts an EventBridge replay of the flow's archive (StartReplay). */
export async function startReplay(target: FlowTarget, request: ReplayRequest): Promise<ReplayStarted> {
  const { from, to } = request;
  if (from >= to) throw new OperationError(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
  const sub = request.subscription !== undefined ? target.subscription(request.subscription) : undefined;
  const flow = sub ? target.flows.find((f) => f.busName === sub.busName) : target.flows[0];
  if (!flow?.archive) throw new OperationError(`the bus ${flow?.busName ?? '(none)'} has no archive to replay from`);
  if (sub && !sub.rule) throw new OperationError(`subscription ${sub.name} has no rule to replay to`);
  const replayName = `busline-${Date.now()}`;
  const out = await target.clients.events.send(new StartReplayCommand({
    ReplayName: replayName, EventSourceArn: flow.archive.arn, EventStartTime: from, EventEndTime: to,
    Destination: { Arn: flow.busArn, ...(sub?.rule ? { FilterArns: [sub.rule.arn] } : {}) },
  }));
  return { replayName, state: out.State ?? 'STARTED', busName: flow.busName, from, to, ...(sub ? { subscription: sub.name } : {}) };
}

// ── counters (the engine's journal) ────────────────────────────────────────────────────────

export interface SubscriptionCounters {
  /** Events its rule matched. */
  readonly matched: number;
  /** Handler runs that succeeded / failed (each failed attempt counts). */
  readonly ok: number;
  readonly failed: number;
  /** Messages received again after a failed attempt. */
  readonly retried: number;
  /** Messages put on its DLQ. */
  readonly deadLettered: number;
}

/** Per subscription name, what the journal counted so far. */
export function subscriptionCounters(target: FlowTarget, journal: JournalView): Record<string, SubscriptionCounters> {
  const counts = new Map<string, { matched: number; ok: number; failed: number; retried: number; deadLettered: number }>();
  const byPhysical = new Map<string, string>();
  for (const s of target.subscriptions) {
    counts.set(s.name, { matched: 0, ok: 0, failed: 0, retried: 0, deadLettered: 0 });
    for (const physical of [s.rule?.name, s.function?.name, s.queue?.name]) if (physical) byPhysical.set(physical, s.name);
    for (const dlq of [s.dlq, s.deliveryDlq]) if (dlq) byPhysical.set(`dlq:${dlq.name}`, s.name);
  }
  const of = (physical: string): ReturnType<typeof counts.get> => counts.get(byPhysical.get(physical) ?? '');
  for (const r of journal.records()) {
    switch (r.kind) {
      case 'rule.matched': { const c = of(r.rule); if (c) c.matched++; break; }
      case 'invocation.finished': { const c = of(r.functionName); if (c) { if (r.outcome === 'success') c.ok++; else c.failed++; } break; }
      case 'delivery.received': { const c = of(r.queue); if (c && r.receiveCount > 1) c.retried++; break; }
      case 'delivery.enqueued': { const c = of(`dlq:${r.queue}`); if (c) c.deadLettered++; break; }
      default: break;
    }
  }
  return Object.fromEntries(counts);
}
