#!/usr/bin/env node
// Profiles one isctl command (node --cpu-prof) and prints where the time went: the top functions
// and files by self time. With --scale N it first writes a scale folder of N streams (as
// bench/scale.mjs does, registry host fake: only for commands that do not import) and passes
// --dir to isctl. usage:
//   node bench/profile.mjs [--scale 10000] [--top 25] -- get is -A
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeScaleFolder } from './lib/folders.mjs';
import { isctl } from './lib/measure.mjs';
import { summarizeDir } from './lib/profile.mjs';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep < 0 ? [] : argv.slice(0, sep);
const args = sep < 0 ? argv : argv.slice(sep + 1);
const opt = (name, dflt) => {
  const i = own.indexOf(name);
  return i < 0 ? dflt : Number(own[i + 1]);
};
const scale = opt('--scale', 0);
const top = opt('--top', 25);

const work = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-profile-'));
const profDir = path.join(work, 'prof');
const extra = [];
if (scale) {
  const pins = Array.from({ length: 50 }, (_, i) => ({
    repo: `team/app${i % 7}`,
    digest: `sha256:${String(i).padStart(4, '0').repeat(16)}`,
  }));
  writeScaleFolder(path.join(work, 'state'), 'registry.bench.example:5000', { streams: scale, pins });
  extra.push('--dir', path.join(work, 'state'));
}
const r = await isctl([...args, ...extra], { rss: true, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
console.log(
  `isctl ${args.join(' ')}${scale ? ` (${scale} streams)` : ''}: exit ${r.code}, ${r.wallMs} ms wall (profiled), peak RSS ${r.maxRssMB} MB`,
);
for (const p of summarizeDir(profDir, top)) {
  console.log(`\nsampled ${p.totalMs} ms — top functions by self time:`);
  for (const x of p.topFunctions)
    console.log(`${String(x.pct).padStart(5)}% ${String(x.ms).padStart(8)} ms  ${x.where}`);
  console.log('\ntop files by self time:');
  for (const x of p.topFiles) console.log(`${String(x.pct).padStart(5)}% ${String(x.ms).padStart(8)} ms  ${x.where}`);
}
rmSync(work, { recursive: true, force: true });
