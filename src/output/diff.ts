/**
 * Unified diffs of state-file changes, in the format of `diff -u` / `git diff` (what
 * `kubectl diff` prints): `--- a/PATH` / `+++ b/PATH` headers (`/dev/null` for a created or
 * deleted file), `@@ -l,n +l,n @@` hunks with 3 lines of context. A pure function; the line
 * diff is Myers' O(ND) algorithm after trimming the common prefix and suffix, so a one-line
 * change in a 10,000-line file costs next to nothing.
 */
import { Chalk } from 'chalk';
import type { FileChange } from '../state/types.js';
import { escapeLine } from '../domain/escape.js';
import { redactUserInfo } from '../domain/reference.js';

/** Options of `unifiedDiff`. */
export interface DiffOptions {
  color: boolean;
  /** Lines of context around each change (default 3). */
  context?: number;
}

/** One line of an edit script: kept (' '), removed ('-') or added ('+'), with 0-based line numbers. */
export type Op = { kind: ' ' | '-' | '+'; text: string; oldNo: number; newNo: number };

/** Lines of a text; a last line without newline keeps a trailing "\n" so that it differs from the same line with one. */
function splitLines(text: string | null): string[] {
  if (text === null || text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n';
  return lines;
}

/** Myers' greedy shortest edit script between a[lo..ahi) and b[lo..bhi); undefined when D grows past `maxD`. */
function myers(a: string[], b: string[], maxD: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(max, maxD); d++) {
    // Only diagonals -d-1..d+1 of the previous step are read back: keep that window (O(D²) memory, not O(D·(N+M))).
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], a: string[], b: string[], dEnd: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d >= 0; d--) {
    const w = trace[d];
    const at = (k: number): number => w[k + d + 1];
    const k = x - y;
    const prevK = d === 0 ? 0 : k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: ' ', text: a[--x], oldNo: x, newNo: --y });
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', text: b[--y], oldNo: x, newNo: y });
      else ops.push({ kind: '-', text: a[--x], oldNo: x, newNo: y });
    }
  }
  return ops.reverse();
}

/** The line edit script from `a` to `b` (oldNo/newNo are 0-based). */
export function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const midA = a.slice(pre, a.length - suf);
  const midB = b.slice(pre, b.length - suf);
  // A created, deleted or purely appended/truncated region needs no search.
  const trivial = midA.length === 0 || midB.length === 0;
  const mid = (trivial ? undefined : myers(midA, midB, 3000)) ?? [
    ...midA.map((text, i) => ({ kind: '-' as const, text, oldNo: i, newNo: 0 })),
    ...midB.map((text, i) => ({ kind: '+' as const, text, oldNo: midA.length, newNo: i })),
  ];
  const ops: Op[] = [];
  for (let i = 0; i < pre; i++) ops.push({ kind: ' ', text: a[i], oldNo: i, newNo: i });
  for (const o of mid) ops.push({ ...o, oldNo: o.oldNo + pre, newNo: o.newNo + pre });
  for (let i = 0; i < suf; i++)
    ops.push({ kind: ' ', text: a[a.length - suf + i], oldNo: a.length - suf + i, newNo: b.length - suf + i });
  return ops;
}

/** `l,n` of a hunk side, in diff's convention (`l` alone when n is 1; the line before when n is 0). */
function range(start: number, count: number): string {
  if (count === 1) return `${start + 1}`;
  return `${count === 0 ? start : start + 1},${count}`;
}

/** Groups an edit script into hunks with `context` lines around changes (merged when they touch). */
function hunks(ops: Op[], context: number): Op[][] {
  const changed = ops.map((o, i) => (o.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  const groups: [number, number][] = [];
  for (const i of changed) {
    const last = groups[groups.length - 1];
    if (last && i - last[1] - 1 <= 2 * context) last[1] = i;
    else groups.push([i, i]);
  }
  return groups.map(([first, last]) =>
    ops.slice(Math.max(0, first - context), Math.min(ops.length, last + context + 1)),
  );
}

/** A unified diff of one file change; empty when the texts are equal. */
export function unifiedDiff(change: FileChange, options: DiffOptions): string {
  if (change.before === change.after) return '';
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const a = splitLines(change.before);
  const b = splitLines(change.after);
  const ops = diffLines(a, b);
  const out: string[] = [
    c.bold(change.before === null ? '--- /dev/null' : `--- a/${change.path}`),
    c.bold(change.after === null ? '+++ /dev/null' : `+++ b/${change.path}`),
  ];
  for (const h of hunks(ops, options.context ?? 3)) {
    const oldLines = h.filter((o) => o.kind !== '+');
    const newLines = h.filter((o) => o.kind !== '-');
    const oldStart = oldLines.length ? oldLines[0].oldNo : h[0].oldNo;
    const newStart = newLines.length ? newLines[0].newNo : h[0].newNo;
    out.push(c.cyan(`@@ -${range(oldStart, oldLines.length)} +${range(newStart, newLines.length)} @@`));
    for (const o of h) {
      const noEol = o.text.endsWith('\n');
      const text = noEol ? o.text.slice(0, -1) : o.text;
      // A CRLF line keeps its CR (it is the file's line ending, not a control sequence).
      const cr = text.endsWith('\r') ? '\r' : '';
      // CI logs keep diffs: a hand-written user:password@ in a pull spec is not shown.
      const line = o.kind + escapeLine(redactUserInfo(cr ? text.slice(0, -1) : text)) + cr;
      out.push(o.kind === '-' ? c.red(line) : o.kind === '+' ? c.green(line) : line);
      if (noEol) out.push('\\ No newline at end of file');
    }
  }
  return `${out.join('\n')}\n`;
}
