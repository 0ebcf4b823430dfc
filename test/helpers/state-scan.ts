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
    if (f.startsWith('.isctl/blobs/packs/') && f.endsWith('.pack'))
      for (const e of packEntries(readFileSync(join(dir, f)))) found.add(e.digest);
    else if (f.startsWith('.isctl/blobs/')) found.add(f.split('/').slice(2, 4).join(':'));
    if (f.startsWith('.isctl/') || !/\.(ya?ml|json)$/i.test(f)) continue;
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) walk(doc.toJS(), '');
  }
  return found;
}

/**
 * The blobs of an image-cache pack (`.isctl/blobs/packs/<sha256>.pack`), read as this test's own
 * reading of the layout isctl documents: a header line `isctl-blob-pack 1 COUNT TOC_BYTES`, COUNT
 * lines `DIGEST SIZE`, then the blobs' bytes in that order. Throws when the file is not such a pack.
 */
export function packEntries(pack: Buffer): { digest: string; bytes: Buffer }[] {
  const nl = pack.indexOf(10);
  const head = /^isctl-blob-pack 1 (\d+) (\d+)$/.exec(pack.toString('latin1', 0, nl));
  if (!head) throw new Error(`not an isctl blob pack: ${JSON.stringify(pack.toString('latin1', 0, 40))}`);
  const lines = pack
    .toString('latin1', nl + 1, nl + 1 + Number(head[2]))
    .split('\n')
    .slice(0, -1);
  if (lines.length !== Number(head[1])) throw new Error(`pack table has ${lines.length} lines, header says ${head[1]}`);
  let at = nl + 1 + Number(head[2]);
  const out = lines.map((line) => {
    const [digest, size] = line.split(' ');
    const bytes = pack.subarray(at, at + Number(size));
    at += Number(size);
    return { digest, bytes };
  });
  if (at !== pack.length) throw new Error(`pack is ${pack.length} bytes, its table says ${at}`);
  return out;
}

/** The digests the image cache holds: loose files and the blobs of every pack. */
export function cachedDigests(dir: string): Set<string> {
  const root = join(dir, '.isctl', 'blobs');
  const found = new Set<string>();
  if (!existsSync(root)) return found;
  for (const f of listFiles(root).filter((x) => !x.includes('.isctl-tmp-'))) {
    const [alg, name] = f.split('/');
    if (alg === 'packs') for (const e of packEntries(readFileSync(join(root, f)))) found.add(e.digest);
    else found.add(`${alg}:${name}`);
  }
  return found;
}

/**
 * Image-cache files whose bytes do not hash to their file name, and packed blobs that do not hash
 * to their digest (should always be empty); temporary files are not cache entries.
 */
export function badCacheFiles(dir: string): string[] {
  const root = join(dir, '.isctl', 'blobs');
  if (!existsSync(root)) return [];
  const sha = (alg: string, bytes: Buffer) => createHash(alg).update(bytes).digest('hex');
  return listFiles(root)
    .filter((f) => !f.includes('.isctl-tmp-'))
    .flatMap((f) => {
      const bytes = readFileSync(join(root, f));
      const [alg, hex] = f.split('/');
      if (alg !== 'packs') return sha(alg, bytes) === hex ? [] : [f];
      if (hex !== `${sha('sha256', bytes)}.pack`) return [f];
      return packEntries(bytes)
        .filter((e) => sha(e.digest.split(':')[0], e.bytes) !== e.digest.split(':')[1])
        .map((e) => `${f}#${e.digest}`);
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
