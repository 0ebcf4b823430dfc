/**
 * Printers for `isctl graph`: Mermaid (renders in GitHub/GitLab Markdown and pull requests) and
 * Graphviz DOT. Pure functions of the FlowGraph. Tags whose last import failed are drawn red and
 * dashed with "import failed"; paused or manual triggers and reference tags are dotted and grey.
 */
import type { FlowGraph, GraphEdge, GraphNode } from '../core/graph.js';
import { escapeLine } from '../domain/escape.js';
import { redactUserInfo } from '../domain/reference.js';

/** Formats `isctl graph -o` accepts. */
export const GRAPH_FORMATS = ['mermaid', 'dot'] as const;

/** A graph output format. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

function ids(graph: FlowGraph): Map<string, string> {
  return new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
}

/** Tag nodes grouped by the stream that defines them (missing tags stay ungrouped). */
function streamGroups(graph: FlowGraph): Map<string, GraphNode[]> {
  const groups = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) {
    if (n.kind !== 'tag' || n.missing || !n.stream) continue;
    const list = groups.get(n.stream) ?? [];
    list.push(n);
    groups.set(n.stream, list);
  }
  return groups;
}

function streamLabel(stream: string, graph: FlowGraph): string {
  const [ns, name] = stream.split('/');
  const qualified = graph.nodes.some((n) => n.kind === 'tag' && n.stream === stream && n.label.startsWith(`${ns}/`));
  return `is/${qualified ? `${ns}/${name}` : name}`;
}

/** The lines of a node's label: its name, then what is wrong with it. */
function labelLines(n: GraphNode): string[] {
  const lines = [n.label];
  if (n.importFailed) lines.push(`import failed: ${n.importFailed.reason || 'unknown reason'}`);
  if (n.missing) lines.push('not in the folder');
  if (n.problem) lines.push(n.problem);
  return lines;
}

function mermaidText(s: string): string {
  return escapeLine(redactUserInfo(s)).replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function mermaidNode(id: string, n: GraphNode): string {
  const text = `"${labelLines(n).map(mermaidText).join('<br/>')}"`;
  if (n.kind === 'repository') return `${id}[(${text})]`;
  if (n.kind === 'build') return `${id}{{${text}}}`;
  if (n.kind === 'workload') return `${id}[[${text}]]`;
  if (n.kind === 'marker') return `${id}>${text}]`;
  return `${id}[${text}]`;
}

function mermaidEdge(e: GraphEdge, from: string, to: string): string {
  const arrow = e.inactive ? '-.->' : '-->';
  return e.label ? `${from} ${arrow}|"${mermaidText(e.label)}"| ${to}` : `${from} ${arrow} ${to}`;
}

/** The graph as a Mermaid flowchart (left to right). */
export function renderMermaid(graph: FlowGraph): string {
  const id = ids(graph);
  const out = ['flowchart LR'];
  const grouped = new Set<string>();
  let s = 0;
  for (const [stream, tags] of streamGroups(graph)) {
    out.push(`  subgraph s${s++}["${mermaidText(streamLabel(stream, graph))}"]`);
    for (const n of tags) {
      out.push(`    ${mermaidNode(id.get(n.id)!, n)}`);
      grouped.add(n.id);
    }
    out.push('  end');
  }
  for (const n of graph.nodes) if (!grouped.has(n.id)) out.push(`  ${mermaidNode(id.get(n.id)!, n)}`);
  for (const e of graph.edges) out.push(`  ${mermaidEdge(e, id.get(e.from)!, id.get(e.to)!)}`);
  const classes: [string, GraphNode[]][] = [
    ['failed', graph.nodes.filter((n) => n.importFailed || n.problem)],
    ['missing', graph.nodes.filter((n) => n.missing)],
  ];
  out.push('  classDef failed fill:#fdecea,stroke:#c62828,stroke-width:2px,stroke-dasharray:5 5,color:#b71c1c');
  out.push('  classDef missing fill:#f5f5f5,stroke:#9e9e9e,stroke-dasharray:3 3,color:#616161');
  for (const [name, nodes] of classes)
    if (nodes.length) out.push(`  class ${nodes.map((n) => id.get(n.id)).join(',')} ${name}`);
  const inactive = graph.edges.flatMap((e, i) => (e.inactive ? [i] : []));
  if (inactive.length) out.push(`  linkStyle ${inactive.join(',')} stroke:#9e9e9e,color:#757575`);
  return `${out.join('\n')}\n`;
}

function dotString(s: string): string {
  const text = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `"${escapeLine(redactUserInfo(text))}"`;
}

const DOT_SHAPE: Record<GraphNode['kind'], string> = {
  repository: 'cylinder',
  tag: 'box',
  workload: 'box3d',
  build: 'hexagon',
  marker: 'note',
};

function dotNode(id: string, n: GraphNode): string {
  const attrs = [`label=${dotString(labelLines(n).join('\n'))}`, `shape=${DOT_SHAPE[n.kind]}`];
  if (n.importFailed || n.problem)
    attrs.push('color="#c62828"', 'fontcolor="#b71c1c"', 'style="dashed,filled"', 'fillcolor="#fdecea"');
  else if (n.missing) attrs.push('color="#9e9e9e"', 'fontcolor="#616161"', 'style=dashed');
  return `${id} [${attrs.join(', ')}];`;
}

function dotEdge(e: GraphEdge, from: string, to: string): string {
  const attrs = e.label ? [`label=${dotString(e.label)}`] : [];
  if (e.inactive) attrs.push('style=dashed', 'color="#9e9e9e"', 'fontcolor="#757575"');
  return `${from} -> ${to}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`;
}

/** The graph in Graphviz DOT (`isctl graph -o dot | dot -Tsvg`). */
export function renderDot(graph: FlowGraph): string {
  const id = ids(graph);
  const out = [
    'digraph isctl {',
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const grouped = new Set<string>();
  let s = 0;
  for (const [stream, tags] of streamGroups(graph)) {
    out.push(`  subgraph cluster_s${s++} {`, `    label=${dotString(streamLabel(stream, graph))};`);
    for (const n of tags) {
      out.push(`    ${dotNode(id.get(n.id)!, n)}`);
      grouped.add(n.id);
    }
    out.push('  }');
  }
  for (const n of graph.nodes) if (!grouped.has(n.id)) out.push(`  ${dotNode(id.get(n.id)!, n)}`);
  for (const e of graph.edges) out.push(`  ${dotEdge(e, id.get(e.from)!, id.get(e.to)!)}`);
  out.push('}');
  return `${out.join('\n')}\n`;
}
