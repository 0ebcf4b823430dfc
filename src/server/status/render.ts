/**
 * The HTML of the status page's sections: pure functions of the status document. The server
 * renders the first page with them, and the page's script re-renders with the very same
 * functions (page.ts ships their source text), so both always agree.
 *
 * Shipped functions must stay self-contained: top-level `function` declarations that use only
 * their parameters, each other and the language's built-ins (no imports, no module constants).
 * test/server/status-render.test.ts runs the shipped text on its own and compares the output.
 *
 * Every text from the folder, a registry or a webhook is hostile: it goes through escapeHtml,
 * and element ids are hashes, never names.
 */
import type { Delivery, ImportRun, StatusDocument, TagStatus } from './types.js';

/** Escapes text for HTML and XML content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** Compares texts by code unit, the same on the server and in every browser (localeCompare is not). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Escaped text with a line-break opportunity after every `/` (long pull specs wrap at their path). */
export function breakable(value: unknown): string {
  return escapeHtml(value).replace(/\//g, '/<wbr>');
}

/** `3m 10s ago`, `2h 5m ago`, `4d ago`, `in 2m`, `just now`; '' for a missing or unreadable time. */
export function formatAge(time: string | null | undefined, nowMs: number): string {
  if (!time) return '';
  const t = Date.parse(time);
  if (Number.isNaN(t)) return '';
  const diff = Math.round((nowMs - t) / 1000);
  const abs = Math.abs(diff);
  if (abs < 2) return 'just now';
  let text: string;
  if (abs < 60) text = `${abs}s`;
  else if (abs < 3600) text = `${Math.floor(abs / 60)}m${abs % 60 ? ` ${abs % 60}s` : ''}`;
  else if (abs < 86400)
    text = `${Math.floor(abs / 3600)}h${Math.floor(abs / 60) % 60 ? ` ${Math.floor(abs / 60) % 60}m` : ''}`;
  else text = `${Math.floor(abs / 86400)}d${Math.floor(abs / 3600) % 24 ? ` ${Math.floor(abs / 3600) % 24}h` : ''}`;
  return diff > 0 ? `${text} ago` : `in ${text}`;
}

/** `850 ms`, `1.2 s`, `2m 5s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ''}`;
}

/** `sha256:0123456789ab` (the 12 hex digits `oc` prints for image ids). */
export function shortDigest(digest: string): string {
  const i = digest.indexOf(':');
  return i > 0 && digest.length > i + 13 ? digest.slice(0, i + 13) : digest;
}

/** An element id for a graph node id: a prefix and a hash, so no name ever becomes an id. */
export function anchorId(prefix: string, id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let h2 = 0x9747b28c;
  for (let i = id.length - 1; i >= 0; i--) {
    h2 ^= id.charCodeAt(i);
    h2 = Math.imul(h2, 0x01000193) >>> 0;
  }
  return `${prefix}-${h.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

/** A `<time>` whose text is an age the page script keeps current; an em dash when there is no time. */
export function timeHtml(time: string | null | undefined, nowMs: number, empty = 'never'): string {
  const age = formatAge(time, nowMs);
  if (!time || !age) return `<span class="muted">${escapeHtml(empty)}</span>`;
  return `<time datetime="${escapeHtml(time)}" title="${escapeHtml(time)}" data-age>${escapeHtml(age)}</time>`;
}

/** The words of a tag state (never colour alone). */
export function stateLabel(state: string): string {
  return state === 'heldBack'
    ? 'Held back'
    : state === 'failed'
      ? 'Failed'
      : state === 'pending'
        ? 'Not imported yet'
        : state === 'reference'
          ? 'Reference'
          : 'OK';
}

/** The sections of the page, by element id, in page order. */
export function renderSections(doc: StatusDocument): { id: string; html: string }[] {
  const now = Date.parse(doc.generatedAt);
  return [
    { id: 'summary', html: renderSummary(doc, now) },
    { id: 'tags', html: renderTags(doc, now) },
    { id: 'scheduler', html: renderScheduler(doc, now) },
    { id: 'imports', html: renderImports(doc.imports, now) },
    { id: 'deliveries', html: renderDeliveries(doc, now) },
    { id: 'triggers', html: renderTriggers(doc) },
    { id: 'problems', html: renderProblems(doc) },
  ];
}

/** The counts and the facts about this `serve`. */
export function renderSummary(doc: StatusDocument, now: number): string {
  const s = doc.summary;
  const bad = [
    s.failed ? `<a href="#tags">${s.failed} failing</a>` : '',
    s.heldBack ? `<a href="#tags">${s.heldBack} held back</a>` : '',
    s.pending ? `${s.pending} not imported yet` : '',
  ].filter(Boolean);
  const where = doc.serve.namespace === null ? 'every namespace' : `namespace ${escapeHtml(doc.serve.namespace)}`;
  return [
    `<p class="counts">${s.streams} image stream${s.streams === 1 ? '' : 's'}, ${s.tags} tag${s.tags === 1 ? '' : 's'}${
      bad.length ? `: ${bad.join(', ')}` : ''
    }.</p>`,
    '<ul class="facts">',
    `<li>Serving ${where}, listening on <code>${escapeHtml(doc.serve.listen)}</code></li>`,
    `<li>Webhooks: ${doc.serve.webhooks ? 'on' : 'off (no secret configured)'}</li>`,
    `<li>Import queue: ${doc.serve.queueDepth} waiting${doc.serve.importing ? ', an import is running' : ''}</li>`,
    `<li>Started ${timeHtml(doc.serve.startedAt, now)}</li>`,
    '</ul>',
  ].join('');
}

/** A table row: its cells' HTML, the one at `header` (if any) being the row header. */
export interface TableRow {
  id?: string;
  className?: string;
  cells: string[];
}

/**
 * A table in a keyboard-scrollable region, each cell labelled with its column (shown before the
 * cell when a phone shows the rows as cards). The roles are explicit because that CSS display
 * change makes some browsers drop the elements' table semantics.
 */
export function tableHtml(
  /** The id of the heading that names the table, or of its caption (`caption:ID`). */
  labelledBy: string,
  caption: string,
  columns: string[],
  header: number,
  rows: TableRow[],
  headerClass = '',
): string {
  const head = columns.map((c) => `<th scope="col" role="columnheader">${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr${r.id ? ` id="${r.id}"` : ''}${r.className ? ` class="${escapeHtml(r.className)}"` : ''} role="row">${r.cells
          .map((c, i) =>
            i === header
              ? `<th scope="row" role="rowheader"${headerClass ? ` class="${headerClass}"` : ''}>${c}</th>`
              : `<td role="cell" data-label="${escapeHtml(columns[i])}">${c}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  const captionId = labelledBy.startsWith('caption:') ? labelledBy.slice(8) : '';
  return `<div class="scroll" role="region" aria-labelledby="${captionId || labelledBy}" tabindex="0"><table class="cards" role="table"><caption${
    captionId ? ` id="${captionId}"` : ''
  }>${caption}</caption><thead role="rowgroup"><tr role="row">${head}</tr></thead><tbody role="rowgroup">${body}</tbody></table></div>`;
}

/** One tag row per tag, held-back and failing first. */
export function renderTags(doc: StatusDocument, now: number): string {
  const rank: Record<string, number> = { heldBack: 0, failed: 1, pending: 2, ok: 3, reference: 4 };
  const rows = doc.streams
    .flatMap((s) => s.tags.map((t) => ({ s, t })))
    .sort(
      (a, b) =>
        (rank[a.t.state] ?? 5) - (rank[b.t.state] ?? 5) ||
        byText(a.s.namespace, b.s.namespace) ||
        byText(a.s.name, b.s.name) ||
        byText(a.t.name, b.t.name),
    );
  const head = '<h2 id="tags-title">Image stream tags</h2>';
  if (rows.length === 0)
    return `${head}<p>No image stream in the folder${doc.serve.namespace === null ? '' : ' for this namespace'}.</p>`;
  return `${head}${tableHtml(
    'tags-title',
    'Every tag, held-back and failing first. Times are ages (hover over one for the exact time).',
    ['Stream', 'Tag', 'Status', 'Image', 'Source', 'Imported', 'Workloads'],
    1,
    rows.map(({ s, t }) => tagRow(s.namespace, s.name, t, now)),
    'tagname',
  )}`;
}

/** One row of the tags table. */
export function tagRow(namespace: string, stream: string, t: TagStatus, now: number): TableRow {
  let status = `<span class="badge state-${escapeHtml(t.state)}">${escapeHtml(stateLabel(t.state))}</span>`;
  if (t.heldBack)
    status += ` <span class="why"><strong>${escapeHtml(t.heldBack.reason)}</strong>${t.heldBack.message ? `: ${escapeHtml(t.heldBack.message)}` : ''}</span>`;
  if (t.failure)
    status += ` <span class="why"><strong>${escapeHtml(t.failure.reason || 'unknown reason')}</strong>${
      t.failure.message ? `: ${escapeHtml(t.failure.message)}` : ''
    }${t.failure.since ? ` <span class="muted">(since ${timeHtml(t.failure.since, now)})</span>` : ''}</span>`;
  const image = t.digest
    ? `<code class="digest" title="${escapeHtml(t.digest)}" data-digest="${escapeHtml(t.digest)}">${escapeHtml(shortDigest(t.digest))}</code>`
    : t.dockerImageReference
      ? `<code>${breakable(t.dockerImageReference)}</code>`
      : '<span class="muted">none</span>';
  const source = t.source
    ? `${t.source.kind === 'DockerImage' ? '' : `<span class="muted">${escapeHtml(t.source.kind)}</span> `}<code>${breakable(
        t.source.namespace ? `${t.source.namespace}/${t.source.name}` : t.source.name,
      )}</code>${t.scheduled ? ' <span class="tagline">scheduled</span>' : ''}`
    : '<span class="muted">status only</span>';
  const checked = t.checkedAt ? `<br><span class="muted">checked ${timeHtml(t.checkedAt, now)}</span>` : '';
  const followers = t.followers.length
    ? `<ul class="plain">${t.followers
        .map(
          (f) =>
            `<li><a href="#${anchorId('w', f.id)}">${escapeHtml(f.label)}</a>${f.active ? '' : ' <span class="muted">(off)</span>'}</li>`,
        )
        .join('')}</ul>`
    : '<span class="muted">none</span>';
  return {
    id: anchorId('t', t.id),
    className: `row-${t.state}`,
    cells: [
      `<span class="muted">${escapeHtml(namespace)}/</span>${escapeHtml(stream)}`,
      escapeHtml(t.name),
      status,
      image,
      source,
      `${timeHtml(t.importedAt, now)}${checked}`,
      followers,
    ],
  };
}

/** The scheduler: interval, the next bucket run, the last scheduled run. */
export function renderScheduler(doc: StatusDocument, now: number): string {
  const s = doc.scheduler;
  const last = s.lastRun;
  const lastText = last
    ? `${timeHtml(last.at, now)}${last.bucket ? `, bucket ${escapeHtml(last.bucket)}` : ''}${
        last.durationMs !== null ? `, took ${escapeHtml(formatDuration(last.durationMs))}` : ''
      }: ${
        last.outcome === 'error'
          ? `<span class="badge state-failed">error</span> ${escapeHtml(last.message)}`
          : `${last.tags} tag${last.tags === 1 ? '' : 's'}, ${last.changed} changed, ${last.failed} failed`
      }`
    : '<span class="muted">none yet</span>';
  return (
    `<h2 id="scheduler-title">Scheduler</h2><dl class="facts"><dt>Interval</dt><dd>${escapeHtml(s.interval)}: ` +
    `the streams are split into ${s.buckets} buckets and one bucket is imported every ` +
    `${escapeHtml(formatDuration(s.bucketSeconds * 1000))}, so every scheduled tag is re-imported once per interval</dd><dt>Next run</dt><dd>${
      s.nextRunAt
        ? `${timeHtml(s.nextRunAt, now)} (bucket ${s.nextBucket} of ${s.buckets})`
        : '<span class="muted">stopped</span>'
    }</dd><dt>Last run</dt><dd>${lastText}</dd></dl>`
  );
}

/** Recent refresh runs. */
export function renderImports(imports: readonly ImportRun[], now: number): string {
  const head = '<h2 id="imports-title">Recent imports</h2>';
  if (imports.length === 0) return `${head}<p>No import has run since serve started.</p>`;
  const rows = imports.map((r): TableRow => {
    const outcome =
      r.outcome === 'error'
        ? `<span class="badge state-failed">error</span> ${escapeHtml(r.message)}`
        : r.outcome === 'no-match'
          ? `<span class="badge state-pending">no match</span> ${escapeHtml(r.message)}`
          : `${r.failed ? '<span class="badge state-failed">failed</span> ' : ''}` +
            `${r.tags} tag${r.tags === 1 ? '' : 's'}, ${r.changed} changed, ${r.failed} failed` +
            (r.changedTags.length ? `: ${r.changedTags.map((t) => `<code>${breakable(t)}</code>`).join(', ')}` : '');
    return {
      cells: [
        timeHtml(r.at, now),
        `${escapeHtml(r.trigger)}${r.bucket ? ` <span class="muted">bucket ${escapeHtml(r.bucket)}</span>` : ''}`,
        escapeHtml(formatDuration(r.durationMs)),
        outcome,
      ],
    };
  });
  return `${head}${tableHtml('imports-title', `Newest first, the last ${imports.length}.`, ['Finished', 'Trigger', 'Took', 'Outcome'], -1, rows)}`;
}

/** Recent webhook deliveries. */
export function renderDeliveries(doc: StatusDocument, now: number): string {
  const head = '<h2 id="deliveries-title">Webhook deliveries</h2>';
  const list: readonly Delivery[] = doc.deliveries;
  if (list.length === 0)
    return `${head}<p>${doc.serve.webhooks ? 'No delivery since serve started.' : 'Webhooks are off: serve was started without a webhook secret.'}</p>`;
  const good: Record<string, boolean> = { accepted: true, duplicate: true, ignored: true };
  const rows = list.map(
    (d): TableRow => ({
      cells: [
        timeHtml(d.at, now),
        escapeHtml(d.sender),
        d.repositories.length
          ? d.repositories.map((r) => `<code>${breakable(r)}</code>`).join('<br>')
          : '<span class="muted">—</span>',
        `<span class="badge ${good[d.outcome] ? 'state-ok' : 'state-failed'}">${escapeHtml(d.outcome.replace(/_/g, ' '))}</span>${
          d.message ? ` ${escapeHtml(d.message)}` : ''
        }${d.count > 1 ? ` <span class="muted">(${d.count} deliveries in a row, the first ${timeHtml(d.firstAt, now)})</span>` : ''}`,
      ],
    }),
  );
  return `${head}${tableHtml('deliveries-title', `Newest first, the last ${list.length}.`, ['Received', 'Sender', 'Repository', 'Outcome'], -1, rows)}`;
}

/** The trigger graph as a picture and as a table of workloads. */
export function renderTriggers(doc: StatusDocument): string {
  const g = doc.graph;
  const head = '<h2 id="triggers-title">Triggers</h2>';
  const workloads = g.nodes.filter((n) => n.kind === 'workload' || n.kind === 'build' || n.kind === 'marker');
  if (g.nodes.length === 0) return `${head}<p>Nothing to draw: the folder has no image stream.</p>`;
  const tagsInTable: Record<string, boolean> = {};
  for (const s of doc.streams) for (const t of s.tags) tagsInTable[t.id] = true;
  const labels: Record<string, string> = {};
  for (const n of g.nodes) labels[n.id] = n.label;
  const picture =
    g.nodes.length > 400
      ? `<p>The graph has ${g.nodes.length} nodes, too many to draw here; the table below lists ` +
        `every workload, and <code>isctl graph</code> prints the whole graph.</p>`
      : `<figure><div class="scroll" role="region" aria-labelledby="graph-caption" tabindex="0">` +
        `${renderGraphSvg(g, tagsInTable)}</div><figcaption id="graph-caption">Registry ` +
        `repositories (left) feed image stream tags, whose triggers and markers update workloads and files (right). ` +
        `Dotted grey arrows: paused or manual triggers and reference tags. Red: the tag's last ` +
        `import failed.</figcaption></figure>`;
  if (workloads.length === 0)
    return `${head}${picture}<p>No workload in the folder has an ImageChange trigger or a marker on these tags.</p>`;
  const rows = workloads.map((w): TableRow => {
    const ins = g.edges.filter((e) => e.to === w.id && (e.kind === 'trigger' || e.kind === 'marker'));
    const outs = g.edges.filter((e) => e.from === w.id && e.kind === 'output');
    const follows = ins.length
      ? `<ul class="plain">${ins
          .map(
            (e) =>
              `<li>${
                tagsInTable[e.from]
                  ? `<a href="#${anchorId('t', e.from)}">${escapeHtml(labels[e.from] ?? e.from)}</a>`
                  : `${escapeHtml(labels[e.from] ?? e.from)} <span class="muted">(not in the folder)</span>`
              } <span class="muted">${escapeHtml(e.label)}${e.inactive ? ', off' : ''}</span></li>`,
          )
          .join('')}</ul>`
      : '<span class="muted">none</span>';
    const builds = outs.length
      ? outs
          .map((e) =>
            tagsInTable[e.to]
              ? `<a href="#${anchorId('t', e.to)}">${escapeHtml(labels[e.to] ?? e.to)}</a>`
              : escapeHtml(labels[e.to] ?? e.to),
          )
          .join(', ')
      : '';
    return {
      id: anchorId('w', w.id),
      cells: [
        escapeHtml(w.label),
        follows,
        builds || '<span class="muted">—</span>',
        w.problem
          ? `<span class="badge state-failed">problem</span> ${escapeHtml(w.problem)}`
          : '<span class="muted">—</span>',
      ],
    };
  });
  return `${head}${picture}${tableHtml(
    'caption:workloads-caption',
    'Workloads and markers, and the tags they follow',
    ['Workload or marker', 'Follows', 'Builds into', 'Problems'],
    0,
    rows,
  )}`;
}

/** Files that could not be read. */
export function renderProblems(doc: StatusDocument): string {
  if (doc.problems.length === 0) return '';
  return `<h2 id="problems-title">Files that could not be read</h2><p>They are left as they are until fixed; nothing in them is imported.</p><ul>${doc.problems
    .map((p) => `<li><code>${escapeHtml(p.file)}</code>: ${escapeHtml(p.message)}</li>`)
    .join('')}</ul>`;
}

/** A node of the drawn graph: where it is and what it says. */
export interface PlacedNode {
  id: string;
  kind: string;
  lines: string[];
  full: string;
  bad: boolean;
  missing: boolean;
  x: number;
  y: number;
  w: number;
  h: number;
  col: number;
}

/**
 * Places the graph in columns: repositories, then tags (a tag that follows another tag one column
 * further right), then workloads; within a column, nodes are ordered by the mean row of what
 * feeds them, which keeps most arrows from crossing. Text widths are estimated (no font metrics
 * on the server): 7 px per character at the 12 px font of the picture.
 */
export function layoutGraph(graph: StatusDocument['graph']): { nodes: PlacedNode[]; width: number; height: number } {
  const kindCol: Record<string, number> = { repository: 0, tag: 1 };
  const depth: Record<string, number> = {};
  const kinds: Record<string, string> = {};
  for (const n of graph.nodes) {
    kinds[n.id] = n.kind;
    if (n.kind === 'tag') depth[n.id] = 0;
  }
  // A tag that tracks another tag sits right of it; bounded passes (a cycle stops at depth 4).
  for (let pass = 0; pass < 5; pass++) {
    for (const e of graph.edges) {
      if (e.kind === 'tag' && kinds[e.from] === 'tag' && kinds[e.to] === 'tag')
        depth[e.to] = Math.min(4, Math.max(depth[e.to], depth[e.from] + 1));
    }
  }
  let maxTag = 1;
  const colOf: Record<string, number> = {};
  for (const n of graph.nodes) {
    colOf[n.id] = n.kind === 'tag' ? 1 + depth[n.id] : (kindCol[n.kind] ?? -1);
    if (n.kind === 'tag') maxTag = Math.max(maxTag, colOf[n.id]);
  }
  for (const n of graph.nodes) if (colOf[n.id] === -1) colOf[n.id] = maxTag + 1;
  const columns: string[][] = [];
  for (const n of graph.nodes) (columns[colOf[n.id]] ??= []).push(n.id);
  const order: Record<string, number> = {};
  for (const col of columns) if (col) col.forEach((id, i) => (order[id] = i));
  const preds: Record<string, string[]> = {};
  for (const e of graph.edges) if (colOf[e.from] < colOf[e.to]) (preds[e.to] ??= []).push(e.from);
  for (let c = 1; c < columns.length; c++) {
    const col = columns[c];
    if (!col) continue;
    const key = (id: string) => {
      const p = preds[id] ?? [];
      return p.length ? p.reduce((sum, x) => sum + order[x], 0) / p.length : Number.MAX_SAFE_INTEGER;
    };
    const keyed = col.map((id, i) => ({ id, k: key(id), i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    columns[c] = keyed.map((x) => x.id);
    columns[c].forEach((id, i) => (order[id] = i));
  }
  const byId: Record<string, StatusDocument['graph']['nodes'][number]> = {};
  for (const n of graph.nodes) byId[n.id] = n;
  const clipText = (s: string) => (s.length > 42 ? `${s.slice(0, 41)}…` : s);
  const placed: PlacedNode[] = [];
  let x = 8;
  let height = 0;
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c] ?? [];
    if (col.length === 0) continue;
    const entries = col.map((id) => {
      const n = byId[id];
      const lines = [n.label];
      if (n.importFailed) lines.push(`import failed: ${n.importFailed.reason || 'unknown reason'}`);
      if (n.missing) lines.push('not in the folder');
      if (n.problem) lines.push('trigger annotation rejected');
      return { n, lines: lines.map(clipText), full: [n.label, ...lines.slice(1)].join(' — ') };
    });
    const w = Math.min(320, Math.max(110, ...entries.map((e) => Math.max(...e.lines.map((l) => l.length)) * 7 + 20)));
    let y = 8;
    for (const e of entries) {
      const h = 14 + 15 * e.lines.length;
      placed.push({
        id: e.n.id,
        kind: e.n.kind,
        lines: e.lines,
        full: e.full,
        bad: Boolean(e.n.importFailed || e.n.problem),
        missing: Boolean(e.n.missing),
        x,
        y,
        w,
        h,
        col: c,
      });
      y += h + 14;
    }
    height = Math.max(height, y);
    x += w + 90;
  }
  return { nodes: placed, width: Math.max(x - 90 + 8, 120), height: Math.max(height, 40) };
}

/**
 * The trigger graph as inline SVG. Tag and workload boxes are links to their rows in the tables
 * (`linkable` says which tags have a row); every text is escaped.
 */
export function renderGraphSvg(graph: StatusDocument['graph'], linkable: Record<string, boolean>): string {
  const layout = layoutGraph(graph);
  const at: Record<string, PlacedNode> = {};
  for (const n of layout.nodes) at[n.id] = n;
  const fill: Record<string, string> = {
    repository: '#e7f0fb',
    tag: '#ffffff',
    workload: '#e8f5e9',
    build: '#f3e8fb',
    marker: '#fff8e1',
  };
  const edges = graph.edges
    .map((e) => {
      const a = at[e.from];
      const b = at[e.to];
      if (!a || !b) return '';
      const forward = a.col < b.col;
      const x1 = forward ? a.x + a.w : a.x;
      const x2 = forward ? b.x : b.x + b.w;
      const y1 = a.y + a.h / 2;
      const y2 = b.y + b.h / 2;
      const bend = forward ? Math.max(30, (x2 - x1) / 2) : -Math.max(40, Math.abs(x1 - x2) / 3);
      const d = forward
        ? `M${x1} ${y1}C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`
        : a.col === b.col
          ? `M${a.x + a.w} ${y1}C${a.x + a.w + 50} ${y1} ${b.x + b.w + 50} ${y2} ${b.x + b.w} ${y2}`
          : `M${x1} ${y1}C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`;
      const bad = b.bad && e.kind !== 'trigger';
      const cls = e.inactive ? 'edge off' : bad ? 'edge bad' : 'edge';
      const marker = e.inactive ? 'arrow-off' : bad ? 'arrow-bad' : 'arrow';
      const label = e.label.length > 28 ? `${e.label.slice(0, 27)}…` : e.label;
      // Labels sit just before the arrowhead: one arrow comes into most boxes, so they rarely collide.
      const mx = forward ? x2 - 8 : x2 + 8;
      const my = y2 - 5;
      return (
        `<g class="${cls}"><title>${escapeHtml(`${a.full} → ${b.full}${e.label ? ` (${e.label})` : ''}`)}</title>` +
        `<path d="${d}" marker-end="url(#${marker})"/>${
          label
            ? `<text x="${mx}" y="${my}" text-anchor="${forward ? 'end' : 'start'}" class="edge-label">${escapeHtml(label)}</text>`
            : ''
        }</g>`
      );
    })
    .join('');
  const nodes = layout.nodes
    .map((n) => {
      const href =
        n.kind === 'tag' && linkable[n.id]
          ? `#${anchorId('t', n.id)}`
          : n.kind === 'workload' || n.kind === 'build' || n.kind === 'marker'
            ? `#${anchorId('w', n.id)}`
            : '';
      const cls = `node node-${escapeHtml(n.kind)}${n.bad ? ' bad' : ''}${n.missing ? ' missing' : ''}`;
      const text = n.lines
        .map(
          (l, i) =>
            `<text x="${n.x + 10}" y="${n.y + 19 + i * 15}"${i > 0 ? ' class="note"' : ''}>${escapeHtml(l)}</text>`,
        )
        .join('');
      const box = `<rect x="${n.x}" y="${n.y}" width="${n.w}" height="${n.h}" rx="6" fill="${n.bad ? '#fde8e8' : (fill[n.kind] ?? '#ffffff')}"/>${text}`;
      return href
        ? `<a href="${href}" class="${cls}" aria-label="${escapeHtml(n.full)}"><title>${escapeHtml(n.full)}</title>${box}</a>`
        : `<g class="${cls}"><title>${escapeHtml(n.full)}</title>${box}</g>`;
    })
    .join('');
  const defs = [
    ['arrow', '#444444'],
    ['arrow-off', '#8a8a8a'],
    ['arrow-bad', '#b00020'],
  ]
    .map(
      ([id, color]) =>
        `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" ` +
        `markerHeight="8" orient="auto"><path d="M0 0L10 5L0 10z" fill="${color}"/></marker>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="group" ` +
    `aria-labelledby="graph-caption" viewBox="0 0 ${layout.width} ${layout.height}" ` +
    `width="${layout.width}" height="${layout.height}"><defs>${defs}</defs>${edges}${nodes}` +
    `</svg>`
  );
}
