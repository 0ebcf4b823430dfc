/**
 * The object index: which objects (kind, declared namespace, name) each state file defines, kept
 * in `.isctl/cache/objects-v1.json` so that a command asking for one object reads only the files
 * that define it, while duplicates are still found over the whole folder. An entry is trusted only
 * while the file's size, mtime, ctime and inode are those recorded, as git's index trusts a stat
 * (read-cache.c `ie_match_stat`); a file whose mtime lies within the last seconds before the
 * index is written is not recorded (read-cache.c `is_racy_timestamp`), so an edit within the same
 * mtime tick is never missed. Only files that parsed cleanly are recorded: a file with a problem,
 * a warning, marker comments or bytes that are not UTF-8 is parsed by every command, so every
 * command reports it. The index is an optimisation only: missing, corrupt, of another version or
 * not writable, it is rebuilt or left out silently, and no output depends on it.
 *
 * Beside each object the index may keep its view (`ObjectViews`, given by whoever opens the
 * store): the few fields a listing prints, so that `get is -A` on an unchanged folder reads no
 * state file at all. Views are recorded from the same parse as the objects, in a file of their
 * own that only a listing reads.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../domain/types.js';
import { writeCacheFile } from './atomic.js';
import type { FoundMarker } from './markers.js';
import type { ParsedFile, ParsedObject } from './parse.js';
import type { ObjectViews } from './types.js';

export const OBJECT_INDEX_FILE = '.isctl/cache/objects-v1.json';
/** The views of the objects (see `ViewStore`). */
export const VIEWS_FILE = '.isctl/cache/views-v1.json';
const VERSION = 1;
/** Files modified this close to the index write are not recorded ("racy git"). */
export const RACY_MS = 3000;

/** One object of a file: kind, metadata.namespace as written ('' when absent), name. */
export type IndexedObject = [kind: string, declaredNamespace: string, name: string];

/**
 * What of a file's stat says it is unchanged (git read-cache.c ie_match_stat: size, mtime, ctime,
 * inode). A load keeps this, not node's `Stats`: with its four `Date`s a `Stats` is about ten times
 * the size, and 10,000 of them kept to the end of a command were most of what its collector copied.
 */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** The four fields of `st` that say a file is unchanged, as a small object of their own. */
export const fileStat = (st: FileStat): FileStat => ({
  size: st.size,
  mtimeMs: st.mtimeMs,
  ctimeMs: st.ctimeMs,
  ino: st.ino,
});

interface IndexEntry extends FileStat {
  objects: IndexedObject[];
}

/** A file's views, with the stat they were made from. */
interface ViewsEntry extends FileStat {
  /** The view of each object of the file, in order (null: it has none). */
  views: unknown[];
}

/** What the index knows of an unchanged file. */
export interface IndexedFile {
  objects: readonly IndexedObject[];
  /** The views of its objects, when the load lists (from `set`, or read back with `views`). */
  views?: readonly unknown[];
}

function statOrUndefined(p: string): FileStat | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** True when `st` is the stat an entry was recorded with. */
function sameStat(e: FileStat, st: FileStat): boolean {
  return e.size === st.size && e.mtimeMs === st.mtimeMs && e.ctimeMs === st.ctimeMs && e.ino === st.ino;
}

function isFileStat(e: Record<string, unknown>): boolean {
  return (
    typeof e.size === 'number' &&
    typeof e.mtimeMs === 'number' &&
    typeof e.ctimeMs === 'number' &&
    typeof e.ino === 'number'
  );
}

function isEntry(v: unknown): v is IndexEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    isFileStat(e) &&
    Array.isArray(e.objects) &&
    e.objects.every((o) => Array.isArray(o) && o.length === 3 && o.every((s) => typeof s === 'string'))
  );
}

/** A cache file of this version; undefined when missing, corrupt or of another version. */
function readCacheFile(
  root: string,
  rel: string,
  id?: string,
): { files: Record<string, unknown>; views?: unknown } | undefined {
  try {
    const raw = JSON.parse(readFileSync(path.join(root, rel), 'utf8')) as {
      version?: unknown;
      views?: unknown;
      files?: unknown;
    };
    if (raw.version !== VERSION || typeof raw.files !== 'object' || raw.files === null) return undefined;
    if (id !== undefined && raw.views !== id) return undefined;
    return raw as { files: Record<string, unknown>; views?: unknown };
  } catch {
    return undefined;
  }
}

/** Which views file the objects file was written with: the views' id and the file's stat. */
interface ViewsStamp {
  id: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

function sameStamp(v: unknown, id: string, st: FileStat | undefined): boolean {
  const s = v as Partial<ViewsStamp> | undefined;
  return Boolean(st && s && s.id === id && s.size === st.size && s.mtimeMs === st.mtimeMs && s.ino === st.ino);
}

/**
 * The views of the index (`ObjectViews`), in a file of their own (`.isctl/cache/views-v1.json`)
 * so that a command that lists nothing never reads them: read on the first question, trusted per
 * file by the same stat rule as the objects, each view checked by `ObjectViews.check`, and a file
 * of other views (another `id`) not used.
 */
class ViewStore {
  private entries: Map<string, ViewsEntry> | undefined;
  private readonly changed = new Map<string, ViewsEntry | null>();
  constructor(
    private readonly root: string,
    private readonly views: ObjectViews,
  ) {}

  private load(): Map<string, ViewsEntry> {
    if (this.entries) return this.entries;
    const entries = new Map<string, ViewsEntry>();
    for (const [rel, e] of Object.entries(readCacheFile(this.root, VIEWS_FILE, this.views.id)?.files ?? {})) {
      const v = e as Record<string, unknown>;
      if (typeof v === 'object' && v !== null && isFileStat(v) && Array.isArray(v.views))
        entries.set(rel, v as unknown as ViewsEntry);
    }
    this.entries = entries;
    return entries;
  }

  /** The views of `rel`'s objects if recorded for this stat and each passes its check. */
  get(rel: string, st: FileStat, kinds: readonly string[]): readonly unknown[] | undefined {
    const e = this.changed.has(rel) ? this.changed.get(rel) : this.load().get(rel);
    if (!e || !sameStat(e, st) || e.views.length !== kinds.length) return undefined;
    return e.views.every((v, i) => v === null || this.views.check(kinds[i], v)) ? e.views : undefined;
  }

  set(rel: string, st: FileStat, views: unknown[]): void {
    this.changed.set(rel, { ...fileStat(st), views });
  }

  delete(rel: string): void {
    this.changed.set(rel, null);
  }

  /**
   * Writes the views when this load recorded or forgot some (files no longer listed are dropped);
   * returns the stamp of the views file written, undefined when nothing was written.
   */
  async save(files: readonly string[]): Promise<ViewsStamp | undefined> {
    if (this.changed.size === 0) return undefined;
    const entries = this.load();
    for (const [rel, e] of this.changed) {
      if (e) entries.set(rel, e);
      else entries.delete(rel);
    }
    this.changed.clear();
    const keep = new Set(files);
    for (const rel of entries.keys()) if (!keep.has(rel)) entries.delete(rel);
    await writeCacheFile(
      this.root,
      VIEWS_FILE,
      JSON.stringify({ version: VERSION, views: this.views.id, files: Object.fromEntries(entries) }),
    );
    const st = statSync(path.join(this.root, VIEWS_FILE));
    return { id: this.views.id, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  }
}

/** The object index of one state folder. */
export class ObjectIndex {
  private dirty = false;
  private listed: readonly string[] = [];
  /** The views file the objects file vouches for (written with it). */
  private stamp: unknown;
  private readonly viewStore: ViewStore | undefined;
  private constructor(
    private readonly root: string,
    private readonly entries: Map<string, IndexEntry>,
    private readonly objectViews: ObjectViews | undefined,
  ) {
    this.viewStore = objectViews ? new ViewStore(root, objectViews) : undefined;
  }

  /**
   * Loads the index; a missing, unreadable, corrupt or other-version index is an empty one. With
   * views, so is an index whose views file is not the one it was written with (missing, replaced,
   * of other views): every file is then parsed and recorded again, its views with it, so a
   * listing never stays without them.
   */
  static open(root: string, views?: ObjectViews): ObjectIndex {
    const entries = new Map<string, IndexEntry>();
    const raw = readCacheFile(root, OBJECT_INDEX_FILE);
    let stamp: unknown;
    // A load that does not list keeps the stamp as it is: the views file is not its business.
    if (raw && (!views || sameStamp(raw.views, views.id, statOrUndefined(path.join(root, VIEWS_FILE))))) {
      stamp = raw.views;
      for (const [rel, e] of Object.entries(raw.files)) if (isEntry(e)) entries.set(rel, e);
    }
    // Rebuilt from what this load records (nothing is written when nothing can be recorded).
    const index = new ObjectIndex(root, entries, views);
    index.stamp = stamp;
    return index;
  }

  /** What `rel` defines, if the file is unchanged since it was recorded (the entry is also its stat). */
  get(rel: string, st: FileStat): (IndexedFile & FileStat) | undefined {
    const e = this.entries.get(rel);
    return e && sameStat(e, st) ? e : undefined;
  }

  /** The recorded views of an unchanged file's objects (read from the views file on the first question). */
  views(rel: string, st: FileStat, kinds: readonly string[]): readonly unknown[] | undefined {
    return this.viewStore?.get(rel, st, kinds);
  }

  /**
   * Records a file that parsed cleanly (or forgets it when its mtime is too recent to trust), and
   * returns what the index knows of it: its objects and, with views, their views.
   */
  set(rel: string, st: FileStat, parsed: readonly ParsedObject[]): IndexedFile {
    const ov = this.objectViews;
    // Copied through JSON: the strings a parse gives may be slices of the file's text, and an index
    // entry holding one would keep the whole text alive (100,000 files' texts in a listing of them).
    const { objects, views: viewed } = JSON.parse(
      JSON.stringify({
        objects: indexedObjectsOf(parsed),
        ...(ov ? { views: parsed.map((o) => ov.of(o.object) ?? null) } : {}),
      }),
    ) as { objects: IndexedObject[]; views?: unknown[] };
    const file: IndexedFile = { objects, ...(viewed ? { views: viewed } : {}) };
    const old = this.entries.get(rel);
    if (Date.now() - st.mtimeMs < RACY_MS) {
      if (old !== undefined) {
        this.entries.delete(rel);
        this.dirty = true;
        this.viewStore?.delete(rel);
      }
      return file;
    }
    if (viewed) this.viewStore?.set(rel, st, viewed);
    if (old && sameStat(old, st) && JSON.stringify(old.objects) === JSON.stringify(objects)) return file;
    this.entries.set(rel, { ...fileStat(st), objects });
    this.dirty = true;
    return file;
  }

  /** Forgets a file (it has a problem now, or markers). */
  delete(rel: string): void {
    // Views are kept only for recorded files: one that was not has none to forget.
    if (this.entries.delete(rel)) {
      this.dirty = true;
      this.viewStore?.delete(rel);
    }
  }

  /** Drops entries of files that are no longer listed. */
  retain(files: readonly string[]): void {
    this.listed = files;
    if (this.entries.size === 0) return;
    const keep = new Set(files);
    for (const k of this.entries.keys()) {
      if (!keep.has(k)) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
  }

  /** Writes the index (and the views) atomically when changed; any failure (a read-only folder) is ignored. */
  async save(): Promise<void> {
    try {
      // The views first: the objects file then names the views file it goes with.
      const stamp = await this.viewStore?.save(this.listed);
      if (stamp) this.stamp = stamp;
      if (this.dirty || stamp) {
        const files = Object.fromEntries(this.entries);
        const views = this.stamp !== undefined ? { views: this.stamp } : {};
        await writeCacheFile(this.root, OBJECT_INDEX_FILE, JSON.stringify({ version: VERSION, ...views, files }));
        this.dirty = false;
      }
    } catch {
      // The index is an optimisation; a folder that cannot be written is still read in full.
    }
  }
}

/** What reading one file gave: its parse, with marker comments and (for a file with problems) its text. */
export type ReadResult = ParsedFile & { markers?: FoundMarker[]; text?: string };

/** The index record of one object: kind, metadata.namespace as written ('' when absent), name. */
export function indexedObjectOf(object: KubeObject): IndexedObject {
  const declared = object.metadata?.namespace;
  return [String(object.kind), typeof declared === 'string' ? declared : '', String(object.metadata?.name ?? '')];
}

export function indexedObjectsOf(objects: readonly ParsedObject[]): IndexedObject[] {
  return objects.map((o) => indexedObjectOf(o.object));
}

/**
 * The parses of one store, kept in memory by file and stat, so that the `update` that follows a
 * `read` in the same command (refresh, tag, import-image resolve outside the lock, then record
 * under it) parses again only the files that changed meanwhile. A file modified within RACY_MS
 * of being read is not remembered (its next edit could keep the same mtime).
 */
export class ParseMemo {
  private readonly entries = new Map<string, { stat: FileStat; parsed: ReadResult }>();

  get(rel: string, st: FileStat): ReadResult | undefined {
    const e = this.entries.get(rel);
    if (!e) return undefined;
    if (sameStat(e.stat, st)) return e.parsed;
    this.entries.delete(rel);
    return undefined;
  }

  /** Forgets one file (its objects are not kept: it is parsed again when needed). */
  forget(rel: string): void {
    this.entries.delete(rel);
  }

  /** Forgets files that are no longer listed (a long-running serve must not keep them). */
  retain(files: readonly string[]): void {
    if (this.entries.size === 0) return;
    const keep = new Set(files);
    for (const k of this.entries.keys()) if (!keep.has(k)) this.entries.delete(k);
  }

  set(rel: string, st: FileStat, parsed: ReadResult): ReadResult {
    if (Date.now() - st.mtimeMs >= RACY_MS) this.entries.set(rel, { stat: fileStat(st), parsed });
    else this.entries.delete(rel);
    return parsed;
  }
}
