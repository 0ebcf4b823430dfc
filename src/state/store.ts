/**
 * The state folder: `openStateStore(dir)` loads every object
 * below `dir` and, in `update`, writes back only what a command changed — surgically, atomically
 * and under the folder lock. New objects go to the default paths documented in ./paths.ts:
 * `imagestreams/<namespace>/<name>.yaml`, `<lowercase kind>s/<namespace>/<name>.yaml`.
 */
import { isUtf8 } from 'node:buffer';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { StateFileError } from '../domain/errors.js';
import type { KubeObject } from '../domain/types.js';
import {
  abortWrite,
  commitWrite,
  hiddenTempFiles,
  prepareWrite,
  removeCreatedDirs,
  removeStaleTempFiles,
  resolveWriteTarget,
  syncDirs,
  writeFileAtomic,
  type PreparedWrite,
} from './atomic.js';
import { createBlobStore } from './blobs.js';
import { computeChanges, objectUpdate, type WriteGuard } from './commit.js';
import { listStateFiles } from './discover.js';
import { FOLDER_CONFIG_FILE, NamespaceResolver, folderNamespace } from './namespaces.js';
import { EditError, EditParses, editFileText } from './edit/file.js';
import { parse as parseYaml } from 'yaml';
import { folderLockState, withFolderLock } from './lock.js';
import { ParseCache } from './parse-cache.js';
import { parseStateFile } from './parse.js';
import {
  type FileStat,
  ObjectIndex,
  type IndexedFile,
  ParseMemo,
  type ReadResult,
  fileStat,
  indexedObjectOf,
} from './object-index.js';
import { Entry, type PendingFiles, SnapshotImpl, deepFreeze } from './snapshot.js';
import type {
  FileChange,
  MarkerSite,
  ObjectViews,
  Snapshot,
  StateStore,
  StoredObject,
  UpdateOptions,
} from './types.js';
import { MARKER_KEY, findMarkers } from './markers.js';
import { type MayDefine, mayDefine } from './may-define.js';

export { defaultPathFor } from './paths.js';

/** What one load of the folder found, for the command to tell the user. */
export interface LoadReport {
  /** Files that could not be read (or hold invalid objects); they are never rewritten. */
  problems: readonly StateFileError[];
  /** What was read leniently (a repeated key: the last one wins). */
  warnings: readonly StateFileError[];
}

/** Options of `openStateStore`. */
export interface StateStoreOptions {
  /** Called after every load with what it found (problems and warnings, possibly empty). */
  report?: (found: LoadReport) => void;
  /** How long `update` waits for the folder lock (default 60 s). */
  lockTimeoutMs?: number;
  /** Files larger than this are refused unread (default 4 MiB). */
  maxFileBytes?: number;
  /** Views of objects for listings, kept in the object index (`Snapshot.listViews`). */
  views?: ObjectViews;
}

/** Default size limit of one state file. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;
const WRITE_CONCURRENCY = 8;

interface Loaded {
  snapshot: SnapshotImpl;
  /** Files that could not be read: never written. */
  problemFiles: Map<string, StateFileError>;
  /** Files read but never rewritten, with why. */
  readOnly: Map<string, StateFileError>;
  guard: WriteGuard;
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
  st: FileStat,
  memo: ParseMemo,
): ReadResult {
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
  const remembered = memo.get(rel, st);
  if (remembered) return remembered;
  const yaml = !/\.json$/i.test(rel);
  const cached = yaml ? cache.get(rel, st) : undefined;
  if (cached) return memo.set(rel, st, { path: rel, objects: cached, problems: [] });
  const bytes = readFileSync(path.join(root, rel));
  const text = bytes.toString('utf8');
  const parsed: ReadResult = parseStateFile(rel, text);
  if (!isUtf8(bytes)) parsed.readOnly = notUtf8(rel, bytes);
  if (parsed.problems.length > 0) parsed.text = text;
  // A file with marker comments is never cached, so every load finds its markers.
  const markers = yaml && parsed.problems.length === 0 ? findMarkers(text) : [];
  if (markers.length > 0) return memo.set(rel, st, { ...parsed, markers });
  if (parsed.slow && parsed.problems.length === 0 && !parsed.readOnly && !text.includes(MARKER_KEY))
    cache.set(rel, st, parsed.objects);
  return memo.set(rel, st, parsed);
}

/** Why a file that is not UTF-8 is never rewritten: a rewrite would turn its odd bytes into U+FFFD. */
function notUtf8(rel: string, bytes: Buffer): StateFileError {
  const at = firstInvalidUtf8(bytes);
  const before = bytes.subarray(0, at);
  const line = before.filter((b) => b === 0x0a).length + 1;
  const column = at - (before.lastIndexOf(0x0a) + 1) + 1;
  return new StateFileError(
    rel,
    `is not valid UTF-8 (byte 0x${bytes[at]?.toString(16).toUpperCase().padStart(2, '0')}); ` +
      'isctl reads it but never rewrites it, since that would change bytes nobody edited',
    { line, column },
    'convert the file to UTF-8 (for example: iconv -f latin1 -t utf-8), then run the command again',
  );
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    if (n > 0 && !isUtf8(b.subarray(i, i + n + 1))) return i;
    i += n + 1;
  }
  return b.length;
}

/** A file that could not be read, and which objects it may define (undefined: any, its text is not searched). */
interface Unreadable {
  file: string;
  error: StateFileError;
  defines: () => MayDefine | undefined;
}

/** Files over this size are not even searched for names: any object may be in them. */
const MAX_SCAN_BYTES = 64 * 1024 * 1024;
/** A listing that parses at most this many files keeps their parses for its snapshot, up to this many bytes. */
const KEEP_LISTED_FILES = 256;
const KEEP_LISTED_BYTES = 8 * 1024 * 1024;

/** A file known from the object index and not parsed yet: its objects' effective keys and which copies count. */
interface PendingFile {
  order: number;
  st: FileStat;
  keys: { kind: string; namespace: string; name: string; key: string; kept: boolean }[];
  /** The view of each object (parallel to keys) when the load lists. */
  views?: readonly unknown[];
}

async function load(
  root: string,
  namespace: string,
  maxBytes: number,
  memo: ParseMemo,
  views: ObjectViews | undefined,
): Promise<Loaded> {
  const [listing, cache] = await Promise.all([listStateFiles(root), ParseCache.open(root)]);
  const index = ObjectIndex.open(root, views);
  const known = new Map<string, IndexedFile>();
  const stats = new Map<string, FileStat>();
  const results: (ReadResult | string)[] = [];
  // What the index vouches for, file by file; the others are parsed below.
  const looked = listing.files.map((rel) => {
    const full = statSync(path.join(root, rel));
    const entry = full.size <= maxBytes ? index.get(rel, full) : undefined;
    // What is kept of the stat: the index entry when it vouches (it holds the same four fields), else a copy.
    const st = entry ?? fileStat(full);
    // A listing also needs the file's views: a file whose views are not recorded (a command that
    // did not list changed it) is parsed and recorded again.
    const viewed =
      entry && views
        ? index.views(
            rel,
            st,
            entry.objects.map((o) => o[0]),
          )
        : undefined;
    return { rel, st, entry, viewed, vouched: entry !== undefined && (!views || viewed !== undefined) };
  });
  // A listing that parses only a few files keeps their parses for its snapshot (a command that
  // lists and then reads the streams it selected, as refresh does, does not parse them twice);
  // one that parses many (a folder indexed for the first time) keeps none, so it holds no object.
  const keep = looked.reduce((n, l) => n + (l.vouched ? 0 : 1), 0) <= KEEP_LISTED_FILES;
  const listed = new Map<string, ReadResult>();
  let listedBytes = 0;
  for (const { rel, st, entry, viewed, vouched } of looked) {
    if (vouched && entry) {
      known.set(rel, viewed ? { objects: entry.objects, views: viewed } : entry);
      stats.set(rel, st);
      results.push(rel);
      continue;
    }
    const parsed = readOne(root, rel, maxBytes, cache, st, memo);
    const clean =
      parsed.problems.length === 0 && !parsed.warnings?.length && !parsed.readOnly && !parsed.markers?.length;
    if (!clean) {
      index.delete(rel);
      results.push(parsed);
      continue;
    }
    const file = index.set(rel, st, parsed.objects);
    if (views) {
      // With views, a clean file is kept as its keys and views only, as if the index had vouched for
      // it: a listing holds no object, but for the few parses it may keep (above).
      memo.forget(rel);
      if (keep && listedBytes + st.size <= KEEP_LISTED_BYTES) {
        listed.set(rel, parsed);
        listedBytes += st.size;
      }
      known.set(rel, file);
      stats.set(rel, st);
      results.push(rel);
    } else results.push(parsed);
  }
  cache.retain(listing.files);
  index.retain(listing.files);
  memo.retain(listing.files);
  await Promise.all([cache.save(), index.save()]);
  const problemFiles = new Map<string, StateFileError>();
  const readOnly = new Map<string, StateFileError>();
  const problems: StateFileError[] = [];
  const warnings: StateFileError[] = [];
  const unreadable: Unreadable[] = [];
  const entries: Entry[] = [];
  const copies = new Map<string, string[]>();
  const namespaces = new NamespaceResolver(root);
  const markers: MarkerSite[] = [];
  const pending = new Map<string, PendingFile>();
  /** Records one object's key; false for a second copy (reported, and ignored). */
  const count = (file: string, kind: string, ns: string, name: string, key = objectKey(kind, ns, name)): boolean => {
    const files = copies.get(key);
    if (files !== undefined && name) {
      // Reads show the first copy and report the others; writes refuse to pick one (guard below).
      files.push(file);
      const dup = new StateFileError(
        file,
        `${kind} "${name}" in namespace "${ns}" is also defined in ${files[0]}; this copy is ignored`,
        undefined,
        'keep one definition',
      );
      problems.push(dup);
      if (!problemFiles.has(file)) problemFiles.set(file, dup);
      return false;
    }
    copies.set(key, [file]);
    return true;
  };
  for (const [order, parsed] of results.entries()) {
    if (typeof parsed === 'string') {
      const indexed = known.get(parsed);
      const keys = (indexed?.objects ?? []).map(([kind, declared, name]) => {
        const ns = declared !== '' ? declared : namespaces.forFile(parsed).namespace;
        const key = objectKey(kind, ns, name);
        return { kind, namespace: ns, name, key, kept: count(parsed, kind, ns, name, key) };
      });
      pending.set(parsed, { order, st: stats.get(parsed)!, keys, ...(indexed?.views ? { views: indexed.views } : {}) });
      continue;
    }
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
    if (parsed.problems.length > 0) {
      const abs = path.join(root, parsed.path);
      const text = parsed.text;
      let defines: MayDefine | undefined | null = null;
      unreadable.push({
        file: parsed.path,
        error: parsed.problems[0],
        // A file over the size limit was not read: search its bytes only if a write needs to know.
        defines: () => {
          if (defines !== null) return defines;
          const t = text ?? (statSync(abs).size <= MAX_SCAN_BYTES ? readFileSync(abs, 'latin1') : undefined);
          defines = t === undefined ? undefined : mayDefine(t);
          return defines;
        },
      });
    }
    warnings.push(...(parsed.warnings ?? []));
    if (parsed.readOnly) readOnly.set(parsed.path, parsed.readOnly);
    for (const { object, location } of parsed.objects) {
      const [kind, declared, name] = indexedObjectOf(object);
      const ns = declared !== '' ? declared : namespaces.forFile(parsed.path).namespace;
      if (count(parsed.path, kind, ns, name)) entries.push(new Entry(location, deepFreeze(object), undefined, ns));
    }
  }
  const order = new Map(listing.files.map((f, i) => [f, i]));
  // Pending files by object key, for `find`; kinds are looked up by scanning the few pending records.
  const byKey = new Map<string, string[]>();
  for (const [file, p] of pending)
    for (const k of p.keys) {
      const list = byKey.get(k.key);
      if (list) list.push(file);
      else byKey.set(k.key, [file]);
    }
  const pendingWhere = (pred: (k: PendingFile['keys'][number]) => boolean): string[] => {
    const out: string[] = [];
    for (const [file, p] of pending) if (p.keys.some(pred)) out.push(file);
    return out;
  };
  const files: PendingFiles = {
    defining: (kind, ns, name) => (byKey.get(objectKey(kind, ns, name)) ?? []).filter((f) => pending.has(f)),
    ofKind: (kind, ns, except) =>
      pendingWhere((k) => (except ? k.kind !== kind : k.kind === kind) && (ns === undefined || k.namespace === ns)),
    all: () => [...pending.keys()],
    views: (kind, ns) => {
      const out: { namespace: string; name: string; view: unknown }[] = [];
      const missing: string[] = [];
      for (const [file, p] of pending) {
        const of = p.keys.flatMap((k, i) =>
          k.kind === kind && k.kept && (ns === undefined || k.namespace === ns) ? [i] : [],
        );
        if (of.length === 0) continue;
        const v = p.views;
        if (v && of.every((i) => v[i] !== null))
          for (const i of of) out.push({ namespace: p.keys[i].namespace, name: p.keys[i].name, view: v[i] });
        else missing.push(file);
      }
      return { views: out, missing };
    },
    order: (file) => order.get(file) ?? Number.MAX_SAFE_INTEGER,
    load: (file) => {
      const p = pending.get(file);
      if (!p) return [];
      pending.delete(file);
      // The stat of the listing: a read takes no lock, so the file is read as it is now. Deleted since: it holds nothing.
      let parsed: ReadResult;
      try {
        const kept = listed.get(file);
        listed.delete(file);
        parsed = kept ?? readOne(root, file, maxBytes, cache, p.st, memo);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      // The file changed since it was listed (a read takes no lock): what it holds now counts.
      const same = parsed.problems.length === 0 && sameKeys(parsed, p);
      if (!same) problems.push(...parsed.problems);
      const out: Entry[] = [];
      for (const [i, { object, location }] of parsed.objects.entries()) {
        const declared = indexedObjectOf(object)[1];
        const ns = declared !== '' ? declared : namespaces.forFile(file).namespace;
        if (same ? p.keys[i].kept : true) out.push(new Entry(location, deepFreeze(object), undefined, ns));
      }
      return out;
    },
  };
  return {
    snapshot: new SnapshotImpl(
      namespace,
      entries,
      problems,
      markers,
      warnings,
      pending.size > 0 ? files : undefined,
      views,
    ),
    problemFiles,
    readOnly,
    guard: writeGuard(copies, unreadable),
    tempFiles: listing.tempFiles,
  };
}

function sameKeys(parsed: ReadResult, p: PendingFile): boolean {
  return (
    parsed.objects.length === p.keys.length &&
    parsed.objects.every((o, i) => {
      const [kind, , name] = indexedObjectOf(o.object);
      return kind === p.keys[i].kind && name === p.keys[i].name;
    })
  );
}

function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

/**
 * What a transaction may write: never one of two copies of an object (which one is real is
 * the user's call, and the other would come back once this one is deleted), and never an object
 * a file that could not be read may also define — creating it elsewhere would leave two copies
 * once that file is fixed. What such a file may define is read from its text (./may-define.ts):
 * the top-level kind and metadata.name of each document, or, where those cannot be found, any
 * kind and name it mentions as words.
 */
function writeGuard(copies: Map<string, string[]>, unreadable: Unreadable[]): WriteGuard {
  return (kind, namespace, name) => {
    const files = copies.get(objectKey(kind, namespace, name));
    if (files && files.length > 1)
      throw new StateFileError(
        files[0],
        `${kind} "${name}" in namespace "${namespace}" is defined in ${files.length} files (${files.join(', ')}); isctl does not pick one to change`,
        undefined,
        'keep one definition, then run the command again',
      );
    for (const u of unreadable) {
      const defines = u.defines();
      if (defines !== undefined && !defines(kind, name)) continue;
      throw new StateFileError(
        u.file,
        `could not be read and may define ${kind} "${name}"; isctl does not write ${kind} "${name}" while that file cannot be read (${u.error.message})`,
        undefined,
        'fix or remove that file, then run the command again',
      );
    }
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
  // What this store parsed, by file and stat: `update` after a `read` of the same command re-parses only what changed.
  const memo = new ParseMemo();
  const lockTimeout = options.lockTimeoutMs ?? 60_000;
  // What each read of this store loaded, for an update that runs on it first (`readFirst`).
  const reads = new WeakMap<Snapshot, Loaded>();
  let latest: { namespace: string; snapshot: WeakRef<Snapshot> } | undefined;
  // Files a command expects to change (`prepareEdits`), parsed for editing while it waits on the
  // network: queued, then parsed one per turn of the event loop.
  const parses = new EditParses();
  const preparing: string[] = [];
  const queued = new Set<string>();
  const changesOf = (loaded: Loaded) =>
    computeChanges(loaded.snapshot, (rel) => readText(root, rel), {
      problems: loaded.problemFiles,
      readOnly: loaded.readOnly,
      guard: loaded.guard,
      parses,
    });
  const blobs = createBlobStore(root);
  const prepareNext = () => {
    const rel = preparing.shift();
    if (rel === undefined) return;
    queued.delete(rel);
    try {
      const abs = path.join(root, rel);
      if (parses.hasRoom(statSync(abs).size)) parses.prepare(rel, readFileSync(abs, 'utf8'));
    } catch {
      // Only an optimisation: the edit reads and parses the file itself, and reports what is wrong.
    }
    if (preparing.length > 0 && parses.hasRoom(0)) setImmediate(prepareNext);
    else {
      // Done, or no room for more: the rest are parsed when they are edited.
      preparing.length = 0;
      queued.clear();
    }
  };
  async function transaction<T>(
    namespace: string,
    fn: (snapshot: Snapshot) => Promise<T> | T,
    opts: UpdateOptions,
  ): Promise<{ result: T; changes: FileChange[] }> {
    await checkFolder(root);
    // A transaction that writes nothing needs neither the lock nor a second load: run on the
    // command's own read, its answer is the one it would have given at that read.
    const first = opts.readFirst ? reads.get(opts.readFirst) : undefined;
    if (first && first.snapshot.namespace === namespace) {
      reads.delete(first.snapshot);
      const result = await fn(first.snapshot);
      // A file that changed since the read, or any refusal, is for the locked run to decide.
      const changes = await changesOf(first).catch(() => undefined);
      if (changes && opts.dryRun) return { result, changes };
      // A lock or temporary files a killed writer left are still cleared up by a run that writes
      // nothing: a stale lock takes the locked path (which recovers it); temporary files of
      // provably dead writers are removed (no live writer can rename them, so no lock is needed).
      if (changes && changes.length === 0 && (await folderLockState(root)) !== 'stale') {
        // Blobs fetched again for digests the state already names (a folder whose .isctl/ was
        // not committed) are kept, as the locked path would keep them.
        await blobs.flush();
        await removeStaleTempFiles(root, [...first.tempFiles, ...(await hiddenTempFiles(root))]);
        return { result, changes };
      }
    }
    return withFolderLock(root, lockTimeout, async () => {
      // A transaction lists nothing: the views are left to the next listing.
      const loaded = await load(root, namespace, maxBytes, memo, undefined);
      options.report?.(loaded.snapshot);
      const result = await fn(loaded.snapshot);
      const changes = await changesOf(loaded);
      if (!opts.dryRun) await writeChanges(root, loaded.tempFiles, changes, () => blobs.flush());
      return { result, changes };
    });
  }
  return {
    dir: root,
    blobs,
    prepareEdits(objects: readonly StoredObject[]): void {
      if (!parses.hasRoom(0)) return;
      const start = preparing.length === 0;
      for (const o of objects) {
        const file = o.location?.file;
        if (preparing.length >= parses.maxFiles) break;
        if (file === undefined || queued.has(file) || parses.has(file) || !/\.ya?ml$/i.test(file)) continue;
        queued.add(file);
        preparing.push(file);
      }
      if (start && preparing.length > 0) setImmediate(prepareNext);
    },
    prepareEdit(object: StoredObject, after: KubeObject): void {
      const loc = object.location;
      const before = object.original;
      if (!loc || !before || !/\.ya?ml$/i.test(loc.file)) return;
      const update = objectUpdate(loc, before, after);
      setImmediate(() => {
        try {
          const abs = path.join(root, loc.file);
          parses.prepareEdit(loc.file, readFileSync(abs, 'utf8'), [update]);
        } catch {
          // Only an optimisation: the transaction edits the file itself, and reports what is wrong.
        }
      });
    },
    async read(namespace: string, opts: { views?: boolean; reuse?: boolean } = {}): Promise<Snapshot> {
      const previous = opts.reuse && latest?.namespace === namespace ? latest.snapshot.deref() : undefined;
      if (previous) return previous;
      await checkFolder(root);
      const loaded = await load(root, namespace, maxBytes, memo, opts.views ? options.views : undefined);
      reads.set(loaded.snapshot, loaded);
      // Weakly: a long-running serve does not keep an old snapshot alive for a later reuse.
      latest = { namespace, snapshot: new WeakRef(loaded.snapshot) };
      options.report?.(loaded.snapshot);
      return loaded.snapshot;
    },
    async update<T>(namespace: string, fn: (snapshot: Snapshot) => Promise<T> | T, opts: UpdateOptions = {}) {
      try {
        return await transaction(namespace, fn, opts);
      } finally {
        // What was parsed ahead for this transaction and not taken was not needed.
        parses.clear();
        preparing.length = 0;
        queued.clear();
      }
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

/**
 * Writes a transaction's files in two phases, so a failure changes no file or says exactly which
 * ones it changed: first every new content goes to a temporary file next to its target (this is
 * where a full disk or a quota fails), then the temporary files are renamed into place. A failure
 * in the first phase removes every temporary file and folder it made; one in the second (rare:
 * renames need no new data blocks) stops, removes the remaining temporary files and names the
 * files already changed and those not.
 */
async function writeChanges(
  root: string,
  tempFiles: string[],
  changes: FileChange[],
  flushBlobs: () => Promise<void>,
): Promise<void> {
  // Refuse every unsafe target before writing anything, so a refused link leaves no half-done transaction.
  for (const c of changes) await resolveWriteTarget(root, c.path);
  await removeStaleTempFiles(root, [...tempFiles, ...(await hiddenTempFiles(root))]);
  // The image data the new state names is on disk before any state file names it.
  await flushBlobs();
  const prepared: PreparedWrite[] = [];
  const createdDirs: string[] = [];
  let next = 0;
  let failed: { change: FileChange; err: unknown } | undefined;
  // Several at a time, so that the fsyncs overlap.
  const worker = async () => {
    while (next < changes.length && !failed) {
      const c = changes[next++];
      try {
        prepared.push(await prepareWrite(root, c.path, c.after, 0o644, createdDirs));
      } catch (err) {
        failed ??= { change: c, err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, changes.length) }, worker));
  if (failed) {
    await Promise.all(prepared.map(abortWrite));
    await removeCreatedDirs(createdDirs);
    throw writeFailure(failed.change.path, failed.err, 'no file was changed');
  }
  const dirs = new Set<string>();
  const done: string[] = [];
  for (const [i, p] of prepared.sort((x, y) => (x.rel < y.rel ? -1 : 1)).entries()) {
    try {
      await commitWrite(root, p, dirs);
      done.push(p.rel);
    } catch (err) {
      await Promise.all(prepared.slice(i + 1).map(abortWrite));
      await syncDirs(dirs);
      const left = prepared.slice(i).map((q) => q.rel);
      const changed = done.length > 0 ? `changed: ${done.join(', ')}` : 'no file was changed';
      throw writeFailure(p.rel, err, `the command stopped part way; ${changed}; not changed: ${left.join(', ')}`);
    }
  }
  await syncDirs(dirs);
}

/** A write of the state folder that failed, named by file and the system's reason (never a temporary file's name). */
function writeFailure(rel: string, err: unknown, what: string): unknown {
  if (err instanceof StateFileError) return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return err;
  // Node's message is "CODE: description, syscall 'path'": the path would name the temporary file.
  const reason = String(e.message).split(', ')[0] || e.code;
  const hint =
    e.code === 'ENOSPC' || e.code === 'EDQUOT'
      ? 'free space on that file system, then run the command again'
      : 'fix the cause, then run the command again';
  return new StateFileError(rel, `could not be written (${reason}); ${what}`, undefined, hint);
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
