// The three clients compared by the import benchmark: isctl, skopeo one tag at a time (what CI
// scripts do today), and the floor (bench/floor.mjs). Each returns wall time and, when a proxy
// is given, the requests and connections it made (counted at the proxy).
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, isctl, ROOT } from './measure.mjs';
import { summarizeDir } from './profile.mjs';

/**
 * Runs isctl with peak-RSS measurement; with env BENCH_PROFILE=1 also under `node --cpu-prof`
 * and attaches the profile summary (profiling slows the run: such timings are diagnostics).
 */
export async function isctlMeasured(args) {
  if (process.env.BENCH_PROFILE !== '1') return summarize(await isctl(args, { rss: true }));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-prof-'));
  const r = await isctl(args, { rss: true, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const profile = summarizeDir(dir, 25);
  rmSync(dir, { recursive: true, force: true });
  return { ...summarize(r), profile };
}

function withCounts(proxy, fn) {
  return async () => {
    proxy?.reset();
    const r = await fn();
    return { ...r, counts: proxy ? proxy.stats() : undefined };
  };
}

/** `isctl refresh` on a folder (cold when the folder has no status, warm afterwards). */
export function isctlRefresh(dir, proxy, extra = []) {
  return withCounts(proxy, () => isctlMeasured(['refresh', '--dir', dir, ...extra]))();
}

/** `isctl import-image NAME --from REPO --all --confirm --insecure` into `dir`, plus `flags`. */
export function isctlImportAll(dir, name, from, proxy, flags = []) {
  return withCounts(proxy, () =>
    isctlMeasured(['import-image', name, '--from', from, '--all', '--confirm', '--insecure', '--dir', dir, ...flags]),
  )();
}

function summarize(r) {
  const tail = (s) => s.trim().split('\n').slice(-4).join('\n');
  return {
    code: r.code,
    wallMs: r.wallMs,
    maxRssMB: r.maxRssMB,
    stderrTail: tail(r.stderr),
    stdoutTail: tail(r.stdout),
  };
}

/** The floor loop as its own process (same start-up cost as isctl), cold or warm. */
export function floor(url, list, mode, proxy, connections = 8, { h2 = false, caFile } = {}) {
  return withCounts(proxy, async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-floor-'));
    const file = path.join(tmp, 'list.json');
    writeFileSync(file, JSON.stringify(list.map(({ repo, tag }) => ({ repo, tag }))));
    const r = await run(
      process.execPath,
      [path.join(ROOT, 'bench', 'floor.mjs'), url, file, mode, String(connections), ...(h2 ? ['h2'] : [])],
      { rss: true, ...(caFile ? { env: { BENCH_CA_FILE: caFile } } : {}) },
    );
    rmSync(tmp, { recursive: true, force: true });
    if (r.code !== 0) throw new Error(`floor ${mode} failed: ${r.stderr}`);
    return {
      code: r.code,
      wallMs: r.wallMs,
      cpuMs: r.cpuMs,
      maxRssMB: r.maxRssMB,
      ...JSON.parse(r.stdout.trim().split('\n').pop()),
    };
  })();
}

/** Evenly spaced sample of `n` items (all of them when n >= length). */
export function sample(list, n) {
  if (n >= list.length) return list;
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[Math.floor(i * step)]);
}

/**
 * `skopeo inspect --tls-verify=false docker://HOST/repo:tag`, one process per tag, sequentially,
 * over `items`; extrapolated to `total` tags when `items` is a sample. Checks every digest.
 */
export function skopeoLoop(host, items, total, proxy) {
  return withCounts(proxy, async () => {
    let wall = 0;
    let bad = 0;
    let maxRss = 0;
    for (const it of items) {
      const r = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/${it.repo}:${it.tag}`], {
        rss: true,
      });
      wall += r.wallMs;
      maxRss = Math.max(maxRss, r.maxRssMB ?? 0);
      let digest;
      try {
        digest = JSON.parse(r.stdout).Digest;
      } catch {
        /* counted as bad */
      }
      if (r.code !== 0 || digest !== it.digest) bad++;
    }
    const perTagMs = wall / items.length;
    return {
      sampled: items.length,
      total,
      extrapolated: items.length < total,
      errors: bad,
      maxRssMB: maxRss,
      sampleWallMs: +wall.toFixed(1),
      perTagMs: +perTagMs.toFixed(2),
      wallMs: +(perTagMs * total).toFixed(1),
    };
  })();
}
