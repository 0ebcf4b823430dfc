#!/usr/bin/env node
// Prints the tables of the newest start-up, scale and import results (bench/results/*.json), as
// bench/README.md quotes them. usage: node bench/summary.mjs
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/measure.mjs';
import { importReport } from './lib/report.mjs';

const dir = path.join(ROOT, 'bench', 'results');
const newest = (name) => {
  // <name>-<ISO time>.json only: import-partial-… files are diagnostics.
  const f = readdirSync(dir)
    .filter((x) => new RegExp(`^${name}-\\d{4}-`).test(x) && x.endsWith('.json'))
    .sort()
    .pop();
  return f && { file: f, ...JSON.parse(readFileSync(path.join(dir, f), 'utf8')) };
};
const mark = (t) => (t?.met === undefined ? '—' : t.met ? 'met' : 'MISSED');

const s = newest('startup');
if (s) {
  console.log(`### Start-up (${s.file}, isctl ${s.machine.isctlCommit}, ${s.runs} runs, median)\n`);
  console.log(
    '| command | median ms | peak RSS MB | over `node -e 0` | target | result |\n| --- | --- | --- | --- | --- | --- |',
  );
  console.log(`| node -e 0 | ${s.results.nodeE0.medianMs} | ${s.results.nodeE0.maxRssMB} | | | |`);
  for (const [k, label] of [
    ['version', 'isctl --version'],
    ['getIs100', 'isctl get is (100 streams)'],
  ]) {
    const r = s.results[k];
    const t = s.targets[k];
    console.log(
      `| ${label} | ${r.medianMs ?? '—'} | ${r.maxRssMB ?? '—'} | +${t.value ?? '—'} ms | ${t.target} | ${mark(t)} |`,
    );
  }
  console.log();
}
const sc = newest('scale');
if (sc) {
  console.log(`### Scale (${sc.file}, isctl ${sc.machine.isctlCommit}, median of ${sc.runs})\n`);
  console.log(
    '| streams | command | median ms | first run ms | peak RSS MB | exit | check |\n| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const [n, r] of Object.entries(sc.results)) {
    for (const [_k, v] of Object.entries(r))
      console.log(
        `| ${n} | ${v.args.replace(/ --dir \S+/, '')} | ${v.medianMs} | ${v.firstMs} | ` +
          `${v.maxRssMB} | ${v.exit} | ${v.check ? JSON.stringify(v.check).replace(/"/g, '') : ''} |`,
      );
  }
  const [from, to] = (sc.sizes ?? [1000, 10000]).map((n) => n.toLocaleString('en-US'));
  console.log(`\n| growth ${from} → ${to} | time × | memory × |\n| --- | --- | --- |`);
  for (const [k, g] of Object.entries(sc.growth)) console.log(`| ${k} | ${g.timeRatio} | ${g.memRatio} |`);
  console.log('\n| target | value | result |\n| --- | --- | --- |');
  for (const [k, t] of Object.entries(sc.targets))
    if (t?.target) console.log(`| ${k}: ${t.target} | ${t.value} | ${mark(t)} |`);
  console.log();
}
const im = newest('import');
if (im) {
  console.log(`### Import (${im.file}, isctl ${im.machine.isctlCommit}, ${im.settings.connections} connections)\n`);
  console.log(importReport(im).text);
}
