// Running commands and measuring them: wall time (hrtime around an async spawn, so an in-process
// proxy keeps serving), peak memory via GNU time -v ("Maximum resident set size"), medians, the
// machine description, and writing results JSON.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The isctl entry point users run: env BENCH_ISCTL (see build-snapshot.sh), else this checkout's. */
export const ISCTL = process.env.BENCH_ISCTL ?? path.join(ROOT, 'bin', 'isctl.js');

const GNU_TIME = '/usr/bin/time';
// Other processes on the machine skew every timing: record the load when the benchmark started.
const LOAD_AT_START = os.loadavg().map((x) => +x.toFixed(2));

/** Installs Debian's `time` package when GNU time is missing (it gives peak RSS). */
export function ensureGnuTime() {
  if (existsSync(GNU_TIME)) return true;
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'time'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    /* reported below */
  }
  return existsSync(GNU_TIME);
}

/**
 * Runs `cmd args` and resolves to { code, wallMs, maxRssMB, stdout, stderr }.
 * With `rss: true` the command runs under `/usr/bin/time -v` (its own cost is ~1 ms).
 */
export function run(cmd, args, { env, cwd, rss = false, input, timeoutMs = 900_000 } = {}) {
  let tmp;
  let argv = [cmd, ...args];
  if (rss && existsSync(GNU_TIME)) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-time-'));
    argv = [GNU_TIME, '-v', '-o', path.join(tmp, 'time.txt'), ...argv];
  }
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ...env },
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.stdin.end(input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let maxRssMB;
      let cpuMs;
      let sysMs;
      if (tmp) {
        const text = readFileSync(path.join(tmp, 'time.txt'), 'utf8');
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
        if (m) maxRssMB = +(Number(m[1]) / 1024).toFixed(1);
        // User + system CPU time of the command (GNU time prints it in 10 ms steps).
        const u = /User time \(seconds\): ([\d.]+)/.exec(text);
        const sy = /System time \(seconds\): ([\d.]+)/.exec(text);
        if (u && sy) cpuMs = Math.round((Number(u[1]) + Number(sy[1])) * 1000);
        if (sy) sysMs = Math.round(Number(sy[1]) * 1000);
        rmSync(tmp, { recursive: true, force: true });
      }
      resolve({
        code,
        wallMs: +wallMs.toFixed(1),
        cpuMs,
        sysMs,
        maxRssMB,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
  });
}

/** Runs isctl with `args` (node bin/isctl.js …), never coloured. */
export function isctl(args, opts = {}) {
  return run(process.execPath, [...(opts.nodeArgs ?? []), ISCTL, ...args], {
    ...opts,
    env: { NO_COLOR: '1', ...opts.env },
  });
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` `n` times (after `warmup` discarded runs) and returns the wall-time list and median. */
export async function repeat(n, fn, { warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const walls = [];
  let last;
  for (let i = 0; i < n; i++) {
    last = await fn();
    walls.push(last.wallMs);
  }
  return { runs: n, medianMs: +median(walls).toFixed(1), minMs: Math.min(...walls), maxMs: Math.max(...walls), last };
}

/**
 * Runs several commands round-robin `n` times (after `warmup` rounds), so load from other
 * processes on the machine hits each of them alike; returns one `repeat`-shaped result per key.
 */
export async function interleave(n, fns, { warmup = 2 } = {}) {
  const keys = Object.keys(fns);
  const walls = Object.fromEntries(keys.map((k) => [k, []]));
  const cpus = Object.fromEntries(keys.map((k) => [k, []]));
  const last = {};
  for (let i = 0; i < warmup + n; i++) {
    for (const k of keys) {
      const r = await fns[k]();
      last[k] = r;
      if (i >= warmup) walls[k].push(r.wallMs);
      if (i >= warmup && r.cpuMs !== undefined) cpus[k].push(r.cpuMs);
    }
  }
  return Object.fromEntries(
    keys.map((k) => [
      k,
      {
        runs: n,
        medianMs: +median(walls[k]).toFixed(1),
        minMs: Math.min(...walls[k]),
        maxMs: Math.max(...walls[k]),
        // Mean, not median: GNU time's 10 ms steps would make a median jump a whole step.
        ...(cpus[k].length ? { cpuMeanMs: +(cpus[k].reduce((a, b) => a + b, 0) / cpus[k].length).toFixed(1) } : {}),
        walls: walls[k],
        last: last[k],
      },
    ]),
  );
}

function tryExec(cmd, args) {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** Describes the machine and the versions of everything measured. */
export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    memoryGB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    loadavgAtStart: LOAD_AT_START,
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
    registry: tryExec('docker-registry', ['--version'])?.replace(/^docker-registry\s+/, ''),
    skopeo: tryExec('skopeo', ['--version']),
    undici: JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'undici', 'package.json'), 'utf8')).version,
    isctlCommit: process.env.BENCH_ISCTL
      ? path.basename(path.dirname(path.dirname(ISCTL))).replace('isctl-bench-build-', '')
      : tryExec('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    // Relative to the checkout (or the build's folder name), never the machine's absolute path.
    isctlPath:
      path.isAbsolute(path.relative(ROOT, ISCTL)) || path.relative(ROOT, ISCTL).startsWith('..')
        ? path.join('<build>', path.basename(path.dirname(path.dirname(ISCTL))), 'bin', path.basename(ISCTL))
        : path.relative(ROOT, ISCTL),
    isctlVersion: tryExec(process.execPath, [ISCTL, '--version']),
  };
}

/** Writes `bench/results/<name>-<timestamp>.json` and returns its path. */
export function saveResults(name, data) {
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d+Z$/, 'Z');
  const file = path.join(dir, `${name}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** Checks that isctl is built and has a command; returns its --help text or undefined. */
export async function isctlHelp(command, bin = ISCTL) {
  // dist/isctl.cjs since the bundle; dist/cli/main.js in builds made by tsc before it.
  const dist = path.join(path.dirname(bin), '..', 'dist');
  if (!existsSync(path.join(dist, 'isctl.cjs')) && !existsSync(path.join(dist, 'cli', 'main.js'))) return undefined;
  const r = await run(process.execPath, [bin, ...(command ? [command, '--help'] : ['--help'])], {
    env: { NO_COLOR: '1' },
  });
  // commander prints the root help for an unknown command; only a command's own usage counts.
  if (r.code !== 0 || (command && !r.stdout.includes(`Usage: isctl ${command}`))) return undefined;
  return r.stdout;
}
