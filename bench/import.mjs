#!/usr/bin/env node
// The import benchmarks: cold import, warm re-import (refresh, nothing changed) and
// requests per tag, for isctl, a skopeo loop and the floor, on loopback and behind a delaying
// proxy (50 ms round trip), in one run. Writes bench/results/import-<time>.json.
// usage: node bench/import.mjs   (env: see bench/README.md)
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry } from './lib/registry.mjs';
import { seed, benchPlan } from './lib/seed.mjs';
import { startDelayProxy } from './lib/proxy.mjs';
import { writeImportFolder } from './lib/folders.mjs';
import { isctlRefresh, isctlImportAll, floor, skopeoLoop, sample } from './lib/clients.mjs';
import { machine, saveResults, isctlHelp, ensureGnuTime } from './lib/measure.mjs';
import { importReport } from './lib/report.mjs';

const env = process.env;
const CONNS = Number(env.BENCH_CONNECTIONS ?? 8);
const SKOPEO_SAMPLE = {
  loopback: Number(env.BENCH_SKOPEO_LOOPBACK ?? 200),
  proxy: Number(env.BENCH_SKOPEO_PROXY ?? 50),
};
const NETWORKS = (env.BENCH_NETWORKS ?? 'loopback,proxy').split(',');
const CLIENTS = (env.BENCH_CLIENTS ?? 'floor,skopeo,isctl').split(',');
const REPEAT = Number(env.BENCH_REPEAT ?? 1);
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

/** Flags that lift the bulk-import limit for the 1,000-tag repository, read from --help. */
function unlimitedFlags(help) {
  if (env.BENCH_BIG_FLAGS !== undefined) return env.BENCH_BIG_FLAGS.split(' ').filter(Boolean);
  for (const f of ['--max-tags', '--max-images', '--max-bulk-import', '--limit'])
    if (help.includes(f)) return [`${f}=-1`];
  return [];
}

/** Median-wall result of `reps` runs of `fn` (each result keeps every wall time in `walls`). */
async function medianOf(reps, fn) {
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(await fn(i));
  runs.sort((a, b) => a.wallMs - b.wallMs);
  const mid = runs[(runs.length - 1) >> 1];
  return { ...mid, walls: runs.map((r) => r.wallMs), codes: runs.map((r) => r.code) };
}

/**
 * isctl and the floor side by side, layout by layout, so that load from other processes on a
 * shared machine hits both alike: cold (floor, isctl, 2-request floor) for each layout, then
 * warm (floor, isctl). Each measurement is the median of REPEAT runs; a cold isctl run always
 * starts from a fresh folder.
 */
async function pairedSide(net, host, proxy, seeded, bigFlags, work, withIsctl, withFloor) {
  const url = `http://${host}`;
  const f = {};
  const i = {};
  const dirs = { multi: path.join(work, `${net}-multi`), big: path.join(work, `${net}-big`) };
  const fresh = (layout) => {
    if (layout === 'multi') return writeImportFolder(dirs.multi, host, seeded.multi);
    rmSync(dirs.big, { recursive: true, force: true });
    mkdirSync(dirs.big, { recursive: true });
  };
  const coldIsctl = (layout) =>
    layout === 'multi'
      ? isctlRefresh(dirs.multi, proxy)
      : isctlImportAll(dirs.big, 'big', `${host}/bench/big`, proxy, bigFlags);
  for (const [layout, key] of [
    ['multi', 'Multi'],
    ['big', 'Big'],
  ]) {
    log(
      `${net}: cold ${layout} — floor, isctl ${layout === 'multi' ? 'refresh' : `import-image --all ${bigFlags.join(' ')}`}, 2-request floor (x${REPEAT})`,
    );
    if (withFloor) f[`cold${key}`] = await medianOf(REPEAT, () => floor(url, seeded[layout], 'cold', proxy, CONNS));
    if (withIsctl)
      i[`cold${key}`] = await medianOf(REPEAT, () => {
        fresh(layout);
        return coldIsctl(layout);
      });
    if (withFloor)
      f[`coldGet${key}`] = await medianOf(REPEAT, () => floor(url, seeded[layout], 'cold-get', proxy, CONNS));
  }
  for (const [layout, key] of [
    ['multi', 'Multi'],
    ['big', 'Big'],
  ]) {
    log(`${net}: warm ${layout} — floor, isctl refresh (x${REPEAT})`);
    if (withFloor) f[`warm${key}`] = await medianOf(REPEAT, () => floor(url, seeded[layout], 'warm', proxy, CONNS));
    if (withIsctl) i[`warm${key}`] = await medianOf(REPEAT, () => isctlRefresh(dirs[layout], proxy));
  }
  return { floor: f, isctl: i };
}

async function skopeoSide(net, host, proxy, seeded) {
  const n = Math.floor(SKOPEO_SAMPLE[net] / 2);
  log(`${net}: skopeo inspect loop (sample ${n}+${n} tags, cold then again)`);
  const run = async () => ({
    multi: await skopeoLoop(host, sample(seeded.multi, n), seeded.multi.length, proxy),
    big: await skopeoLoop(host, sample(seeded.big, n), seeded.big.length, proxy),
  });
  return { cold: await run(), warm: await run() };
}

async function main() {
  ensureGnuTime();
  const startedAt = Date.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-import-'));
  const reg = await startRegistry();
  log(`registry ${reg.url} (pid ${reg.pid})`);
  const plan = benchPlan();
  const t0 = Date.now();
  const seeded = { multi: await seed(reg.url, plan.multi), big: await seed(reg.url, plan.big) };
  const seedMs = Date.now() - t0;
  log(`seeded 2,000 tags in ${seedMs} ms`);
  const proxy = await startDelayProxy(
    { host: '127.0.0.1', port: reg.port },
    { delayMs: 25, handshake: env.BENCH_HANDSHAKE === '1' },
  );
  await floor(reg.url, [...seeded.multi, ...seeded.big], 'cold', undefined, CONNS); // warm the registry's caches, discarded

  const refreshHelp = await isctlHelp('refresh');
  const importHelp = await isctlHelp('import-image');
  const bigFlags = importHelp ? unlimitedFlags(importHelp) : [];
  const results = {};
  for (const net of NETWORKS) {
    const host = net === 'proxy' ? proxy.host : reg.host;
    const p = net === 'proxy' ? proxy : undefined;
    const withIsctl = CLIENTS.includes('isctl') && Boolean(refreshHelp && importHelp);
    const paired = await pairedSide(net, host, p, seeded, bigFlags, work, withIsctl, CLIENTS.includes('floor'));
    results[net] = {
      floor: paired.floor,
      skopeo: CLIENTS.includes('skopeo') ? await skopeoSide(net, host, p, seeded) : { cold: {}, warm: {} },
      isctl: withIsctl
        ? paired.isctl
        : {
            missing: `isctl ${refreshHelp ? '' : 'refresh '}${importHelp ? '' : 'import-image '}not available in this build`,
          },
    };
  }
  await proxy.close();
  reg.stop();
  rmSync(work, { recursive: true, force: true });
  const data = {
    benchmark: 'import',
    machine: machine(),
    seedMs,
    durationS: Math.round((Date.now() - startedAt) / 1000),
    settings: {
      clients: CLIENTS,
      repeat: REPEAT,
      connections: CONNS,
      proxyDelayMsEachWay: 25,
      proxyHandshakeRtt: env.BENCH_HANDSHAKE === '1',
      skopeoSample: SKOPEO_SAMPLE,
      bigFlags,
      profiled: env.BENCH_PROFILE === '1',
      registryStorage: reg.dir.startsWith('/dev/shm') ? 'tmpfs' : 'disk',
    },
    results,
  };
  data.report = importReport(data);
  // Diagnostic runs (profiled, or not every client and network) are kept apart from full ones.
  const full = env.BENCH_PROFILE !== '1' && CLIENTS.length === 3 && NETWORKS.length === 2;
  const file = saveResults(full ? 'import' : 'import-partial', data);
  console.log(data.report.text);
  log(`results: ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
