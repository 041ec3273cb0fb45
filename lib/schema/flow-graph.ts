/**
 * The flow as a graph: publishers → topics → subscriptions → the topics they publish.
 * Rendered as Mermaid (for Markdown) or Graphviz DOT. Edges into a subscription carry its
 * content filter in words.
 */
import type { FlowManifest } from './flow-manifest.ts';

export type GraphFormat = 'mermaid' | 'dot';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot'];

type NodeKind = 'publisher' | 'topic' | 'subscription';

interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: NodeKind;
}

interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

interface FlowGraph {
  readonly flow: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** `{ warehouse: ['FRA-1'], total: [{ numeric: ['>', 100] }] }` → `warehouse = FRA-1, total > 100`. */
export function describeFilter(filter: Readonly<Record<string, unknown>>, prefix = ''): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (Array.isArray(value)) parts.push(describeMatchers(path, value));
    else if (typeof value === 'object' && value !== null) parts.push(describeFilter(value as Record<string, unknown>, path));
    else parts.push(`${path} = ${String(value)}`);
  }
  return parts.join(', ');
}

function describeMatchers(path: string, matchers: readonly unknown[]): string {
  const equals = matchers.filter((m) => typeof m !== 'object' || m === null).map((m) => (m === null ? 'null' : String(m)));
  const rules = matchers.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null).map((m) => describeRule(path, m));
  const all = [...(equals.length > 0 ? [`${path} = ${equals.join(' | ')}`] : []), ...rules];
  return all.length > 1 ? `(${all.join(' or ')})` : (all[0] ?? `${path} matches nothing`);
}

function describeRule(path: string, rule: Record<string, unknown>): string {
  const [op, arg] = Object.entries(rule)[0] ?? ['?', undefined];
  switch (op) {
    case 'numeric': {
      const a = Array.isArray(arg) ? arg : [];
      const pairs: string[] = [];
      for (let i = 0; i + 1 < a.length; i += 2) pairs.push(`${path} ${String(a[i])} ${String(a[i + 1])}`);
      return pairs.join(' and ');
    }
    case 'prefix': return `${path} starts with ${JSON.stringify(arg)}`;
    case 'suffix': return `${path} ends with ${JSON.stringify(arg)}`;
    case 'exists': return arg === false ? `${path} absent` : `${path} present`;
    case 'anything-but': return `${path} ≠ ${Array.isArray(arg) ? arg.map(String).join(' | ') : typeof arg === 'object' ? JSON.stringify(arg) : String(arg)}`;
    case 'equals-ignore-case': return `${path} = ${String(arg)} (any case)`;
    case 'wildcard': return `${path} like ${String(arg)}`;
    case 'cidr': return `${path} in ${String(arg)}`;
    default: return `${path} ${op} ${JSON.stringify(arg)}`;
  }
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, '_');
}

export function buildGraph(manifest: FlowManifest): FlowGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const topicId = (t: string) => {
    const id = `t_${slug(t)}`;
    if (!nodes.has(id)) nodes.set(id, { id, label: t, kind: 'topic' });
    return id;
  };
  for (const t of manifest.topics) topicId(t.name);
  for (const p of manifest.publishers) {
    const id = `p_${slug(p.name)}`;
    nodes.set(id, { id, label: p.name, kind: 'publisher' });
    for (const t of p.topics) edges.push({ from: id, to: topicId(t) });
  }
  for (const s of manifest.subscriptions) {
    const id = `s_${slug(s.name)}`;
    nodes.set(id, { id, label: `${s.name} (${s.delivery})`, kind: 'subscription' });
    const filter = s.filter && Object.keys(s.filter).length > 0 ? describeFilter(s.filter) : undefined;
    for (const t of s.topics) edges.push({ from: topicId(t), to: id, ...(filter ? { label: filter } : {}) });
    for (const t of s.publishes) edges.push({ from: id, to: topicId(t) });
  }
  return { flow: manifest.flow, nodes: [...nodes.values()], edges };
}

export function renderGraph(manifests: readonly FlowManifest[], format: GraphFormat): string {
  const graphs = manifests.map(buildGraph);
  return format === 'mermaid' ? renderMermaid(graphs) : renderDot(graphs);
}

function mermaidText(s: string): string {
  return `"${s.replace(/"/g, '#quot;')}"`;
}

function renderMermaid(graphs: readonly FlowGraph[]): string {
  const lines = ['flowchart LR'];
  const many = graphs.length > 1;
  for (const g of graphs) {
    const pre = many ? `${slug(g.flow)}_` : '';
    const indent = many ? '    ' : '  ';
    if (many) lines.push(`  subgraph ${slug(g.flow)}[${mermaidText(g.flow)}]`);
    for (const n of g.nodes) {
      const text = mermaidText(n.label);
      const shape = n.kind === 'topic' ? `([${text}])` : n.kind === 'publisher' ? `[/${text}/]` : `[${text}]`;
      lines.push(`${indent}${pre}${n.id}${shape}`);
    }
    for (const e of g.edges) lines.push(`${indent}${pre}${e.from} -->${e.label ? `|${mermaidText(e.label)}|` : ''} ${pre}${e.to}`);
    if (many) lines.push('  end');
  }
  return `${lines.join('\n')}\n`;
}

function dotText(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function renderDot(graphs: readonly FlowGraph[]): string {
  const lines = ['digraph busline {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  const shapes: Record<NodeKind, string> = { topic: 'shape=ellipse, style=filled, fillcolor="#e8f0fe"', subscription: 'shape=box', publisher: 'shape=parallelogram' };
  for (const g of graphs) {
    const pre = `${slug(g.flow)}_`;
    lines.push(`  subgraph ${dotText(`cluster_${g.flow}`)} {`, `    label=${dotText(g.flow)};`);
    for (const n of g.nodes) lines.push(`    ${pre}${n.id} [label=${dotText(n.label)}, ${shapes[n.kind]}];`);
    for (const e of g.edges) lines.push(`    ${pre}${e.from} -> ${pre}${e.to}${e.label ? ` [label=${dotText(e.label)}]` : ''};`);
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
