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
 * state file at all. Views are recorded together with the objects, from the same parse, and an
 * index written with other views (another `id`) is not used.
 */
import { promises as fs, readFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../domain/types.js';
import { writeFileAtomic } from './atomic.js';
import type { FoundMarker } from './markers.js';
import type { ParsedFile, ParsedObject } from './parse.js';
import type { ObjectViews } from './types.js';

export const OBJECT_INDEX_FILE = '.isctl/cache/objects-v1.json';
const VERSION = 1;
/** Files modified this close to the index write are not recorded ("racy git"). */
export const RACY_MS = 3000;

/** One object of a file: kind, metadata.namespace as written ('' when absent), name. */
export type IndexedObject = [kind: string, declaredNamespace: string, name: string];

/** What of a file's stat says it is unchanged (git read-cache.c ie_match_stat: size, mtime, ctime, inode). */
interface StatKey {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

interface IndexEntry extends StatKey {
  objects: IndexedObject[];
  /** The view of each object (null: it has none), when the store has views. */
  views?: unknown[];
}

/** What the index knows of an unchanged file. */
export interface IndexedFile {
  objects: readonly IndexedObject[];
  views?: readonly unknown[];
}

/** True when `st` is the stat an entry was recorded with. */
function sameStat(e: StatKey, st: Stats): boolean {
  return e.size === st.size && e.mtimeMs === st.mtimeMs && e.ctimeMs === st.ctimeMs && e.ino === st.ino;
}

function isEntry(v: unknown): v is IndexEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.size === 'number' &&
    typeof e.mtimeMs === 'number' &&
    typeof e.ctimeMs === 'number' &&
    typeof e.ino === 'number' &&
    Array.isArray(e.objects) &&
    e.objects.every((o) => Array.isArray(o) && o.length === 3 && o.every((s) => typeof s === 'string')) &&
    (e.views === undefined || (Array.isArray(e.views) && e.views.length === e.objects.length))
  );
}

/** The object index of one state folder. */
export class ObjectIndex {
  private dirty = false;
  private constructor(
    private readonly root: string,
    private readonly entries: Map<string, IndexEntry>,
    private readonly views: ObjectViews | undefined,
  ) {}

  /**
   * Loads the index; a missing, unreadable, corrupt or other-version index is an empty one, and
   * so is one written with other views than `views` (its views would not be these).
   */
  static open(root: string, views?: ObjectViews): ObjectIndex {
    try {
      const raw = JSON.parse(readFileSync(path.join(root, OBJECT_INDEX_FILE), 'utf8')) as {
        version?: unknown;
        views?: unknown;
        files?: unknown;
      };
      if (raw.version !== VERSION || typeof raw.files !== 'object' || raw.files === null) throw new Error('other');
      if ((raw.views ?? '') !== (views?.id ?? '')) throw new Error('other views');
      const entries = new Map<string, IndexEntry>();
      for (const [rel, e] of Object.entries(raw.files)) if (isEntry(e) && viewsFit(e, views)) entries.set(rel, e);
      return new ObjectIndex(root, entries, views);
    } catch {
      // Rebuilt from what this load records (nothing is written when nothing can be recorded).
      return new ObjectIndex(root, new Map(), views);
    }
  }

  /** What `rel` defines, if the file is unchanged since it was recorded. */
  get(rel: string, st: Stats): IndexedFile | undefined {
    const e = this.entries.get(rel);
    return e && sameStat(e, st) ? e : undefined;
  }

  /**
   * Records a file that parsed cleanly (or forgets it when its mtime is too recent to trust), and
   * returns what the index knows of it: its objects and, with views, their views.
   */
  set(rel: string, st: Stats, parsed: readonly ParsedObject[]): IndexedFile {
    const objects = indexedObjectsOf(parsed);
    const views = this.views;
    const viewed = views ? parsed.map((o) => views.of(o.object) ?? null) : undefined;
    const file: IndexedFile = { objects, ...(viewed ? { views: viewed } : {}) };
    const old = this.entries.get(rel);
    if (Date.now() - st.mtimeMs < RACY_MS) {
      if (old !== undefined) {
        this.entries.delete(rel);
        this.dirty = true;
      }
      return file;
    }
    if (
      old &&
      sameStat(old, st) &&
      JSON.stringify(old.objects) === JSON.stringify(objects) &&
      JSON.stringify(old.views) === JSON.stringify(viewed)
    )
      return file;
    const stat = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
    this.entries.set(rel, { ...stat, objects, ...(viewed ? { views: viewed } : {}) });
    this.dirty = true;
    return file;
  }

  /** Forgets a file (it has a problem now, or markers). */
  delete(rel: string): void {
    if (this.entries.delete(rel)) this.dirty = true;
  }

  /** Drops entries of files that are no longer listed. */
  retain(files: readonly string[]): void {
    if (this.entries.size === 0) return;
    const keep = new Set(files);
    for (const k of this.entries.keys()) {
      if (!keep.has(k)) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
  }

  /** Writes the index atomically when it changed; any failure (a read-only folder) is ignored. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    try {
      const dir = path.join(this.root, path.dirname(OBJECT_INDEX_FILE));
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
      const files = Object.fromEntries(this.entries);
      const views = this.views ? { views: this.views.id } : {};
      await writeFileAtomic(this.root, OBJECT_INDEX_FILE, JSON.stringify({ version: VERSION, ...views, files }));
      this.dirty = false;
    } catch {
      // The index is an optimisation; a folder that cannot be written is still read in full.
    }
  }
}

/** True when an entry's views are there exactly when the store has views, and each passes its check. */
function viewsFit(e: IndexEntry, views: ObjectViews | undefined): boolean {
  if (!views) return e.views === undefined;
  return e.views?.every((v, i) => v === null || views.check(e.objects[i][0], v)) === true;
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
  private readonly entries = new Map<string, { stat: StatKey; parsed: ReadResult }>();

  get(rel: string, st: Stats): ReadResult | undefined {
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

  set(rel: string, st: Stats, parsed: ReadResult): ReadResult {
    if (Date.now() - st.mtimeMs >= RACY_MS)
      this.entries.set(rel, { stat: { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino }, parsed });
    else this.entries.delete(rel);
    return parsed;
  }
}
