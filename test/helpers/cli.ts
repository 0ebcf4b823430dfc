/**
 * Running isctl in tests, the two ways a user does: in-process (`runCli`, the unit way: a
 * captured IO, a settable clock, no process) and as an OS process of the built CLI (`spawnCli`,
 * the end-to-end way: bin/isctl.js over the bundle in dist/). Both start from the same clean environment.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { tempDir } from './temp.js';

/** Root of the repository. */
export const ROOT = join(import.meta.dirname, '..', '..');
/** The built CLI; ISCTL_TEST_BIN points at another build (e.g. a private one while others rebuild dist/). */
export const BIN = process.env.ISCTL_TEST_BIN ?? join(ROOT, 'bin', 'isctl.js');
/** The bundled OCI image layout (tags 1.0, 1.1, multi). */
export const EXAMPLE_LAYOUT = join(ROOT, 'examples', 'hello-oci');

/** What one CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clock tests can move; `testClock()` starts at FIXED_NOW, `realClock` is the wall clock. */
export interface Clock {
  now: () => Date;
}
export interface TestClock extends Clock {
  set(iso: string): void;
  advance(ms: number): void;
}

/** The instant every in-process run sees unless a test passes a clock. */
export const FIXED_NOW = '2026-11-22T12:00:00Z';

/** A clock starting at `iso`. */
export function testClock(iso = FIXED_NOW): TestClock {
  let t = new Date(iso).getTime();
  return { now: () => new Date(t), set: (s) => (t = new Date(s).getTime()), advance: (ms) => (t += ms) };
}

/** The wall clock, for tests whose registries, certificates or caches live in real time. */
export const realClock: Clock = { now: () => new Date() };

/** How a test runs a command. */
export interface RunOptions {
  /** The state folder: passed as `--dir DIR` (first), and the default cwd and HOME. */
  dir?: string;
  /** Working directory (default `dir`, else the repository root). */
  cwd?: string;
  /** Added to the clean environment (PATH, HOME); a key set to undefined removes it. */
  env?: Record<string, string | undefined>;
  /** Default: fixed at FIXED_NOW. */
  clock?: Clock;
  /** stdout and stderr claim to be a terminal (progress lines, colour unless NO_COLOR). */
  tty?: boolean;
  stdin?: NodeJS.ReadableStream;
}

let emptyHome: string | undefined;

/**
 * The environment a command starts from: PATH (to find credential helpers and shells), and a HOME
 * of its own (the state folder, else an empty folder), so no file of the machine's user — a
 * ~/.docker/config.json, a containers auth file — reaches a test. Nothing else of process.env.
 */
export function cleanEnv(o: Pick<RunOptions, 'dir' | 'env'> = {}): Record<string, string | undefined> {
  const home = o.dir ?? (emptyHome ??= tempDir('home'));
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: home, ...o.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

/** Runs `isctl ARGV` in-process. */
export async function runCli(argv: string[], o: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: o.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: o.tty ?? false },
    env: cleanEnv(o),
    cwd: o.cwd ?? o.dir ?? ROOT,
    now: (o.clock ?? testClock()).now,
    ...(o.stdin ? { stdin: o.stdin } : {}),
  };
  const code = await run(o.dir ? ['--dir', o.dir, ...argv] : argv, io);
  return { code, stdout, stderr };
}

/** A running `node bin/isctl.js` process. */
export interface CliProcess {
  pid: number;
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

let cliRoot: string | undefined;

/** Starts the built CLI as an OS process (same options as runCli but the clock, the tty and stdin). */
export function spawnCli(argv: string[], o: Omit<RunOptions, 'clock' | 'tty' | 'stdin'> = {}): CliProcess {
  const bin = cliRoot ? join(cliRoot, 'bin', 'isctl.js') : BIN;
  const child = spawn(process.execPath, [bin, ...(o.dir ? ['--dir', o.dir] : []), ...argv], {
    cwd: o.cwd ?? o.dir ?? ROOT,
    env: cleanEnv({ dir: o.dir, env: { NO_COLOR: '1', ...o.env } }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { pid: child.pid!, done };
}

/** Builds dist/ (`npm run build`) when it is missing or older than src/ (`npm test` builds it first). */
export function ensureBuilt(): void {
  const outputs = [join(ROOT, 'dist', 'isctl.cjs'), join(ROOT, 'dist', 'launch.js')];
  const built = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  if (built > 0 && newestMtime(join(ROOT, 'src')) <= built) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed; the process-level tests need dist/');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Copies bin/, dist/ and package.json to a private temporary folder (node_modules linked back to
 * the repository's) and makes every spawnCli of this test file run from there: another build
 * rewriting dist/ during a long test must not hand a half-written module to a process. Returns
 * the folder and a function that removes it.
 */
export function useCliSnapshot(): { root: string; remove: () => void } {
  ensureBuilt();
  const root = tempDir('cli');
  cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  cliRoot = root;
  return {
    root,
    remove: () => {
      cliRoot = undefined;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A folder holding an `isctl` shim that runs the built CLI (what a global install puts on PATH). */
export function shimBin(): string {
  const dir = tempDir('bin');
  writeFileSync(join(dir, 'isctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  return dir;
}
