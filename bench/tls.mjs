#!/usr/bin/env node
// TLS registry behind the 50 ms round-trip proxy: 2,000 tags in 20 repositories, isctl `refresh`
// cold (no image recorded) and warm (again, nothing changed) against two floors measured in the
// same run, on the same proxy:
// - the HTTP/2 floor: one undici Client, allowH2, pipelining 128 (128 streams in flight on one
//   connection); cold = GET manifest by tag + GET config blob (both verified), warm = one HEAD;
// - the HTTP/1.1 floor: a Pool of 8 keep-alive connections doing the same work.
// The registry is Debian's docker-registry with a certificate of its own CA (it offers h2 by ALPN);
// isctl trusts the CA through ~/.config/containers/certs.d/<host>/ca.crt, as podman would, and
// verifies it (no insecure). Targets: warm <= 1.3 x (HTTP/2 floor + isctl start-up), cold <= 1.5 x
// (2-request HTTP/2 floor + start-up), and both at least 5 x faster than the HTTP/1.1 floor
// (+ start-up). Start-up is the median of `node bin/isctl.js --version`.
// usage: node bench/tls.mjs   (env BENCH_REPEAT=2 BENCH_TLS_REPOS=20 BENCH_TLS_TAGS=100
//        BENCH_REGISTRY_GOGC=100 runs the registry with Go's default garbage collector target
//        instead of 400; BENCH_TLS_ISCTL_H1=1 adds an informational isctl run with ISCTL_HTTP2=0;
//        BENCH_PROFILE=1 runs isctl under node --cpu-prof and puts the top functions and files by
//        self time into the results, saved as tls-partial (diagnostics: profiling slows isctl);
//        BENCH_PROFILE_DIR=DIR also keeps the .cpuprofile files there; BENCH_NODE_ARGS adds node
//        options to the isctl runs; BENCH_TLS_FLOORS=0 measures
//        isctl alone, without the floors of each round, saved as tls-partial: for iterating on isctl)
import { mkdtempSync, rmSync, mkdirSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry } from './lib/registry.mjs';
import { seed } from './lib/seed.mjs';
import { startDelayProxy } from './lib/proxy.mjs';
import { floor } from './lib/clients.mjs';
import { writeImportFolder } from './lib/folders.mjs';
import { isctl, median, machine, saveResults, ensureGnuTime, repeat } from './lib/measure.mjs';
import { summarizeDir } from './lib/profile.mjs';

const REPOS = Number(process.env.BENCH_TLS_REPOS ?? 20);
const TAGS = Number(process.env.BENCH_TLS_TAGS ?? 100);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
const H2_STREAMS = 128;
const H1_CONNECTIONS = 8;
const PROFILE = process.env.BENCH_PROFILE === '1';
// The registry's Go garbage collector target: 400 by default (Go's own default, 100, costs the
// registry about twice the CPU on the 2 cores it shares with the client; see bench/README.md).
const REGISTRY_GOGC = process.env.BENCH_REGISTRY_GOGC ?? '400';
const FLOORS = process.env.BENCH_TLS_FLOORS !== '0';
// Node/V8 options for the isctl runs only (diagnostics: e.g. BENCH_NODE_ARGS=--maglev).
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
let profiles = 0;
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

async function isctlRun(dir, home, proxy, env = {}) {
  proxy.reset();
  const prof = PROFILE ? mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-tls-prof-')) : undefined;
  const r = await isctl(['refresh', '--dir', dir, '-o', 'json'], {
    rss: true,
    env: { HOME: home, ...env },
    nodeArgs: [...NODE_ARGS, ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [])],
  });
  const counts = proxy.stats();
  let profile;
  if (prof) {
    profile = summarizeDir(prof, 25);
    const keep = process.env.BENCH_PROFILE_DIR;
    if (keep) {
      mkdirSync(keep, { recursive: true });
      for (const f of readdirSync(prof)) copyFileSync(path.join(prof, f), path.join(keep, `${++profiles}-${f}`));
    }
    rmSync(prof, { recursive: true, force: true });
  }
  const outcomes = {};
  let budget;
  try {
    const doc = JSON.parse(r.stdout);
    for (const o of doc.outcomes) outcomes[o.reason] = (outcomes[o.reason] ?? 0) + 1;
    budget = doc.registries;
  } catch {
    outcomes.unreadable = r.stderr.trim().split('\n').slice(-3).join(' ');
  }
  return {
    code: r.code,
    wallMs: r.wallMs,
    // isctl's user + system CPU (GNU time): on 2 cores it is taken from the registry's share.
    cpuMs: r.cpuMs,
    sysMs: r.sysMs,
    maxRssMB: r.maxRssMB,
    outcomes,
    budget,
    connections: counts.connections,
    ...(profile ? { profile } : {}),
  };
}

/** CPU the process `pid` has used so far, in ms (user + system from /proc; 100 ticks a second on Linux). */
function cpuOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs `fn` and adds to its result the registry's CPU meanwhile (`registryCpuMs`) and this
 * process's (`proxyCpuMs`: the delay proxy runs here, and little else does while a client runs).
 */
async function withRegistryCpu(pid, fn) {
  const before = cpuOf(pid);
  const own = process.cpuUsage();
  const r = await fn();
  const used = process.cpuUsage(own);
  return { ...r, registryCpuMs: cpuOf(pid) - before, proxyCpuMs: Math.round((used.user + used.system) / 1000) };
}

/** A floor of one round (none with BENCH_TLS_FLOORS=0: isctl alone). */
function roundFloor(...args) {
  return FLOORS ? floor(...args) : Promise.resolve({ loopMs: Number.NaN, wallMs: Number.NaN });
}

async function main() {
  ensureGnuTime();
  const reg = await startRegistry({ tls: true, gogc: REGISTRY_GOGC });
  const t0 = performance.now();
  const plan = Array.from({ length: REPOS }, (_, r) => ({
    repo: `bench/t${String(r).padStart(2, '0')}`,
    tags: Array.from({ length: TAGS }, (_, t) => `v${Math.floor(t / 10)}.${t % 10}`),
  }));
  const seeded = await seed(reg.url, plan, { ca: reg.ca });
  log(`seeded ${seeded.length} tags over TLS in ${Math.round(performance.now() - t0)} ms`);
  const proxy = await startDelayProxy({ host: '127.0.0.1', port: reg.port }, { delayMs: 25 });
  const url = `https://${proxy.host}`;
  const home = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-tls-home-'));
  const certs = path.join(home, '.config', 'containers', 'certs.d', proxy.host);
  mkdirSync(certs, { recursive: true });
  copyFileSync(reg.caFile, path.join(certs, 'ca.crt'));
  const list = seeded.map(({ repo, tag }) => ({ repo, tag }));
  const h2 = { h2: true, caFile: reg.caFile };
  const h1 = { caFile: reg.caFile };
  const runs = {
    startup: null,
    h2Cold: [],
    isctlCold: [],
    h1Cold: [],
    h2Warm: [],
    isctlWarm: [],
    h1Warm: [],
    isctlH1Cold: [],
    isctlH1Warm: [],
  };
  try {
    runs.startup = await repeat(15, () => isctl(['--version']), { warmup: 3 });
    runs.startup.last = undefined;
    log(`isctl --version median ${runs.startup.medianMs} ms`);
    // One discarded pass warms the registry's caches, so no client pays for being first.
    await floor(url, list, 'cold-get', proxy, H2_STREAMS, h2);
    for (let i = 0; i < REPEAT; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-tls-'));
      writeImportFolder(dir, proxy.host, seeded, { insecure: false });
      runs.h2Cold.push(await withRegistryCpu(reg.pid, () => roundFloor(url, list, 'cold-get', proxy, H2_STREAMS, h2)));
      runs.isctlCold.push(await withRegistryCpu(reg.pid, () => isctlRun(dir, home, proxy)));
      runs.h1Cold.push(
        await withRegistryCpu(reg.pid, () => roundFloor(url, list, 'cold-get', proxy, H1_CONNECTIONS, h1)),
      );
      runs.h2Warm.push(await withRegistryCpu(reg.pid, () => roundFloor(url, list, 'warm', proxy, H2_STREAMS, h2)));
      runs.isctlWarm.push(await withRegistryCpu(reg.pid, () => isctlRun(dir, home, proxy)));
      runs.h1Warm.push(await withRegistryCpu(reg.pid, () => roundFloor(url, list, 'warm', proxy, H1_CONNECTIONS, h1)));
      if (process.env.BENCH_TLS_ISCTL_H1 === '1') {
        const d1 = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-tls-h1-'));
        writeImportFolder(d1, proxy.host, seeded, { insecure: false });
        runs.isctlH1Cold.push(await isctlRun(d1, home, proxy, { ISCTL_HTTP2: '0' }));
        runs.isctlH1Warm.push(await isctlRun(d1, home, proxy, { ISCTL_HTTP2: '0' }));
        rmSync(d1, { recursive: true, force: true });
      }
      rmSync(dir, { recursive: true, force: true });
      log(
        `round ${i + 1}: isctl cold ${runs.isctlCold[i].wallMs} ms (h2 floor ${runs.h2Cold[i].loopMs}, ` +
          `h1 floor ${runs.h1Cold[i].loopMs}), warm ${runs.isctlWarm[i].wallMs} ms ` +
          `(h2 floor ${runs.h2Warm[i].loopMs}, h1 floor ${runs.h1Warm[i].loopMs})`,
      );
    }
  } finally {
    await proxy.close();
    await reg.stop();
    rmSync(home, { recursive: true, force: true });
  }
  const S = runs.startup.medianMs;
  const wall = (xs) => +median(xs.map((x) => x.wallMs)).toFixed(1);
  const loop = (xs) => +median(xs.map((x) => x.loopMs)).toFixed(1);
  const phase = (isctlRuns, h2Runs, h1Runs, limit) => {
    const isctlMs = wall(isctlRuns);
    const h2Budget = +(loop(h2Runs) + S).toFixed(1);
    const h1Budget = +(loop(h1Runs) + S).toFixed(1);
    return {
      isctlMs,
      h2FloorLoopMs: loop(h2Runs),
      h1FloorLoopMs: loop(h1Runs),
      h2FloorWallMs: wall(h2Runs),
      h1FloorWallMs: wall(h1Runs),
      // User + system CPU of each client (GNU time): on 2 cores, what a client spends is taken from the registry.
      isctlCpuMs: median(isctlRuns.map((x) => x.cpuMs ?? Number.NaN)),
      h2FloorCpuMs: median(h2Runs.map((x) => x.cpuMs ?? Number.NaN)),
      h1FloorCpuMs: median(h1Runs.map((x) => x.cpuMs ?? Number.NaN)),
      // The registry's CPU while each client ran (/proc): the same requests should cost it the same.
      registryCpuMs: {
        isctl: median(isctlRuns.map((x) => x.registryCpuMs)),
        h2: median(h2Runs.map((x) => x.registryCpuMs)),
        h1: median(h1Runs.map((x) => x.registryCpuMs)),
      },
      proxyCpuMs: {
        isctl: median(isctlRuns.map((x) => x.proxyCpuMs)),
        h2: median(h2Runs.map((x) => x.proxyCpuMs)),
        h1: median(h1Runs.map((x) => x.proxyCpuMs)),
      },
      vsH2: +(isctlMs / h2Budget).toFixed(2),
      // The same ratio within each round (isctl and its floors run back to back), then the median:
      // less moved by the machine drifting between rounds than the ratio of the medians.
      vsH2ByRound: isctlRuns.map((r, i) => +(r.wallMs / (h2Runs[i].loopMs + S)).toFixed(2)),
      h1SpeedupByRound: isctlRuns.map((r, i) => +((h1Runs[i].loopMs + S) / r.wallMs).toFixed(2)),
      h2Target: limit,
      h1Speedup: +(h1Budget / isctlMs).toFixed(2),
      met: isctlMs <= limit * h2Budget && h1Budget / isctlMs >= 5,
      isctlRequests: isctlRuns.at(-1).budget,
      isctlConnections: isctlRuns.at(-1).connections,
      outcomes: isctlRuns.at(-1).outcomes,
      maxRssMB: Math.max(...isctlRuns.map((r) => r.maxRssMB ?? 0)),
      floorRequests: { h2: h2Runs.at(-1).requests, h1: h1Runs.at(-1).requests },
      floorErrors: { h2: h2Runs.at(-1).errors, h1: h1Runs.at(-1).errors },
    };
  };
  const summary = {
    repositories: REPOS,
    tags: REPOS * TAGS,
    registryGogc: reg.gogc,
    networkRoundTripMs: 50,
    h2Streams: H2_STREAMS,
    h1Connections: H1_CONNECTIONS,
    startupMs: S,
    cold: phase(runs.isctlCold, runs.h2Cold, runs.h1Cold, 1.5),
    warm: phase(runs.isctlWarm, runs.h2Warm, runs.h1Warm, 1.3),
    ...(runs.isctlH1Cold.length
      ? { isctlOverHttp1: { coldMs: wall(runs.isctlH1Cold), warmMs: wall(runs.isctlH1Warm) } }
      : {}),
  };
  const file = saveResults(REPOS === 20 && TAGS === 100 && !PROFILE && FLOORS ? 'tls' : 'tls-partial', {
    machine: machine(),
    repeat: REPEAT,
    summary,
    runs,
  });
  console.log(JSON.stringify(summary, null, 2));
  log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
