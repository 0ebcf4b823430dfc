/**
 * Looking at a state folder as a user would after a command: its files, every digest it records,
 * the image cache, a stream as `get -o json` prints it; and the self-kill preload of the crash
 * tests.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli, spawnCli } from './cli.js';

const REPO = join(import.meta.dirname, '..', '..');

const SELF_KILL = join(REPO, 'test', 'helpers', 'processes', 'self-kill.mjs');

/** Environment that makes a spawned isctl SIGKILL itself at its `at`-th writing file-system operation (see self-kill.mjs). */
export function selfKillEnv(at: number): Record<string, string> {
  return { NODE_OPTIONS: `--import=${SELF_KILL}`, ISCTL_TEST_KILL_AT: String(at) };
}

/** Runs the CLI to completion under self-kill.mjs and returns how many writing operations it made. */
export async function countWriteOps(dir: string, argv: string[]): Promise<number> {
  const file = join(dir, '..', `ops-${process.pid}-${Date.now()}.count`);
  const r = await spawnCli(argv, { dir, env: { NODE_OPTIONS: `--import=${SELF_KILL}`, ISCTL_TEST_COUNT_FILE: file } })
    .done;
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
 * Every regular file below `dir` (relative path → content as UTF-8), dot-folders included, but for
 * those whose name `skip` picks: what a test compares to tell that a command left a folder alone.
 */
export function folderContents(dir: string, skip: (name: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of listFiles(dir)) if (!skip(basename(rel))) out[rel] = readFileSync(join(dir, rel), 'utf8');
  return out;
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
  const r = await runCli(['get', 'is', name, '-n', namespace, '-o', 'json'], { dir });
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

/** A file of a state folder, as text. */
export function readState(dir: string, rel: string): string {
  return readFileSync(join(dir, rel), 'utf8');
}
