/**
 * The state folder: `openStateStore(dir)` loads every object
 * below `dir` and, in `update`, writes back only what a command changed — surgically, atomically
 * and under the folder lock. New objects go to the default paths documented in ./paths.ts:
 * `imagestreams/<namespace>/<name>.yaml`, `<lowercase kind>s/<namespace>/<name>.yaml`.
 */
import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { StateFileError } from '../domain/errors.js';
import { hiddenTempFiles, removeStaleTempFiles, resolveWriteTarget, syncDirs, writeFileAtomic } from './atomic.js';
import { createBlobStore } from './blobs.js';
import { computeChanges } from './commit.js';
import { listStateFiles } from './discover.js';
import { FOLDER_CONFIG_FILE, NamespaceResolver, folderNamespace } from './namespaces.js';
import { EditError, editFileText } from './edit/file.js';
import { parse as parseYaml } from 'yaml';
import { withFolderLock } from './lock.js';
import { ParseCache } from './cache.js';
import { parseStateFile } from './parse.js';
import type { ParsedFile } from './parse.js';
import { Entry, SnapshotImpl, deepFreeze } from './snapshot.js';
import type { FileChange, MarkerSite, Snapshot, StateStore, UpdateOptions } from './types.js';
import { MARKER_KEY, findMarkers, type FoundMarker } from './markers.js';

export { defaultPathFor } from './paths.js';

/** Options of `openStateStore`. */
export interface StateStoreOptions {
  /** How long `update` waits for the folder lock (default 60 s). */
  lockTimeoutMs?: number;
  /** Files larger than this are refused unread (default 4 MiB). */
  maxFileBytes?: number;
}

/** Default size limit of one state file. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;
const WRITE_CONCURRENCY = 8;

interface Loaded {
  snapshot: SnapshotImpl;
  problemFiles: Map<string, StateFileError>;
  tempFiles: string[];
}

/**
 * Reads and parses one file. Synchronous on purpose: for thousands of small files, sync reads
 * beat the thread-pool round trips of fs.promises several times over (measured on 10,000 streams).
 */
function readOne(
  root: string,
  rel: string,
  maxBytes: number,
  cache: ParseCache,
): ParsedFile & { markers?: FoundMarker[] } {
  const abs = path.join(root, rel);
  const st = statSync(abs);
  if (st.size > maxBytes) {
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    const err = new StateFileError(
      rel,
      `file is ${mib(st.size)}, larger than the ${mib(maxBytes)} limit for one state file; it was not read`,
      undefined,
      'split it into smaller files',
    );
    return { path: rel, objects: [], problems: [err] };
  }
  const yaml = !/\.json$/i.test(rel);
  const cached = yaml ? cache.get(rel, st) : undefined;
  if (cached) return { path: rel, objects: cached, problems: [] };
  const text = readFileSync(abs, 'utf8');
  const parsed = parseStateFile(rel, text);
  // A file with marker comments is never cached, so every load finds its markers.
  const markers = yaml && parsed.problems.length === 0 ? findMarkers(text) : [];
  if (markers.length > 0) return { ...parsed, markers };
  if (parsed.slow && parsed.problems.length === 0 && !text.includes(MARKER_KEY)) cache.set(rel, st, parsed.objects);
  return parsed;
}

async function load(root: string, namespace: string, maxBytes: number): Promise<Loaded> {
  const [listing, cache] = await Promise.all([listStateFiles(root), ParseCache.open(root)]);
  const results = listing.files.map((rel) => readOne(root, rel, maxBytes, cache));
  cache.retain(listing.files);
  await cache.save();
  const problemFiles = new Map<string, StateFileError>();
  const problems: StateFileError[] = [];
  const entries: Entry[] = [];
  const seen = new Map<string, string>();
  const namespaces = new NamespaceResolver(root);
  const markers: MarkerSite[] = [];
  for (const parsed of results) {
    for (const [index, m] of (parsed.markers ?? []).entries())
      markers.push({
        file: parsed.path,
        index,
        line: m.line,
        ...(m.raw !== undefined ? { raw: m.raw } : {}),
        ...(m.error !== undefined ? { error: m.error } : {}),
        current: m.current,
        namespace: namespaces.forFile(parsed.path).namespace,
      });
    for (const p of parsed.problems) {
      problems.push(p);
      if (!problemFiles.has(parsed.path)) problemFiles.set(parsed.path, p);
    }
    for (const { object, location } of parsed.objects) {
      const declared = object.metadata?.namespace;
      const ns = typeof declared === 'string' && declared !== '' ? declared : namespaces.forFile(parsed.path).namespace;
      const key = `${object.kind}/${ns}/${object.metadata?.name ?? ''}`;
      const first = seen.get(key);
      if (first !== undefined && object.metadata?.name) {
        const dup = new StateFileError(
          parsed.path,
          `${object.kind} "${object.metadata.name}" in namespace "${ns}" is also defined in ${first}; this copy is ignored`,
          undefined,
          'keep one definition',
        );
        problems.push(dup);
        if (!problemFiles.has(parsed.path)) problemFiles.set(parsed.path, dup);
        continue;
      }
      seen.set(key, parsed.path);
      entries.push(new Entry(location, deepFreeze(object), undefined, ns));
    }
  }
  return {
    snapshot: new SnapshotImpl(namespace, entries, problems, markers),
    problemFiles,
    tempFiles: listing.tempFiles,
  };
}

async function readText(root: string, rel: string): Promise<string | null> {
  try {
    return await fs.readFile(path.join(root, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Opens the state folder `dir` (it must exist). */
export function openStateStore(dir: string, options: StateStoreOptions = {}): StateStore {
  const root = path.resolve(dir);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const lockTimeout = options.lockTimeoutMs ?? 60_000;
  return {
    dir: root,
    blobs: createBlobStore(root),
    async read(namespace: string): Promise<Snapshot> {
      await checkFolder(root);
      return (await load(root, namespace, maxBytes)).snapshot;
    },
    async update<T>(namespace: string, fn: (snapshot: Snapshot) => Promise<T> | T, opts: UpdateOptions = {}) {
      await checkFolder(root);
      return withFolderLock(root, lockTimeout, async () => {
        const loaded = await load(root, namespace, maxBytes);
        const result = await fn(loaded.snapshot);
        const changes = await computeChanges(loaded.snapshot, (rel) => readText(root, rel), loaded.problemFiles);
        if (!opts.dryRun) await writeChanges(root, loaded.tempFiles, changes);
        return { result, changes };
      });
    },
    folderNamespace: () => folderNamespace(root),
    async setFolderNamespace(namespace: string) {
      await checkFolder(root);
      return withFolderLock(root, lockTimeout, async () => {
        const before = folderNamespace(root);
        await writeFileAtomic(root, FOLDER_CONFIG_FILE, await settingText(root, namespace));
        return { before, after: folderNamespace(root) };
      });
    },
  };
}

/** The text of `.isctl/config.yaml` with `namespace` set: edited in place when the file exists. */
async function settingText(root: string, namespace: string): Promise<string> {
  const current = await readText(root, FOLDER_CONFIG_FILE);
  if (current === null || current.trim() === '')
    return (
      `# Settings of this isctl state folder; commit this file.\n` +
      `# namespace: where objects without metadata.namespace belong (isctl project NAME).\n` +
      `namespace: ${namespace}\n`
    );
  let value: unknown;
  try {
    value = parseYaml(current);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new StateFileError(
      FOLDER_CONFIG_FILE,
      'is not a YAML map of settings; isctl does not rewrite it',
      undefined,
      `fix it or remove it, then run the command again`,
    );
  try {
    return (
      editFileText(FOLDER_CONFIG_FILE, current, [{ document: 0, after: { ...value, namespace }, before: value }]) ?? ''
    );
  } catch (err) {
    if (err instanceof EditError) throw new StateFileError(FOLDER_CONFIG_FILE, err.message);
    throw err;
  }
}

async function writeChanges(root: string, tempFiles: string[], changes: FileChange[]): Promise<void> {
  // Refuse every unsafe target before writing anything, so a refused link leaves no half-done transaction.
  for (const c of changes) await resolveWriteTarget(root, c.path);
  await removeStaleTempFiles(root, [...tempFiles, ...(await hiddenTempFiles(root))]);
  // Each file is replaced atomically on its own; several at a time so that fsyncs overlap.
  const dirs = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < changes.length) {
      const c = changes[next++];
      await writeFileAtomic(root, c.path, c.after, 0o644, dirs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, changes.length) }, worker));
  await syncDirs(dirs);
}

async function checkFolder(root: string): Promise<void> {
  const st = await fs.stat(root).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new StateFileError(
      root,
      'state folder does not exist or is not a folder',
      undefined,
      'pass an existing folder with --dir or ISCTL_DIR',
    );
  }
}
