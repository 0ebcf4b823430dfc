#!/usr/bin/env node
// The scale benchmark: how cost grows with the folder. On folders of 1,000 and 10,000 streams
// (5 tags, 3 history items each, one file per stream, 10 namespaces) it times `get is -A`,
// `describe is <one>` and a `refresh --dry-run -A` that finds exactly one change (every other tag
// is pinned by digest and already imported, so an OpenShift-style refresh skips it), then a real
// `refresh -A` with nothing left to change, with the peak memory of each. usage: node bench/scale.mjs   (env BENCH_SCALE_SIZES=1000,10000 BENCH_RUNS=3)
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry } from './lib/registry.mjs';
import { seed } from './lib/seed.mjs';
import { writeScaleFolder } from './lib/folders.mjs';
import { startDelayProxy } from './lib/proxy.mjs';
import { isctl, median, machine, saveResults, isctlHelp, ensureGnuTime } from './lib/measure.mjs';

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,10000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

async function measure(args, check) {
  const walls = [];
  let rss = 0;
  let last;
  let first;
  for (let i = 0; i < RUNS; i++) {
    last = await isctl(args, { rss: true });
    if (i === 0) first = last.wallMs;
    walls.push(last.wallMs);
    rss = Math.max(rss, last.maxRssMB ?? 0);
  }
  const out = {
    args: args.join(' '),
    exit: last.code,
    firstMs: first,
    medianMs: +median(walls).toFixed(1),
    walls,
    maxRssMB: rss,
    stdoutLines: last.stdout.split('\n').filter(Boolean).length,
  };
  if (last.code !== 0) out.stderrTail = last.stderr.trim().split('\n').slice(-5).join('\n');
  if (check) out.check = check(last);
  return out;
}

async function main() {
  ensureGnuTime();
  const reg = await startRegistry();
  const repos = Array.from({ length: 10 }, (_, r) => ({
    repo: `bench/pin${r}`,
    tags: Array.from({ length: 10 }, (_, t) => `t${t}`),
  }));
  const pins = await seed(reg.url, repos);
  const [old] = await seed(reg.url, [{ repo: 'bench/moving', tags: ['latest'], revision: 1 }]);
  const [cur] = await seed(reg.url, [{ repo: 'bench/moving', tags: ['latest'], revision: 2 }]);
  const moving = { repo: 'bench/moving', tag: 'latest', oldDigest: old.digest };
  // A proxy without delay in front of the registry, only to count what refresh asks for.
  const proxy = await startDelayProxy({ host: '127.0.0.1', port: reg.port }, { delayMs: 0 });
  const have = {
    get: await isctlHelp('get'),
    describe: await isctlHelp('describe'),
    refresh: await isctlHelp('refresh'),
  };
  const work = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-scale-'));
  const results = {};
  for (const n of SIZES) {
    const dir = path.join(work, String(n));
    const t0 = Date.now();
    const info = writeScaleFolder(dir, proxy.host, { streams: n, pins, moving });
    log(`${n} streams written in ${Date.now() - t0} ms`);
    // A file changed in the last 3 s is never trusted from the object index (git's racy-timestamp
    // rule, src/state/object-index.ts RACY_MS): wait that out, as any folder that exists is past it.
    // The first run of each command (firstMs) is the one that builds the index.
    await new Promise((r) => setTimeout(r, 3500));
    const changedFile = path.join(dir, info.changing.namespace, `${info.changing.name}.yaml`);
    const before = readFileSync(changedFile, 'utf8');
    const r = {};
    if (have.get)
      r.getAll = await measure(['get', 'is', '-A', '--dir', dir], (x) => ({
        rows: x.stdout.split('\n').filter(Boolean).length - 1,
        expectedRows: n,
      }));
    if (have.describe)
      r.describe = await measure(['describe', 'is', info.describe.name, '-n', info.describe.namespace, '--dir', dir]);
    if (have.refresh) {
      proxy.reset();
      r.refreshDryRun = await measure(['refresh', '--dry-run', '-A', '--dir', dir], (x) => ({
        requestsPerRun: proxy.stats().requests / RUNS,
        mentionsNewDigest: x.stdout.includes(cur.digest) || x.stderr.includes(cur.digest),
        fileUnchanged: readFileSync(changedFile, 'utf8') === before,
      }));
      // A real refresh records the moving tag once; the measured runs after it have nothing to change.
      const prime = await isctl(['refresh', '-A', '--dir', dir]);
      proxy.reset();
      r.refreshAll = await measure(['refresh', '-A', '--dir', dir], (x) => ({
        primedExit: prime.code,
        requestsPerRun: proxy.stats().requests / RUNS,
        recordedNewDigest: readFileSync(changedFile, 'utf8').includes(cur.digest),
        nothingChanged: !x.stdout.includes('---'),
      }));
    }
    log(
      `${n}: ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [v.medianMs, v.maxRssMB, v.exit]])))}`,
    );
    results[n] = r;
    rmSync(dir, { recursive: true, force: true });
  }
  await proxy.close();
  reg.stop();
  rmSync(work, { recursive: true, force: true });
  const [a, b] = SIZES;
  const growth = {};
  if (results[a] && results[b]) {
    for (const k of Object.keys(results[b])) {
      const x = results[a][k];
      const y = results[b][k];
      if (x && y)
        growth[k] = {
          timeRatio: +(y.medianMs / x.medianMs).toFixed(2),
          memRatio: +(y.maxRssMB / x.maxRssMB).toFixed(2),
          sizeRatio: b / a,
        };
    }
  }
  // Targets: get is -A (10k <= 1.5 s, 250 MB; 100k <= 12 s, 1.5 GB), describe 10k <= 300 ms,
  // refresh --dry-run -A 10k <= 2 s, 300 MB, growth 10k -> 100k <= 10x.
  const targets = {};
  const t = (name, v, target, met) => {
    if (v !== undefined) targets[name] = { value: v, target, met };
  };
  const r10 = results[10000] ?? {};
  const r100 = results[100000] ?? {};
  t('getAll10kTime', r10.getAll?.medianMs, '<= 1500 ms', r10.getAll?.medianMs <= 1500);
  t('getAll10kMemory', r10.getAll?.maxRssMB, '<= 250 MB', r10.getAll?.maxRssMB <= 250);
  t('describe10kTime', r10.describe?.medianMs, '<= 300 ms', r10.describe?.medianMs <= 300);
  t('refreshDryRun10kTime', r10.refreshDryRun?.medianMs, '<= 2000 ms', r10.refreshDryRun?.medianMs <= 2000);
  t('refreshDryRun10kMemory', r10.refreshDryRun?.maxRssMB, '<= 300 MB', r10.refreshDryRun?.maxRssMB <= 300);
  t('getAll100kTime', r100.getAll?.medianMs, '<= 12000 ms', r100.getAll?.medianMs <= 12000);
  t('getAll100kMemory', r100.getAll?.maxRssMB, '<= 1536 MB', r100.getAll?.maxRssMB <= 1536);
  t('refreshAll100kExit', r100.refreshAll?.exit, '= 0 (finishes)', r100.refreshAll?.exit === 0);
  for (const k of ['getAll', 'refreshAll'])
    if (growth[k]) t(`${k}Growth`, growth[k].timeRatio, `<= ${b / a} (linear)`, growth[k].timeRatio <= b / a);
  const data = {
    benchmark: 'scale',
    machine: machine(),
    runs: RUNS,
    sizes: SIZES,
    available: Object.fromEntries(Object.entries(have).map(([k, v]) => [k, Boolean(v)])),
    results,
    growth,
    targets,
  };
  const full = ['1000,10000', '10000,100000'].includes(SIZES.join(',')) && RUNS >= 3;
  const file = saveResults(full ? 'scale' : 'scale-partial', data);
  const lines = [
    '| streams | command | median ms (first run) | peak RSS MB | exit |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [n, r] of Object.entries(results))
    for (const [k, v] of Object.entries(r))
      lines.push(`| ${n} | ${k} | ${v.medianMs} (${v.firstMs}) | ${v.maxRssMB} | ${v.exit} |`);
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ growth, targets }, null, 2));
  log(`results: ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
