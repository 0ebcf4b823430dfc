/**
 * The parse cache: the general yaml library parses a typical 1.5 KB stream in about a
 * millisecond, JSON.parse of the result is ~100x faster. Files the fast path (./fastyaml.ts)
 * declines are parsed by the yaml library, and their objects are kept in
 * `.isctl/cache/parsed-v1.json`, keyed
 * by path and validated by size, mtime and inode as git's index does; files modified in the
 * last seconds before the cache is written are not cached ("racy git" rule), so an edit within
 * the same mtime tick is never missed. The cache is an optimisation only: any doubt, re-parse.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ParsedObject } from './parse.js';
import { writeCacheFile } from './atomic.js';
import type { FileStat } from './object-index.js';

const CACHE_FILE = '.isctl/cache/parsed-v1.json';
const RACY_MS = 3000;

/** One cached file. */
export interface CacheEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  objects: ParsedObject[];
}

/** The parse cache of one state folder. */
export class ParseCache {
  private dirty = false;
  private constructor(
    private readonly root: string,
    private readonly entries: Map<string, CacheEntry>,
  ) {}

  /** Loads the cache; a missing or unreadable cache is an empty one. */
  static async open(root: string): Promise<ParseCache> {
    try {
      const raw = JSON.parse(readFileSync(path.join(root, CACHE_FILE), 'utf8')) as Record<string, CacheEntry>;
      return new ParseCache(root, new Map(Object.entries(raw)));
    } catch {
      return new ParseCache(root, new Map());
    }
  }

  /** Cached objects of `rel` if the file is unchanged since it was cached. */
  get(rel: string, st: FileStat): ParsedObject[] | undefined {
    const e = this.entries.get(rel);
    return e && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ino === st.ino ? e.objects : undefined;
  }

  /** Records the objects of a file that parsed without problems. */
  set(rel: string, st: FileStat, objects: ParsedObject[]): void {
    if (Date.now() - st.mtimeMs < RACY_MS) {
      if (this.entries.delete(rel)) this.dirty = true;
      return;
    }
    this.entries.set(rel, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, objects });
    this.dirty = true;
  }

  /** Drops entries of files that no longer exist. */
  retain(files: Iterable<string>): void {
    const keep = new Set(files);
    for (const k of this.entries.keys()) {
      if (!keep.has(k)) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
  }

  /** Writes the cache when it changed; failures (read-only folder) are ignored. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    try {
      await writeCacheFile(this.root, CACHE_FILE, JSON.stringify(Object.fromEntries(this.entries)));
      this.dirty = false;
    } catch {
      // The cache is an optimisation; a folder we cannot write to is still readable.
    }
  }
}
