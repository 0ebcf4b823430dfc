#!/usr/bin/env node
// Policy refresh: 100 repositories of 200 tags each (1.0.0 … 1.9.19), one policy tag per
// repository (`semver:^1`, so the pick, 1.9.19, is one of 200 candidates), behind the 50 ms proxy.
// Cold: the first `isctl refresh` of a folder whose policy tags have no image yet; warm: the next
// one, nothing changed. The floor makes exactly the requests a re-evaluation needs: one tag list
// per repository, then HEAD (warm) or GET manifest + GET config (cold) of the chosen tag.
// usage: node bench/policy.mjs   (env BENCH_REPEAT=3 BENCH_POLICY_REPOS=100 BENCH_POLICY_TAGS=200)
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry } from './lib/registry.mjs';
import { seed } from './lib/seed.mjs';
import { startDelayProxy } from './lib/proxy.mjs';
import { floor } from './lib/clients.mjs';
import { isctl, median, machine, saveResults, ensureGnuTime } from './lib/measure.mjs';

const REPOS = Number(process.env.BENCH_POLICY_REPOS ?? 100);
const TAGS = Number(process.env.BENCH_POLICY_TAGS ?? 200);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const tagName = (t) => `1.${Math.floor(t / 20)}.${t % 20}`;

function writeFolder(dir, host) {
  mkdirSync(path.join(dir, 'imagestreams', 'default'), { recursive: true });
  for (let r = 0; r < REPOS; r++) {
    const name = `p${String(r).padStart(3, '0')}`;
    // As `isctl tag HOST/bench/pNNN pNNN:stable --policy semver:^1 --insecure` leaves a spec tag
    // (from pinned to the first pick), before anything is imported.
    const yaml = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ${name}
  namespace: default
spec:
  tags:
  - name: stable
    annotations:
      isctl.io/policy: semver:^1
    from:
      kind: DockerImage
      name: ${host}/bench/${name}:1.0.0
    importPolicy:
      insecure: true
    referencePolicy:
      type: Source
`;
    writeFileSync(path.join(dir, 'imagestreams', 'default', `${name}.yaml`), yaml);
  }
}

async function isctlRun(dir, proxy) {
  proxy.reset();
  const r = await isctl(['refresh', '--dir', dir, '-o', 'json'], { rss: true });
  const counts = proxy.stats();
  let outcomes = {};
  try {
    for (const o of JSON.parse(r.stdout).outcomes) outcomes[o.reason] = (outcomes[o.reason] ?? 0) + 1;
  } catch {
    outcomes = { unreadable: r.stderr.trim().split('\n').slice(-3).join(' ') };
  }
  return { code: r.code, wallMs: r.wallMs, maxRssMB: r.maxRssMB, outcomes, counts };
}

function perRepo(counts) {
  return +(counts.requests / REPOS).toFixed(2);
}

async function main() {
  ensureGnuTime();
  const reg = await startRegistry();
  const t0 = performance.now();
  const plan = Array.from({ length: REPOS }, (_, r) => ({
    repo: `bench/p${String(r).padStart(3, '0')}`,
    tags: Array.from({ length: TAGS }, (_, t) => tagName(t)),
  }));
  const seeded = await seed(reg.url, plan);
  log(`seeded ${seeded.length} tags in ${Math.round(performance.now() - t0)} ms`);
  const proxy = await startDelayProxy({ host: '127.0.0.1', port: reg.port }, { delayMs: 25 });
  const chosen = plan.map((p) => ({ repo: p.repo, tag: tagName(TAGS - 1) }));
  const runs = { floorCold: [], isctlCold: [], floorWarm: [], isctlWarm: [] };
  const check = {};
  try {
    // One discarded floor pass warms the registry's caches.
    await floor(`http://${proxy.host}`, chosen, 'policy-warm', proxy);
    for (let i = 0; i < REPEAT; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-policy-'));
      writeFolder(dir, proxy.host);
      runs.floorCold.push(await floor(`http://${proxy.host}`, chosen, 'policy-cold', proxy));
      runs.isctlCold.push(await isctlRun(dir, proxy));
      runs.floorWarm.push(await floor(`http://${proxy.host}`, chosen, 'policy-warm', proxy));
      runs.isctlWarm.push(await isctlRun(dir, proxy));
      const f = readFileSync(path.join(dir, 'imagestreams', 'default', 'p000.yaml'), 'utf8');
      check.pinned = f.includes(`bench/p000:${tagName(TAGS - 1)}`);
      rmSync(dir, { recursive: true, force: true });
      log(`round ${i + 1}: isctl cold ${runs.isctlCold[i].wallMs} ms, warm ${runs.isctlWarm[i].wallMs} ms`);
    }
  } finally {
    await proxy.close();
    await reg.stop();
  }
  const med = (xs) => +median(xs.map((x) => x.wallMs)).toFixed(1);
  const summary = {
    repositories: REPOS,
    tagsPerRepository: TAGS,
    networkRoundTripMs: 50,
    cold: {
      isctlMs: med(runs.isctlCold),
      floorMs: med(runs.floorCold),
      ratio: +(med(runs.isctlCold) / med(runs.floorCold)).toFixed(2),
      isctlRequestsPerRepo: perRepo(runs.isctlCold.at(-1).counts),
      floorRequestsPerRepo: perRepo(runs.floorCold.at(-1).counts),
      isctlByKind: runs.isctlCold.at(-1).counts.byKind,
      outcomes: runs.isctlCold.at(-1).outcomes,
      maxRssMB: Math.max(...runs.isctlCold.map((r) => r.maxRssMB ?? 0)),
    },
    warm: {
      isctlMs: med(runs.isctlWarm),
      floorMs: med(runs.floorWarm),
      ratio: +(med(runs.isctlWarm) / med(runs.floorWarm)).toFixed(2),
      isctlRequestsPerRepo: perRepo(runs.isctlWarm.at(-1).counts),
      floorRequestsPerRepo: perRepo(runs.floorWarm.at(-1).counts),
      isctlByKind: runs.isctlWarm.at(-1).counts.byKind,
      outcomes: runs.isctlWarm.at(-1).outcomes,
      maxRssMB: Math.max(...runs.isctlWarm.map((r) => r.maxRssMB ?? 0)),
    },
    check,
  };
  const file = saveResults(REPOS === 100 && TAGS === 200 ? 'policy' : 'policy-partial', {
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
