#!/usr/bin/env node
// Start-up: median wall time of `isctl --version` and `isctl get is` on a 100-stream folder,
// against `node -e 0` on the same machine, each run as its own process, round-robin so that load
// from other processes hits every command alike. With BENCH_ISCTL_BEFORE (the bin/isctl.js of
// another build, e.g. from `bash bench/build-snapshot.sh COMMIT`) the same commands of that build
// run in the same rounds, so before and after are compared under the same load.
// `get is` also runs with NODE_DISABLE_COMPILE_CACHE=1: what a first run (no code cache yet) costs.
// usage: node bench/startup.mjs   (env BENCH_RUNS, default 40; BENCH_ISCTL; BENCH_ISCTL_BEFORE)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeScaleFolder } from './lib/folders.mjs';
import { run, ISCTL, interleave, machine, saveResults, isctlHelp, ensureGnuTime } from './lib/measure.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const BEFORE = process.env.BENCH_ISCTL_BEFORE;
const fake = (i) => ({ repo: `team/app${i % 7}`, digest: `sha256:${String(i).padStart(4, '0').repeat(16)}` });
// Targets of the start-up item: over a bare `node -e 0`.
const TARGET = { version: 20, getIs100: 60 };

async function main() {
  ensureGnuTime();
  const work = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-startup-'));
  const dir = path.join(work, 'state');
  // A code cache folder of this benchmark's own: other isctl runs on the machine do not touch it.
  const cacheEnv = { NODE_COMPILE_CACHE: path.join(work, 'compile-cache') };
  // No registry is contacted by these commands; the host only has to look real.
  writeScaleFolder(dir, 'registry.bench.example:5000', {
    streams: 100,
    nsNames: ['default'],
    pins: Array.from({ length: 50 }, (_, i) => fake(i)),
  });
  const cli = (bin, args, env = {}) =>
    run(process.execPath, [bin, ...args], { rss: true, env: { NO_COLOR: '1', ...cacheEnv, ...env } });
  const hasGet = Boolean(await isctlHelp('get'));
  const fns = {
    node: () => run(process.execPath, ['-e', '0'], { rss: true }),
    version: () => cli(ISCTL, ['--version']),
    ...(hasGet
      ? {
          getIs: () => cli(ISCTL, ['get', 'is', '--dir', dir]),
          getIsNoCache: () => cli(ISCTL, ['get', 'is', '--dir', dir], { NODE_DISABLE_COMPILE_CACHE: '1' }),
        }
      : {}),
    ...(BEFORE
      ? {
          versionBefore: () => cli(BEFORE, ['--version']),
          getIsBefore: () => cli(BEFORE, ['get', 'is', '--dir', dir]),
        }
      : {}),
  };
  // The warm-up rounds also write the code cache (the first run of `get` does).
  const r = await interleave(RUNS, fns, { warmup: 3 });
  rmSync(work, { recursive: true, force: true });
  const pick = (x) =>
    x && {
      medianMs: x.medianMs,
      minMs: x.minMs,
      maxMs: x.maxMs,
      cpuMeanMs: x.cpuMeanMs,
      runs: x.runs,
      exit: x.last.code,
      maxRssMB: x.last.maxRssMB,
      lines: x.last.stdout.split('\n').filter(Boolean).length,
      walls: x.walls,
    };
  const results = {
    nodeE0: pick(r.node),
    version: pick(r.version),
    getIs100: pick(r.getIs) ?? { missing: 'isctl get not available in this build' },
    getIs100NoCache: pick(r.getIsNoCache),
    ...(BEFORE ? { before: { isctl: BEFORE, version: pick(r.versionBefore), getIs100: pick(r.getIsBefore) } } : {}),
  };
  const over = (x) =>
    x?.medianMs === undefined || x.exit !== 0 ? undefined : +(x.medianMs - results.nodeE0.medianMs).toFixed(1);
  const target = (key, x) => {
    const value = over(x);
    return {
      value,
      target: `<= node -e 0 + ${TARGET[key]} ms`,
      met: value === undefined ? undefined : value <= TARGET[key],
    };
  };
  const targets = {
    version: target('version', results.version),
    getIs100: target('getIs100', results.getIs100),
  };
  const compare = BEFORE && {
    versionOverNode: { before: over(results.before.version), after: targets.version.value },
    getIs100OverNode: { before: over(results.before.getIs100), after: targets.getIs100.value },
    getIs100NoCacheOverNode: over(results.getIs100NoCache),
    getIs100AfterOverBefore: +(results.getIs100.medianMs / results.before.getIs100.medianMs).toFixed(2),
  };
  const data = {
    benchmark: 'startup',
    machine: machine(),
    runs: RUNS,
    results,
    targets,
    ...(compare ? { compare } : {}),
  };
  const file = saveResults('startup', data);
  const row = (name, x, t) =>
    `| ${name} | ${x?.medianMs ?? '—'} | ${x?.cpuMeanMs ?? '—'} | ${x?.maxRssMB ?? '—'} | ` +
    `${over(x) === undefined ? '' : `+${over(x)} ms`} | ${t ? `${t.target}: ${t.met ? 'met' : 'MISSED'}` : ''} |`;
  console.log(
    [
      `load ${data.machine.loadavgAtStart.join(' ')} → ${data.machine.loadavg.join(' ')}`,
      '| command | median ms | CPU mean ms | peak RSS MB | over node -e 0 | target |',
      '| --- | --- | --- | --- | --- | --- |',
      row('node -e 0', results.nodeE0),
      ...(BEFORE
        ? [row('before: isctl --version', results.before.version), row('before: isctl get is', results.before.getIs100)]
        : []),
      row('isctl --version', results.version, targets.version),
      row('isctl get is (100 streams)', results.getIs100, targets.getIs100),
      row('isctl get is, no code cache', results.getIs100NoCache),
    ].join('\n'),
  );
  console.error(`results: ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
