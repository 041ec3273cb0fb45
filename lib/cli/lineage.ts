/**
 * Lineage from the journal: events linked by causation (an event published while handling
 * another carries metadata.causationId = that event's metadata.id), each with the steps that
 * happened to it (rules matched and not matched, deliveries, invocations and their logs, the
 * writes its handlers committed: committed-writes.ts).
 * The rules an event did not match are not journaled: they are worked out for the events shown
 * (lib/local/journal/rule-mismatches.ts).
 */
import type { AccessDeniedRecord, ChaosFaultRecord, EventAcceptedRecord, JournalRecord } from '../local/journal/types.ts';
import { renderLogLine } from './log-line.ts';
import { describeWrites, eventWrites } from './committed-writes.ts';

export interface LineageNode {
  readonly event: EventAcceptedRecord;
  readonly steps: JournalRecord[];
  readonly children: LineageNode[];
}

export interface LineageFilter {
  readonly correlationId?: string;
  readonly topic?: string;
  /** Only trees containing one of these events (EventBridge ids). */
  readonly eventIds?: ReadonlySet<string>;
}

/**
 * Builds the trees; roots are events without a known cause, oldest first. One pass in journal
 * order: a step belongs to the latest acceptance of its event id before it, so a replayed event
 * (same id as the original, on AWS too) gets its own node with its own steps.
 */
export function buildLineage(records: readonly JournalRecord[], filter: LineageFilter = {}): LineageNode[] {
  const all: LineageNode[] = [];
  const current = new Map<string, LineageNode>();
  const byMetadataId = new Map<string, LineageNode>();
  /** The latest acceptance of each metadata.id (a redrive or replay is a new acceptance). */
  const currentByMetadataId = new Map<string, LineageNode>();
  const eventByMessage = new Map<string, string>();
  const refusedPublishes: ChaosFaultRecord[] = [];
  for (const r of records) {
    if (r.kind === 'event.accepted') {
      const node: LineageNode = { event: r, steps: [], children: [] };
      all.push(node);
      current.set(r.eventId, node);
      if (r.metadataId && !byMetadataId.has(r.metadataId)) byMetadataId.set(r.metadataId, node);
      if (r.metadataId) currentByMetadataId.set(r.metadataId, node);
      continue;
    }
    if (r.kind === 'table.written') {
      const of = eventWrites(r);
      (of && (currentByMetadataId.get(of.eventKey) ?? current.get(of.eventKey)))?.steps.push(r);
      continue;
    }
    if (r.kind === 'delivery.enqueued' && r.eventId) eventByMessage.set(r.messageId, r.eventId);
    let eventId = r.eventId;
    if (!eventId && 'messageId' in r && r.messageId) eventId = eventByMessage.get(r.messageId);
    if (!eventId && r.kind === 'invocation.started' && r.messageIds?.[0]) eventId = eventByMessage.get(r.messageIds[0]);
    const node = eventId ? current.get(eventId) : undefined;
    if (node) node.steps.push(r);
    else if (r.kind === 'chaos.fault' && (r.causationId ?? r.metadataId) !== undefined) refusedPublishes.push(r);
  }
  // A PutEvents entry a fault refused has no event id: it shows under the event being handled
  // when it was published, or else (published from outside) under the event it became once sent again.
  for (const r of refusedPublishes) {
    const node = byMetadataId.get(r.causationId ?? r.metadataId!);
    if (!node) continue;
    const at = node.steps.findIndex((s) => s.seq > r.seq);
    node.steps.splice(at < 0 ? node.steps.length : at, 0, r);
  }
  const roots: LineageNode[] = [];
  for (const node of all) {
    const parent = node.event.causationId ? byMetadataId.get(node.event.causationId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return roots.filter((root) => matches(root, filter));
}

/** The chaos faults no event's tree shows (those only a table or bus knows of, e.g. DynamoDB throttling), oldest first. */
export function faultsOutsideTrees(records: readonly JournalRecord[], roots: readonly LineageNode[]): ChaosFaultRecord[] {
  const placed = new Set<number>();
  const walk = (node: LineageNode): void => {
    for (const step of node.steps) if (step.kind === 'chaos.fault') placed.add(step.seq);
    node.children.forEach(walk);
  };
  roots.forEach(walk);
  return records.filter((r): r is ChaosFaultRecord => r.kind === 'chaos.fault' && !placed.has(r.seq));
}

function matches(node: LineageNode, filter: LineageFilter): boolean {
  const self = (filter.correlationId === undefined || node.event.correlationId === filter.correlationId || node.event.metadataId === filter.correlationId)
    && (filter.topic === undefined || node.event.topic === filter.topic)
    && (filter.eventIds === undefined || filter.eventIds.has(node.event.eventId));
  return self || node.children.some((c) => matches(c, filter));
}

const time = (iso: string): string => iso.slice(11, 23);

/** One line per step; `label` turns physical names into subscription names. */
export function describeStep(r: JournalRecord, label: (name: string) => string): string | undefined {
  switch (r.kind) {
    case 'rule.matched': return `✓ rule ${label(r.rule)} matched`;
    case 'rule.unmatched': return `· rule ${label(r.rule)} did not match: ${r.reason}`;
    case 'delivery.enqueued': return `→ enqueued on ${label(r.queue)}${r.via.startsWith('rule:') ? '' : ` (${r.via})`}`;
    case 'delivery.received': return `← received from ${label(r.queue)}, attempt ${r.receiveCount}${r.principal ? ` by ${principalName(r.principal)}` : ''}`;
    case 'delivery.deleted': return `✓ done: deleted from ${label(r.queue)}`;
    case 'delivery.dead-lettered': return `✗ dead-lettered to ${label(r.deadLetterQueue)} after ${r.receiveCount} receives`;
    case 'target.invoked': return `→ invoked ${label(targetName(r.functionArn))} (async, attempt ${r.attempt})`;
    case 'target.failed': return `✗ target ${r.targetId} failed (attempt ${r.attempt}): ${r.error}${r.final ? ` — final, ${r.deadLetter ?? 'dropped'}` : ''}`;
    case 'invocation.started': return undefined;
    case 'table.written': {
      const of = eventWrites(r);
      return of ? `✎ ${of.subscription} committed ${describeWrites(of.writes)}` : undefined;
    }
    case 'chaos.fault': return `⚡ chaos ${r.fault} at ${chaosWhere(r, label)}: ${r.detail}`;
    case 'invocation.finished': {
      const mark = r.outcome === 'success' ? '✓' : '✗';
      return `${mark} ${label(r.functionName)} ${r.outcome} in ${r.durationMs} ms${r.error ? `: ${r.error}` : ''}`;
    }
    case 'access.denied': return describeAccessDenied(r);
    default: return undefined;
  }
}

/** Where a chaos fault was injected, as `busline events` names it. */
function chaosWhere(r: ChaosFaultRecord, label: (name: string) => string): string {
  if (r.functionName !== undefined) return `function ${label(r.functionName)}`;
  if (r.queue !== undefined) return `queue ${label(r.queue)}`;
  if (r.table !== undefined) return `table ${r.table}`;
  if (r.rule !== undefined) return `target ${r.targetId ?? '?'} of rule ${label(r.rule)}`;
  return `bus ${r.bus ?? '?'}`;
}

/** An `access.denied` record on one line: who, what, and the declaration that grants it. */
export function describeAccessDenied(r: AccessDeniedRecord): string {
  return `${r.enforced ? '✗ access denied' : '! would be denied (--iam warn)'}: ${principalName(r.principal)} may not ${r.action} on ${r.resource} — missing ${r.missing}; fix: ${r.fix}`;
}

/** A principal's short name: the function of an assumed-role session, a role, `administrator`, a service. */
export function principalName(arn: string): string {
  if (arn.endsWith(':root')) return 'administrator';
  const slash = arn.lastIndexOf('/');
  return slash >= 0 ? arn.slice(slash + 1) : arn;
}

function targetName(arn: string): string {
  return arn.replace(/^arn:aws:[a-z]+:[^:]*:[^:]*:(function:)?/, '');
}

export interface RenderOptions {
  /** Show what handlers logged (default true). */
  readonly logs?: boolean;
  /**
   * The `rule.unmatched` records of an event (RuleMismatches.of, computed for the events
   * shown only), shown first among its steps.
   */
  readonly unmatched?: (event: EventAcceptedRecord) => readonly JournalRecord[];
}

export function renderLineage(roots: readonly LineageNode[], label: (name: string) => string, options: RenderOptions = {}): string[] {
  const lines: string[] = [];
  const walk = (node: LineageNode, prefix: string, last: boolean, depth: number): void => {
    const e = node.event;
    const head = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    lines.push(`${prefix}${head}${e.topic ?? '(no detail-type)'}  id=${e.metadataId ?? e.eventId}  ${time(e.at)}${e.replayName ? `  replay=${e.replayName}` : ''}${depth === 0 && e.correlationId ? `  correlation=${e.correlationId}` : ''}${e.principal ? `  by=${principalName(e.principal)}` : ''}`);
    const inner = depth === 0 ? '' : `${prefix}${last ? '   ' : '│  '}`;
    const bar = node.children.length ? '│  ' : '   ';
    // The runtime's per-record fields of a log line equal to this node's are already on screen.
    const shown = { topic: e.topic, eventId: e.metadataId ?? e.eventId, correlationId: e.correlationId };
    for (const step of [...(options.unmatched?.(e) ?? []), ...node.steps]) {
      const text = describeStep(step, label);
      if (!text) continue;
      lines.push(`${inner}${bar}${time(step.at)} ${text}`);
      if (options.logs !== false && step.kind === 'invocation.finished') {
        for (const log of step.logs ?? []) {
          const rendered = renderLogLine(log, shown);
          if (rendered !== undefined) lines.push(`${inner}${bar}             | ${rendered}`);
        }
      }
    }
    node.children.forEach((child, i) => walk(child, inner, i === node.children.length - 1, depth + 1));
  };
  roots.forEach((root) => { walk(root, '', true, 0); lines.push(''); });
  return lines;
}
