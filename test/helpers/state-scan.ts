/**
 * Helpers of the reliability tests: run the CLI in-process or as a real OS process (the built
 * dist/, as users run it), scan a state folder for every digest it records and every file it
 * holds, and check the image cache.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

/** Root of the repository. */
export const REPO = join(import.meta.dirname, '..', '..');
/** The CLI entry users run. */
export const BIN = join(REPO, 'bin', 'isctl.js');

/** What one CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs isctl in-process with `--dir dir` and a clean environment (plus `env`). */
export async function runCli(
  dir: string,
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ...env },
    cwd: dir,
    now: () => new Date(),
  };
  const code = await run(['--dir', dir, ...argv], io);
  return { code, stdout, stderr };
}

/** A fresh temporary folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `isctl-rel-${prefix}-`));
}

/** Builds dist/ once when it is missing or older than src/ (the CI test command builds it first). */
export function ensureBuilt(): void {
  const main = join(REPO, 'dist', 'cli', 'main.js');
  if (existsSync(main) && newestMtime(join(REPO, 'src')) <= statSync(main).mtimeMs) return;
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', REPO], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('tsc -p . failed; the process-level tests need dist/');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let cliRoot = REPO;

/**
 * Copies bin/, dist/ and package.json to a private temporary folder (node_modules linked back to
 * the repository's) and runs every spawned CLI from there: another `tsc -p .` rewriting dist/
 * during a long test must not hand a half-written module to a process. Returns the folder and a
 * function that removes it.
 */
export function useCliSnapshot(): { root: string; remove: () => void } {
  ensureBuilt();
  const root = tempDir('cli');
  cpSync(join(REPO, 'dist'), join(root, 'dist'), { recursive: true });
  cpSync(join(REPO, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  cliRoot = root;
  return {
    root,
    remove: () => {
      cliRoot = REPO;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A running `node bin/isctl.js` process. */
export interface CliProcess {
  pid: number;
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI as an OS process. */
export function spawnCli(dir: string, argv: string[], env: Record<string, string | undefined> = {}): CliProcess {
  const child = spawn(process.execPath, [join(cliRoot, 'bin', 'isctl.js'), '--dir', dir, ...argv], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ...env },
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

const SELF_KILL = join(REPO, 'test', 'helpers', 'processes', 'self-kill.mjs');

/** Environment that makes a spawned isctl SIGKILL itself at its `at`-th writing file-system operation (see self-kill.mjs). */
export function selfKillEnv(at: number): Record<string, string> {
  return { NODE_OPTIONS: `--import=${SELF_KILL}`, ISCTL_TEST_KILL_AT: String(at) };
}

/** Runs the CLI to completion under self-kill.mjs and returns how many writing operations it made. */
export async function countWriteOps(dir: string, argv: string[]): Promise<number> {
  const file = join(dir, '..', `ops-${process.pid}-${Date.now()}.count`);
  const r = await spawnCli(dir, argv, { NODE_OPTIONS: `--import=${SELF_KILL}`, ISCTL_TEST_COUNT_FILE: file }).done;
  if (r.code !== 0) throw new Error(`counting run failed: ${r.stderr}`);
  const n = Number(readFileSync(file, 'utf8'));
  rmSync(file, { force: true });
  return n;
}

/** Every regular file below `dir` (relative paths), dot-folders included. */
export function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else out.push(relative(base, p));
  }
  return out.sort();
}

/**
 * Every `sha256:…` digest the state files record as data (tag history, references, spec), plus
 * the names of the image-cache files. Human-readable `message` fields are left out: an
 * ImportSuccess=False message rightly quotes the digest that did not match.
 */
export function recordedDigests(dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string' && key !== 'message') for (const m of v.matchAll(/sha256:[a-f0-9]{64}/g)) found.add(m[0]);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const f of listFiles(dir)) {
    if (f.startsWith('.isctl/blobs/')) found.add(f.split('/').slice(2, 4).join(':'));
    if (f.startsWith('.isctl/') || !/\.(ya?ml|json)$/i.test(f)) continue;
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) walk(doc.toJS(), '');
  }
  return found;
}

/** Image-cache files whose bytes do not hash to their file name (should always be empty); temporary files are not cache entries. */
export function badCacheFiles(dir: string): string[] {
  const root = join(dir, '.isctl', 'blobs');
  if (!existsSync(root)) return [];
  return listFiles(root)
    .filter((f) => !f.includes('.isctl-tmp-'))
    .filter((f) => {
      const [alg, hex] = f.split('/');
      return (
        createHash(alg)
          .update(readFileSync(join(root, f)))
          .digest('hex') !== hex
      );
    });
}

/** The ImageStream as `isctl get is NAME -o json` prints it. */
export async function getStream(dir: string, name: string, namespace = 'default'): Promise<any> {
  const r = await runCli(dir, ['get', 'is', name, '-n', namespace, '-o', 'json']);
  if (r.code !== 0) throw new Error(`get is ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** status.tags[tag] of a stream object. */
export function statusTag(
  stream: any,
  tag: string,
):
  | {
      items?: { image: string; dockerImageReference: string }[];
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
    }
  | undefined {
  return stream?.status?.tags?.find((t: { tag: string }) => t.tag === tag);
}
