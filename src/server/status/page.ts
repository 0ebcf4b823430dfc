/**
 * The status page: one self-contained HTML document (styles and script inline, no external
 * asset, works offline), readable without JavaScript; with it, the page asks for
 * `api/v1/status` every few seconds and re-renders the sections that changed with the same
 * renderers the server used (render.ts, shipped as their source text). The Content-Security-
 * Policy allows exactly this script and this style sheet (by hash) and nothing else.
 */
import { createHash } from 'node:crypto';
import {
  anchorId,
  byText,
  breakable,
  escapeHtml,
  formatAge,
  formatDuration,
  layoutGraph,
  renderDeliveries,
  renderGraphSvg,
  renderImports,
  renderProblems,
  renderScheduler,
  renderSections,
  renderSummary,
  tagRow,
  tableHtml,
  renderTags,
  renderTriggers,
  shortDigest,
  stateLabel,
  timeHtml,
} from './render.js';
import type { StatusDocument } from './types.js';

/** The renderers the page's script carries (each must be self-contained: see render.ts). */
export const SHIPPED_RENDERERS: readonly ((...args: never[]) => unknown)[] = [
  escapeHtml,
  breakable,
  byText,
  formatAge,
  formatDuration,
  shortDigest,
  anchorId,
  timeHtml,
  stateLabel,
  renderSections,
  renderSummary,
  renderTags,
  tagRow,
  tableHtml,
  renderScheduler,
  renderImports,
  renderDeliveries,
  renderTriggers,
  renderProblems,
  layoutGraph,
  renderGraphSvg,
  pageTitle,
];

/** The document title: failing and held-back counts first, so a background tab shows them. */
export function pageTitle(doc: StatusDocument): string {
  const s = doc.summary;
  const bad = [s.failed ? `${s.failed} failing` : '', s.heldBack ? `${s.heldBack} held back` : '']
    .filter(Boolean)
    .join(', ');
  return `${bad ? `(${bad}) ` : ''}isctl serve status`;
}

/** The minimal DOM the page script uses (the project compiles without the DOM library). */
interface PageElement {
  innerHTML: string;
  textContent: string | null;
  hidden: boolean;
  tagName: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  contains(other: unknown): boolean;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  focus(options?: { preventScroll: boolean }): void;
  addEventListener(type: string, listener: () => void): void;
}

interface PageDocument {
  title: string;
  hidden: boolean;
  activeElement: PageElement | null;
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  addEventListener(type: string, listener: () => void): void;
}

interface PageGlobals {
  document: PageDocument;
  fetch(
    url: string,
    init: Record<string, unknown>,
  ): Promise<{
    status: number;
    headers: { get(name: string): string | null };
    json(): Promise<unknown>;
  }>;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The page's script (runs in the browser, shipped as source text; the renderers come as a parameter so
 * that the text names no module binding): polls the status document
 * with If-None-Match, re-renders changed sections (keeping keyboard focus on the same link),
 * keeps ages current, pauses on request (WCAG 2.2.2) and while the tab is hidden, and backs off
 * when serve cannot be reached.
 */
export function statusClient(
  refreshMs: number,
  r: { renderSections: typeof renderSections; formatAge: typeof formatAge; pageTitle: typeof pageTitle },
): void {
  const g = globalThis as unknown as PageGlobals;
  const doc = g.document;
  const meta = doc.querySelector('meta[name="isctl-status"]');
  let etag = meta?.getAttribute('content') || null;
  let offset = Date.parse(meta?.getAttribute('data-generated-at') ?? '') - Date.now() || 0;
  let paused = false;
  let failures = 0;
  let timer: unknown;
  const last: Record<string, string> = {};
  const live = doc.getElementById('live');
  const button = doc.getElementById('pause');
  const liveText = `Live: updated every ${refreshMs / 1000} s.`;
  const say = (text: string) => {
    if (live && live.textContent !== text) live.textContent = text;
  };
  const ages = () => {
    const now = Date.now() + offset;
    for (const t of Array.from(doc.querySelectorAll('time[data-age]'))) {
      const age = r.formatAge(t.getAttribute('datetime'), now);
      if (age && t.textContent !== age) t.textContent = age;
    }
  };
  const keyOf = (el: PageElement) => `${el.tagName}|${el.getAttribute('href') ?? ''}|${el.textContent ?? ''}`;
  const apply = (d: StatusDocument) => {
    doc.title = r.pageTitle(d);
    for (const s of r.renderSections(d)) {
      const el = doc.getElementById(s.id);
      if (!el || last[s.id] === s.html) continue;
      const active = doc.activeElement;
      const key = active && el.contains(active) ? keyOf(active) : null;
      el.innerHTML = s.html;
      last[s.id] = s.html;
      if (key === null) continue;
      const again = Array.from(el.querySelectorAll('a, button, [tabindex]')).find((x) => keyOf(x) === key);
      again?.focus({ preventScroll: true });
    }
  };
  const schedule = () => {
    if (timer !== undefined || paused) return;
    const wait = failures ? Math.min(60_000, refreshMs * 2 ** failures) : refreshMs;
    timer = g.setTimeout(poll, wait);
  };
  const poll = async () => {
    timer = undefined;
    if (paused || doc.hidden) return; // the button or visibilitychange starts it again
    try {
      const res = await g.fetch('api/v1/status', {
        headers: etag ? { 'If-None-Match': etag } : {},
        cache: 'no-store',
        credentials: 'same-origin',
      });
      if (res.status === 401) {
        say('Updates stopped: serve asks for the token again. Reload the page to sign in.');
        return;
      }
      if (res.status === 200) {
        const d = (await res.json()) as StatusDocument;
        etag = res.headers.get('etag');
        offset = Date.parse(d.generatedAt) - Date.now() || 0;
        apply(d);
      } else if (res.status !== 304) throw new Error(`HTTP ${res.status}`);
      failures = 0;
      say(liveText);
    } catch (err) {
      failures++;
      say(`Updates failed (${(err as Error).message}): serve may have stopped. Retrying.`);
    }
    ages();
    schedule();
  };
  if (button) {
    button.hidden = false;
    button.addEventListener('click', () => {
      paused = !paused;
      button.setAttribute('aria-pressed', String(paused));
      if (paused) {
        g.clearTimeout(timer);
        timer = undefined;
        say('Live updates paused.');
      } else void poll();
    });
  }
  doc.addEventListener('visibilitychange', () => {
    if (!doc.hidden && timer === undefined && !paused) void poll();
  });
  say(liveText);
  schedule();
}

const STYLE = `
:root{color-scheme:light;--fg:#1b1b1b;--muted:#595959;--line:#d0d0d0;--link:#0b57d0;--focus:#1a5fb4}
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
header,main{padding:0 1rem;max-width:110rem;margin:0 auto}
header{border-bottom:1px solid var(--line);padding-top:.5rem;padding-bottom:.5rem}
h1{font-size:1.5rem;margin:.25rem 0}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
a{color:var(--link)}
a:focus-visible,button:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem;z-index:2}
nav ul,.plain{list-style:none;margin:0;padding:0}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem}
#live{margin:.25rem 0;color:var(--muted)}
button{font:inherit;padding:.25rem .75rem;border:1px solid #767676;border-radius:4px;background:#f6f6f6;cursor:pointer}
button[aria-pressed="true"]{background:#1b1b1b;color:#fff}
.facts{margin:.25rem 0;padding-left:1.25rem}
dl.facts{padding:0;display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9375rem}
caption{text-align:left;color:var(--muted);padding:.25rem 0;caption-side:top}
th,td{text-align:left;vertical-align:top;padding:.375rem .5rem;border-bottom:1px solid var(--line)}
thead th{border-bottom:2px solid #8f8f8f;white-space:nowrap}
tbody tr:target{background:#fff3bf}
.tagname{font-weight:600;overflow-wrap:anywhere}
code{font:.875em/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:break-word}
code.digest{white-space:nowrap}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:0 .375rem;border-radius:3px;border:1px solid;font-size:.8125rem;font-weight:600;white-space:nowrap}
.state-ok{color:#0f5323;background:#e6f4ea}
.state-failed{color:#8a0010;background:#fde8e8}
.state-heldBack{color:#6b4200;background:#fff1d6}
.state-pending,.state-reference{color:#3c3c3c;background:#efefef}
.row-failed th,.row-heldBack th{border-left:4px solid #b00020}
.row-heldBack th{border-left-color:#b26b00}
.why{overflow-wrap:anywhere}
.tagline{font-size:.8125rem;color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 .25rem}
figure{margin:0}
figcaption{color:var(--muted);font-size:.875rem;margin:.25rem 0 1rem}
svg.graph{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;display:block}
svg .node rect{stroke:#5f5f5f;stroke-width:1}
svg .node.bad rect{stroke:#b00020;stroke-dasharray:5 3;stroke-width:1.5}
svg .node.missing rect{stroke-dasharray:3 3;fill:#f6f6f6}
svg .node text{fill:#1b1b1b}
svg .node text.note{fill:#8a0010}
svg a.node:focus{outline:none}
svg a.node:focus-visible rect,svg a.node:hover rect{stroke:var(--focus);stroke-width:3}
svg .edge path{fill:none;stroke:#444;stroke-width:1.25}
svg .edge.off path{stroke:#8a8a8a;stroke-dasharray:2 3}
svg .edge.bad path{stroke:#b00020;stroke-dasharray:5 3}
svg .edge-label{font-size:10px;fill:#3c3c3c;paint-order:stroke;stroke:#fff;stroke-width:3px}
@media (max-width:40rem){
body{font-size:15px}
header,main{padding:0 .5rem}
th,td{padding:.25rem .375rem}
table{font-size:.875rem}
.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
.cards caption{display:block}
.cards,.cards tbody,.cards tr,.cards td,.cards th{display:block}
.cards tr{display:flex;flex-direction:column;border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.375rem .5rem}
.cards tr.row-failed{border-left:4px solid #b00020}
.cards tr.row-heldBack{border-left:4px solid #b26b00}
.cards td,.cards th{border:0;padding:.125rem 0}
.cards tbody th{order:-1;font-size:1.0625rem;border-left:0!important}
.cards td::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}
}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto}}
`;

/** The page script's text, once (it is the same for every page; its hash goes into the CSP). */
function scriptText(refreshMs: number): string {
  // The functions are shipped as their source text. In the bundled CLI (esbuild with keepNames)
  // that text calls esbuild's __name(fn, "name") helper, which lives outside them: the page gets
  // a stand-in that returns the function, or every call would throw a ReferenceError.
  const text =
    `"use strict";\nvar __name = (f) => f;\n${SHIPPED_RENDERERS.map((f) => f.toString()).join('\n')}\n` +
    `(${statusClient.toString()})(${JSON.stringify(refreshMs)}, { renderSections, formatAge, ` +
    `pageTitle });\n`;
  // A "</script" in the text would end the element early; "<\/" means the same in JavaScript.
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** A rendered page and the Content-Security-Policy that allows exactly its script and style. */
export interface RenderedPage {
  html: string;
  contentSecurityPolicy: string;
}

const scripts = new Map<number, { text: string; hash: string }>();

/** Renders the whole page for a status document. */
export function renderStatusPage(doc: StatusDocument, etag: string): RenderedPage {
  const refreshMs = doc.refreshSeconds * 1000;
  let script = scripts.get(refreshMs);
  if (!script) {
    const text = scriptText(refreshMs);
    script = { text, hash: hash(text) };
    scripts.set(refreshMs, script);
  }
  const sections = renderSections(doc)
    .map((s) =>
      s.id === 'summary'
        ? `<section id="summary" aria-label="Summary">${s.html}</section>`
        : `<section id="${s.id}"${s.html ? ` aria-labelledby="${s.id}-title"` : ''}>${s.html}</section>`,
    )
    .join('\n');
  const nav = [
    ['#tags', 'Tags'],
    ['#scheduler', 'Scheduler'],
    ['#imports', 'Imports'],
    ['#deliveries', 'Webhook deliveries'],
    ['#triggers', 'Triggers'],
    ['api/v1/status', 'JSON'],
  ]
    .map(([href, text]) => `<li><a href="${href}">${text}</a></li>`)
    .join('');
  const html =
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="isctl-status" content="${escapeHtml(etag)}" data-generated-at="${escapeHtml(doc.generatedAt)}">
<title>${escapeHtml(pageTitle(doc))}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#tags">Skip to the tags</a>
<header>
<h1>isctl serve</h1>
<p id="live" role="status">A snapshot taken ${timeHtml(doc.generatedAt, Date.parse(doc.generatedAt))}: ` +
    `reload the page for newer data (live updates need JavaScript).</p>
<button type="button" id="pause" aria-pressed="false" hidden>Pause live updates</button>
<nav aria-label="Sections"><ul>${nav}</ul></nav>
</header>
<main>
${sections}
</main>
<script>${script.text}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${script.hash}`,
    `style-src ${hash(STYLE)}`,
    'img-src data:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy: csp };
}
