/**
 * Marker comments in any YAML file of the state folder (Helm values, kustomization.yaml, custom
 * resources): finds the value each `# {"$imagestreamtag": "…"}` comment marks, and rewrites only
 * that value's text, keeping its quoting, the comment and every other byte of the file.
 */
import { isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Node, Scalar } from 'yaml';
import { renderYamlFlowScalar, renderYamlScalar } from './edit/render.js';

/** The word that makes a comment a marker; files without it are not parsed for markers. */
export const MARKER_KEY = '$imagestreamtag';

/** One marker as written in a file. */
export interface FoundMarker {
  /** 1-based line of the marker comment. */
  line: number;
  /** The value of `$imagestreamtag`, or undefined when the comment is malformed. */
  raw?: string;
  /** Why the marker cannot be used (malformed, or no value on its line). */
  error?: string;
  /** The marked value's text span, its current value and its quoting. */
  start: number;
  end: number;
  current: string;
  quote?: string;
  flow: boolean;
}

const MARKER_RE = /#\s*(\{\s*"\$imagestreamtag"\s*:\s*"(?:[^"\\]|\\.)*"\s*\})\s*$/;

interface ValueNode {
  node: Scalar;
  flow: boolean;
}

function collectValues(node: Node | null | undefined, flow: boolean, out: ValueNode[]): void {
  if (!node) return;
  if (isScalar(node)) {
    out.push({ node, flow });
    return;
  }
  if (isMap(node)) {
    const f = flow || !!node.flow;
    for (const p of node.items) if (isPair(p)) collectValues(p.value as Node | null, f, out);
    return;
  }
  if (isSeq(node)) {
    const f = flow || !!node.flow;
    for (const item of node.items) collectValues(item as Node, f, out);
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Every marker of a YAML text, in order; [] when the text has none (or does not parse). */
export function findMarkers(text: string): FoundMarker[] {
  if (!text.includes(MARKER_KEY)) return [];
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return [];
  const values: ValueNode[] = [];
  for (const d of docs) collectValues(d.contents as Node | null, false, values);
  const inScalar = (pos: number) => values.some(({ node }) => node.range && pos > node.range[0] && pos < node.range[1]);
  const starts = lineStarts(text);
  const out: FoundMarker[] = [];
  for (let i = 0; i < starts.length; i++) {
    const lineStart = starts[i];
    const lineEnd = i + 1 < starts.length ? starts[i + 1] - 1 : text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const keyAt = line.indexOf(`"${MARKER_KEY}"`);
    if (keyAt < 0) continue;
    const hash = line.lastIndexOf('#', keyAt);
    if (hash < 0 || inScalar(lineStart + hash)) continue;
    const base = { line: i + 1, start: 0, end: 0, current: '', flow: false };
    const m = MARKER_RE.exec(line.slice(hash));
    if (m?.index !== 0) {
      out.push({ ...base, error: `malformed marker; write it as # {"${MARKER_KEY}": "STREAM:TAG[:FIELD]"}` });
      continue;
    }
    let raw: string;
    try {
      raw = (JSON.parse(m[1]) as Record<string, string>)[MARKER_KEY];
    } catch {
      out.push({ ...base, error: `malformed marker; write it as # {"${MARKER_KEY}": "STREAM:TAG[:FIELD]"}` });
      continue;
    }
    const commentAt = lineStart + hash;
    const candidates = values.filter(
      ({ node }) =>
        node.range &&
        node.range[0] >= lineStart &&
        node.range[1] <= commentAt &&
        (node.range[0] < node.range[1] || node.value === null),
    );
    const target = candidates[candidates.length - 1];
    if (!target || (target.node.value !== null && typeof target.node.value === 'object')) {
      out.push({ ...base, raw, error: 'the marker is on a line with no value to set' });
      continue;
    }
    let [start, end] = target.node.range!;
    if (target.node.value === null && start === end) {
      // An empty value (`digest: # marker`): its text goes right after the `:` or `-` before the comment.
      const before = line.slice(0, hash).replace(/\s+$/, '');
      if (!/[:-]$/.test(before)) {
        out.push({ ...base, raw, error: 'the marker is on a line with no value to set' });
        continue;
      }
      start = end = lineStart + before.length;
    }
    const current = target.node.value === null ? '' : String(target.node.value);
    out.push({ line: i + 1, raw, start, end, current, quote: target.node.type, flow: target.flow });
  }
  return out;
}

/**
 * Sets marker `i` of `text` to `values.get(i)`; markers not in `values`, or already holding their
 * value, keep their bytes. The markers are found again in `text`, so earlier edits of the same
 * file (a trigger's) are taken into account; returns the text unchanged when nothing differs.
 */
export function setMarkerValues(text: string, values: ReadonlyMap<number, string>): string {
  if (values.size === 0) return text;
  const found = findMarkers(text);
  let out = text;
  for (let i = found.length - 1; i >= 0; i--) {
    const want = values.get(i);
    const m = found[i];
    if (want === undefined || m.error || m.current === want) continue;
    const rendered = m.flow ? renderYamlFlowScalar(want, m.quote) : renderYamlScalar(want, m.quote);
    const lead = m.start === m.end && out[m.start - 1] === ':' ? ' ' : '';
    out = out.slice(0, m.start) + lead + rendered + out.slice(m.end);
  }
  return out;
}
