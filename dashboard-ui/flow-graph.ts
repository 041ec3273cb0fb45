/**
 * The flow as a graph: publishers → topics → rules (with their patterns) → queues → functions →
 * tables, and functions → the topics they publish. Laid out by dagre (left to right), drawn as
 * SVG, with the live counters on each node and on each edge from a topic to a subscription (what
 * its rule let in, then how the subscription's runs ended: the per-subscription counters of
 * lib/cli/flow-operations.ts). A topic nobody consumes, or nobody publishes, is flagged (dashed
 * red, and said in its title).
 */
import dagre from '@dagrejs/dagre';
import { html } from './html.ts';
import type { Counters, FlowDescription, Status } from './api.ts';

type Kind = 'publisher' | 'topic' | 'rule' | 'queue' | 'function' | 'table';
interface GraphNode { id: string; kind: Kind; label: string; lines: string[]; title: string; orphan?: string }
/** An edge; one from a topic to a subscription carries that subscription's counters. */
interface GraphEdge { from: string; to: string; counters?: { id: string; lines: string[] } }

const WIDTH = 168;
const LINE = 14;
const EDGE_LABEL_WIDTH = 150;

const ZERO: Counters = { matched: 0, ok: 0, failed: 0, retried: 0, deadLettered: 0 };

/** The counters an edge topic → subscription shows: in (its rule matched), ok, retried, failed, dead-lettered. */
function edgeCounterLines(c: Counters): string[] {
  return [`in ${c.matched} · ok ${c.ok} · retried ${c.retried}`, `failed ${c.failed} · dead ${c.deadLettered}`];
}

function nodesAndEdges(flow: FlowDescription, counters: Record<string, Counters>, status: Status[]): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const edge = (from: string, to: string): void => void edges.push({ from, to });
  const add = (n: GraphNode): void => { if (!nodes.has(n.id)) nodes.set(n.id, n); };
  for (const f of flow.flows) {
    for (const t of f.topics) {
      const orphan = t.subscribedBy.length === 0 ? 'published, but no subscription consumes it' : t.publishedBy.length === 0 ? 'consumed, but nothing in the flow publishes it' : undefined;
      add({ id: `topic:${t.name}`, kind: 'topic', label: t.name, lines: [`v${t.versions.join(', v')}`], title: `topic ${t.name} (source ${t.source})${orphan ? `: ${orphan}` : ''}`, ...(orphan ? { orphan } : {}) });
    }
    for (const p of f.publishers) {
      add({ id: `publisher:${p.name}`, kind: 'publisher', label: p.name, lines: ['publisher'], title: `publisher ${p.name}` });
      for (const t of p.topics) edge(`publisher:${p.name}`, `topic:${t}`);
    }
    for (const s of f.subscriptions) {
      const c = counters[s.name] ?? ZERO;
      const st = status.find((x) => x.name === s.name);
      const rule = `rule:${s.name}`;
      add({ id: rule, kind: 'rule', label: `rule ${s.name}`, lines: [`in ${c.matched}`], title: `rule of ${s.name}, pattern ${JSON.stringify(s.eventPattern)}` });
      for (const t of s.topics) edges.push({ from: `topic:${t}`, to: rule, counters: { id: `${t}→${s.name}`, lines: edgeCounterLines(c) } });
      const fn = `function:${s.name}`;
      add({
        id: fn, kind: 'function', label: s.name,
        lines: [`runs ok ${c.ok} · failed ${c.failed}`, `retried ${c.retried} · dead ${c.deadLettered}`],
        title: `function of ${s.name} (${s.delivery} delivery, ${s.maxAttempts} attempts)${s.filter ? `, filter ${JSON.stringify(s.filter)}` : ''}`,
      });
      if (s.queue) {
        const queue = `queue:${s.name}`;
        const age = st?.oldestAgeSeconds !== undefined ? ` · oldest ${st.oldestAgeSeconds}s` : '';
        add({ id: queue, kind: 'queue', label: `queue ${s.name}`, lines: [`depth ${st?.queued ?? 0}${age}`, `DLQ ${st?.deadLettered ?? 0}`], title: `queue ${s.queue}` });
        edge(rule, queue);
        edge(queue, fn);
      } else {
        edge(rule, fn);
      }
      for (const t of s.publishes) edge(fn, `topic:${t}`);
      for (const table of s.tables) {
        add({ id: `table:${table}`, kind: 'table', label: table.length > 22 ? `${table.slice(0, 21)}…` : table, lines: ['table'], title: `table ${table}` });
        edge(fn, `table:${table}`);
      }
    }
  }
  return { nodes: [...nodes.values()], edges };
}

export function FlowGraph(props: { flow: FlowDescription; counters: Record<string, Counters>; status: Status[] }) {
  const { nodes, edges } = nodesAndEdges(props.flow, props.counters, props.status);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 46, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: WIDTH, height: 22 + LINE * n.lines.length });
  // dagre makes room for an edge's label and places it (x, y) on the edge.
  for (const e of edges) g.setEdge(e.from, e.to, e.counters ? { width: EDGE_LABEL_WIDTH, height: LINE * e.counters.lines.length + 4, labelpos: 'c', counters: e.counters } : {});
  dagre.layout(g);
  const { width = 0, height = 0 } = g.graph();
  return html`
    <div class="graph">
      <svg viewBox="0 0 ${width} ${height}" role="img" aria-label="flow graph">
        <defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#9aa3b8" /></marker></defs>
        ${g.edges().map((e) => {
          const points: { x: number; y: number }[] = g.edge(e).points ?? [];
          return html`<polyline class="edge" points=${points.map((p) => `${p.x},${p.y}`).join(' ')} />`;
        })}
        ${g.edges().map((e) => {
          const label = g.edge(e) as { x?: number; y?: number; width?: number; height?: number; counters?: GraphEdge['counters'] };
          if (!label.counters || label.x === undefined || label.y === undefined) return null;
          const x = label.x - (label.width ?? 0) / 2;
          const y = label.y - (label.height ?? 0) / 2;
          return html`
            <g class="edge-counters" data-edge=${label.counters.id} transform="translate(${x},${y})">
              <title>${label.counters.id.replace('→', ' → ')}: events in, and how the runs ended</title>
              ${label.counters.lines.map((l, i) => html`<text class="count" x="0" y=${LINE * (i + 1)}>${l}</text>`)}
            </g>`;
        })}
        ${nodes.map((n) => {
          const p = g.node(n.id);
          const x = p.x - p.width / 2;
          const y = p.y - p.height / 2;
          return html`
            <g class="node ${n.kind}${n.orphan ? ' orphan' : ''}" data-node=${n.id} transform="translate(${x},${y})">
              <title>${n.title}</title>
              <rect width=${p.width} height=${p.height} />
              <text x="8" y="15" font-weight="600">${n.label}${n.orphan ? ' ⚠' : ''}</text>
              ${n.lines.map((l, i) => html`<text class="count" x="8" y=${15 + LINE * (i + 1)}>${l}</text>`)}
            </g>`;
        })}
      </svg>
      ${nodes.filter((n) => n.orphan).map((n) => html`<div class="warn" data-orphan=${n.label}>⚠ ${n.label}: ${n.orphan}</div>`)}
    </div>`;
}
