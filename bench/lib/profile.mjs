// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per file, so a
// missed target can name the code that is slow. Paths are shown relative to the repository.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './measure.mjs';

function shortUrl(url) {
  if (!url) return '(native)';
  const p = url.replace(/^file:\/\//, '');
  return p.startsWith(ROOT) ? path.relative(ROOT, p) : p;
}

/** Reads one profile; returns { totalMs, topFunctions: [...], topFiles: [...] } (self time). */
export function summarizeProfile(file, top = 20) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dts = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (dts[i] ?? 0));
  }
  const fn = new Map();
  const files = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    total += us;
    const name = cf.functionName || '(anonymous)';
    const u = shortUrl(cf.url);
    const key = `${name} ${u}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const fk = cf.url ? u : name; // (garbage collector), (idle), (program) stand alone
    files.set(fk, (files.get(fk) ?? 0) + us);
  }
  const rank = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ ms: +(us / 1000).toFixed(1), pct: +((100 * us) / total).toFixed(1), where: k }));
  return { totalMs: +(total / 1000).toFixed(1), topFunctions: rank(fn), topFiles: rank(files) };
}

/** Summarises every .cpuprofile in `dir` (one per process). */
export function summarizeDir(dir, top) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ file: f, ...summarizeProfile(path.join(dir, f), top) }));
}
