#!/usr/bin/env node
// Benchmarks 1, 2 and 5 of issue 7: cold import, warm re-import (refresh, nothing changed) and
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
const SKOPEO_SAMPLE = { loopback: Number(env.BENCH_SKOPEO_LOOPBACK ?? 200), proxy: Number(env.BENCH_SKOPEO_PROXY ?? 50) };
const NETWORKS = (env.BENCH_NETWORKS ?? 'loopback,proxy').split(',');
const CLIENTS = (env.BENCH_CLIENTS ?? 'floor,skopeo,isctl').split(',');
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

/** Flags that lift the bulk-import limit for the 1,000-tag repository, read from --help. */
function unlimitedFlags(help) {
  if (env.BENCH_BIG_FLAGS !== undefined) return env.BENCH_BIG_FLAGS.split(' ').filter(Boolean);
  for (const f of ['--max-tags', '--max-images', '--max-bulk-import', '--limit']) if (help.includes(f)) return [`${f}=-1`];
  return [];
}

async function isctlSide(net, host, proxy, seeded, bigFlags, work) {
  const out = {};
  const multiDir = path.join(work, `${net}-multi`);
  const bigDir = path.join(work, `${net}-big`);
  writeImportFolder(multiDir, host, seeded.multi);
  log(`${net}: isctl refresh (cold, 100 streams x 10 tags)`);
  out.coldMulti = await isctlRefresh(multiDir, proxy);
  log(`${net}: isctl import-image big --all (cold, 1,000 tags)`, bigFlags.join(' '));
  rmSync(bigDir, { recursive: true, force: true });
  mkdirSync(bigDir, { recursive: true });
  out.coldBig = await isctlImportAll(bigDir, 'big', `${host}/bench/big`, proxy, bigFlags);
  log(`${net}: isctl refresh (warm, both folders)`);
  out.warmMulti = await isctlRefresh(multiDir, proxy);
  out.warmBig = await isctlRefresh(bigDir, proxy);
  return out;
}

async function floorSide(net, url, proxy, seeded) {
  log(`${net}: floor cold/warm (${CONNS} connections)`);
  return {
    coldMulti: await floor(url, seeded.multi, 'cold', proxy, CONNS),
    coldBig: await floor(url, seeded.big, 'cold', proxy, CONNS),
    warmMulti: await floor(url, seeded.multi, 'warm', proxy, CONNS),
    warmBig: await floor(url, seeded.big, 'warm', proxy, CONNS),
    // Informational: a cold import needs only GET manifest by tag + GET config (2 requests).
    coldGetMulti: await floor(url, seeded.multi, 'cold-get', proxy, CONNS),
    coldGetBig: await floor(url, seeded.big, 'cold-get', proxy, CONNS),
  };
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
  const proxy = await startDelayProxy({ host: '127.0.0.1', port: reg.port }, { delayMs: 25, handshake: env.BENCH_HANDSHAKE === '1' });
  await floor(reg.url, [...seeded.multi, ...seeded.big], 'cold', undefined, CONNS); // warm the registry's caches, discarded

  const refreshHelp = await isctlHelp('refresh');
  const importHelp = await isctlHelp('import-image');
  const bigFlags = importHelp ? unlimitedFlags(importHelp) : [];
  const results = {};
  for (const net of NETWORKS) {
    const host = net === 'proxy' ? proxy.host : reg.host;
    const p = net === 'proxy' ? proxy : undefined;
    results[net] = {
      floor: CLIENTS.includes('floor') ? await floorSide(net, `http://${host}`, p, seeded) : {},
      skopeo: CLIENTS.includes('skopeo') ? await skopeoSide(net, host, p, seeded) : { cold: {}, warm: {} },
      isctl: !CLIENTS.includes('isctl') ? {} : refreshHelp && importHelp ? await isctlSide(net, host, p, seeded, bigFlags, work)
        : { missing: `isctl ${refreshHelp ? '' : 'refresh '}${importHelp ? '' : 'import-image '}not available in this build` },
    };
  }
  await proxy.close();
  reg.stop();
  rmSync(work, { recursive: true, force: true });
  const data = {
    benchmark: 'import', machine: machine(), seedMs, durationS: Math.round((Date.now() - startedAt) / 1000),
    settings: { clients: CLIENTS, connections: CONNS, proxyDelayMsEachWay: 25, proxyHandshakeRtt: env.BENCH_HANDSHAKE === '1', skopeoSample: SKOPEO_SAMPLE, bigFlags, profiled: env.BENCH_PROFILE === '1', registryStorage: reg.dir.startsWith('/dev/shm') ? 'tmpfs' : 'disk' },
    results,
  };
  data.report = importReport(data);
  // Diagnostic runs (profiled, or not every client and network) are kept apart from full ones.
  const full = env.BENCH_PROFILE !== '1' && CLIENTS.length === 3 && NETWORKS.length === 2;
  const file = saveResults(full ? 'import' : 'import-partial', data);
  console.log(data.report.text);
  log(`results: ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
