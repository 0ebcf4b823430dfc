#!/usr/bin/env node
// Benchmark 3 of issue 7: start-up. Median wall time of `isctl --version` and `isctl get is` on a
// 100-stream folder, against `node -e 0` on the same machine, each run as its own process,
// round-robin so that load from other processes hits all three alike.
// usage: node bench/startup.mjs   (env BENCH_RUNS, default 20)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeScaleFolder } from './lib/folders.mjs';
import { run, isctl, interleave, machine, saveResults, isctlHelp } from './lib/measure.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const fake = (i) => ({ repo: `team/app${i % 7}`, digest: `sha256:${String(i).padStart(4, '0').repeat(16)}` });

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-startup-'));
  const dir = path.join(work, 'state');
  // No registry is contacted by these commands; the host only has to look real.
  writeScaleFolder(dir, 'registry.bench.example:5000', {
    streams: 100,
    nsNames: ['default'],
    pins: Array.from({ length: 50 }, (_, i) => fake(i)),
  });
  const hasGet = Boolean(await isctlHelp('get'));
  const fns = {
    node: () => run(process.execPath, ['-e', '0'], { rss: true }),
    version: () => isctl(['--version'], { rss: true }),
    ...(hasGet ? { getIs: () => isctl(['get', 'is', '--dir', dir], { rss: true }) } : {}),
  };
  const { node, version, getIs } = await interleave(RUNS, fns, { warmup: 3 });
  rmSync(work, { recursive: true, force: true });
  const pick = (r) =>
    r && {
      medianMs: r.medianMs,
      minMs: r.minMs,
      maxMs: r.maxMs,
      runs: r.runs,
      exit: r.last.code,
      maxRssMB: r.last.maxRssMB,
      lines: r.last.stdout.split('\n').filter(Boolean).length,
    };
  const results = {
    nodeE0: pick(node),
    version: pick(version),
    getIs100: pick(getIs) ?? { missing: 'isctl get not available in this build' },
  };
  const over = (r) =>
    r?.medianMs === undefined || r.exit !== 0 ? undefined : +(r.medianMs - results.nodeE0.medianMs).toFixed(1);
  const targets = {
    version: { value: over(results.version), target: '<= node -e 0 + 40 ms' },
    getIs100: { value: over(results.getIs100), target: '<= node -e 0 + 150 ms' },
  };
  targets.version.met = targets.version.value === undefined ? undefined : targets.version.value <= 40;
  targets.getIs100.met = targets.getIs100.value === undefined ? undefined : targets.getIs100.value <= 150;
  const data = { benchmark: 'startup', machine: machine(), runs: RUNS, results, targets };
  const file = saveResults('startup', data);
  const row = (name, r, t) =>
    `| ${name} | ${r?.medianMs ?? '—'} | ${r?.maxRssMB ?? '—'} | ${
      t ? `+${t.value ?? '—'} ms (${t.target}): ` + `${t.met === undefined ? '—' : t.met ? 'met' : 'MISSED'}` : ''
    } |`;
  console.log(
    [
      '| command | median ms | peak RSS MB | over node -e 0 |',
      '| --- | --- | --- | --- |',
      row('node -e 0', results.nodeE0),
      row('isctl --version', results.version, targets.version),
      row('isctl get is (100 streams)', results.getIs100, targets.getIs100),
    ].join('\n'),
  );
  console.error(`results: ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
