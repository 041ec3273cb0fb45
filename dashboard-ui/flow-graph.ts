/**
 * The flow as a graph: publishers → topics → rules (with their patterns) → queues → functions →
 * tables, and functions → the topics they publish. Laid out by dagre (left to right), drawn as
 * SVG, with the live counters on each node. A topic nobody consumes, or nobody publishes, is
 * flagged (dashed red, and said in its title).
 */
import dagre from '@dagrejs/dagre';
import { html } from './html.ts';
import type { Counters, FlowDescription, Status } from './api.ts';

type Kind = 'publisher' | 'topic' | 'rule' | 'queue' | 'function' | 'table';
interface GraphNode { id: string; kind: Kind; label: string; lines: string[]; title: string; orphan?: string }

const WIDTH = 168;
const LINE = 14;

function nodesAndEdges(flow: FlowDescription, counters: Record<string, Counters>, status: Status[]): { nodes: GraphNode[]; edges: [string, string][] } {
  const nodes = new Map<string, GraphNode>();
  const edges: [string, string][] = [];
  const add = (n: GraphNode): void => { if (!nodes.has(n.id)) nodes.set(n.id, n); };
  for (const f of flow.flows) {
    for (const t of f.topics) {
      const orphan = t.subscribedBy.length === 0 ? 'published, but no subscription consumes it' : t.publishedBy.length === 0 ? 'consumed, but nothing in the flow publishes it' : undefined;
      add({ id: `topic:${t.name}`, kind: 'topic', label: t.name, lines: [`v${t.versions.join(', v')}`], title: `topic ${t.name} (source ${t.source})${orphan ? `: ${orphan}` : ''}`, ...(orphan ? { orphan } : {}) });
    }
    for (const p of f.publishers) {
      add({ id: `publisher:${p.name}`, kind: 'publisher', label: p.name, lines: ['publisher'], title: `publisher ${p.name}` });
      for (const t of p.topics) edges.push([`publisher:${p.name}`, `topic:${t}`]);
    }
    for (const s of f.subscriptions) {
      const c = counters[s.name] ?? { matched: 0, ok: 0, failed: 0, retried: 0, deadLettered: 0 };
      const st = status.find((x) => x.name === s.name);
      const rule = `rule:${s.name}`;
      add({ id: rule, kind: 'rule', label: `rule ${s.name}`, lines: [`in ${c.matched}`], title: `rule of ${s.name}, pattern ${JSON.stringify(s.eventPattern)}` });
      for (const t of s.topics) edges.push([`topic:${t}`, rule]);
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
        edges.push([rule, queue], [queue, fn]);
      } else {
        edges.push([rule, fn]);
      }
      for (const t of s.publishes) edges.push([fn, `topic:${t}`]);
      for (const table of s.tables) {
        add({ id: `table:${table}`, kind: 'table', label: table.length > 22 ? `${table.slice(0, 21)}…` : table, lines: ['table'], title: `table ${table}` });
        edges.push([fn, `table:${table}`]);
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
  for (const [from, to] of edges) g.setEdge(from, to);
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
