#!/usr/bin/env node
// Before/after: one line per full results file (bench/results/{startup,scale,import}-<time>.json)
// with the commit it measured, the load, and the numbers the targets are about.
// usage: node bench/history.mjs
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/measure.mjs';
import { importReport } from './lib/report.mjs';

const dir = path.join(ROOT, 'bench', 'results');
const files = (name) =>
  readdirSync(dir)
    .filter((x) => new RegExp(`^${name}-\\d{4}-`).test(x))
    .sort();
const load = (m) => (m.loadavgAtStart ?? m.loadavg ?? ['?'])[0];
const v = (x) => (x === undefined ? '—' : x);

console.log(
  '| results | isctl | load | `--version` over node | `get is` (100) over node | same run, BENCH_ISCTL_BEFORE: ' +
    '`--version` · `get is` over node | `get is` without code cache over node |\n' +
    '| --- | --- | --- | --- | --- | --- | --- |',
);
for (const f of files('startup')) {
  const d = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const c = d.compare;
  console.log(
    `| ${f} | ${d.machine.isctlCommit} | ${load(d.machine)} | +${v(d.targets.version.value)} ms | ` +
      `+${v(d.targets.getIs100.value)} ms | ${c ? `+${c.versionOverNode.before} · +${c.getIs100OverNode.before} ms` : '—'} | ` +
      `${c ? `+${c.getIs100NoCacheOverNode} ms` : '—'} |`,
  );
}
console.log(
  '\n| results | isctl | load | `get is -A` 10k ms · MB | `describe` 10k ms | `refresh --dry-run` 10k ms · MB |\n| --- | --- | --- | --- | --- | --- |',
);
for (const f of files('scale')) {
  const d = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const r = d.results[10000] ?? {};
  console.log(
    `| ${f} | ${d.machine.isctlCommit} | ${load(d.machine)} | ${v(r.getAll?.medianMs)} · ` +
      `${v(r.getAll?.maxRssMB)} | ${v(r.describe?.medianMs)} | ${v(r.refreshDryRun?.medianMs)} · ` +
      `${v(r.refreshDryRun?.maxRssMB)} |`,
  );
}
console.log(
  '\n| results | isctl | load | proxy cold: isctl ÷ floor, skopeo ÷ isctl | proxy warm ÷ ' +
    'floor | loopback cold ÷ floor | req/tag cold · warm | 1,000-tag import MB |\n' +
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
);
for (const f of files('import')) {
  const d = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const s = importReport(d).summary;
  const p = s.proxy;
  const l = s.loopback;
  console.log(
    `| ${f} | ${d.machine.isctlCommit} | ${load(d.machine)} | ${v(p?.cold.isctlOverFloor)}, ` +
      `${v(p?.cold.skopeoOverIsctl)} | ${v(p?.warm.isctlOverFloor)} | ` +
      `${v(l?.cold.isctlOverFloor)} | ${v(p?.cold.requests.isctl?.perTag)} · ` +
      `${v(p?.warm.requests.isctl?.perTag)} | ${v(l?.bigImportMaxRssMB)} |`,
  );
}
