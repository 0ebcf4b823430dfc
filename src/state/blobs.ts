/**
 * The content-addressed image cache (a file whose content does not match its digest is
 * rejected): raw manifest,
 * index and config bytes at `.isctl/blobs/<algorithm>/<hex>`. Every read is verified, so bad
 * bytes are never returned; writes are verified first and atomic.
 */
import { createHash } from 'node:crypto';
import { accessSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { IntegrityError, StateFileError } from '../domain/errors.js';
import type { BlobStore } from './types.js';
import { replaceFile, resolveWriteTarget } from './atomic.js';

/**
 * A cache file the file system would not take (a full disk, a quota, a read-only mount): a fault of
 * the state folder, not of the image, so it is a StateFileError that ends the command rather than an
 * import failure to record in the stream.
 */
function cacheWriteError(rel: string, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return err;
  // Node's message is "CODE: description, syscall 'path'": the path would name the temporary file.
  const reason = String(e.message).split(', ')[0] || e.code;
  return new StateFileError(
    rel,
    `could not be written (${reason})`,
    undefined,
    e.code === 'ENOSPC' || e.code === 'EDQUOT'
      ? 'free space on that file system, then run the command again'
      : 'fix the cause, then run the command again',
  );
}

// OCI image-spec "Digests": the registered algorithms and their encoded lengths.
const ALGORITHMS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function parseDigest(digest: string): { alg: string; hex: string } {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  if (!m || ALGORITHMS[m[1]] !== m[2].length) {
    throw new IntegrityError(
      `invalid digest ${JSON.stringify(digest)}: expected sha256, sha384 or sha512 followed by ":" and lowercase hex`,
    );
  }
  return { alg: m[1], hex: m[2] };
}

function digestMatches(alg: string, hex: string, bytes: Buffer): boolean {
  return createHash(alg).update(bytes).digest('hex') === hex;
}

/**
 * Whether `file` exists, asked synchronously: one access(2) on a local folder takes microseconds,
 * while each asynchronous call is a hand-off to libuv's thread pool and back, and with 2,000 tags
 * (2 cores shared with the registry) those hand-offs cost ~0.15 ms of the main thread each
 * (a warm refresh spent 300 ms of 1.5 s in them). Only an existence check: reads and writes
 * stay asynchronous.
 */
function exists(file: string): boolean {
  try {
    accessSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * How long one listing of a blob folder is trusted to say what is absent (ms): a command's lookups
 * within that time cost no file-system call for a blob that is not there. Only absence is taken
 * from it, and a stale listing errs on the safe side: a blob another process wrote meanwhile is
 * fetched and written once more; one removed meanwhile is found missing when it is read.
 */
const LISTING_TTL_MS = 10_000;
/** Lookups a store answers one by one before it lists a blob folder instead. */
const LIST_AFTER_LOOKUPS = 32;

/** The blob store of the state folder `root`. */
export function createBlobStore(root: string): BlobStore {
  const rel = (digest: string) => {
    const { alg, hex } = parseDigest(digest);
    return path.posix.join('.isctl', 'blobs', alg, hex);
  };
  // Blobs are content-addressed and verified on read, so a write needs no folder fsync and no
  // per-file symlink resolution: the folder is checked once per process to be inside the state folder.
  const dirs = new Map<string, Promise<string>>();
  const blobDir = (alg: string): Promise<string> => {
    let p = dirs.get(alg);
    if (!p) {
      p = (async () => {
        const rel = path.posix.join('.isctl', 'blobs', alg);
        // Checked before any folder is made: a link out of the state folder gets nothing created.
        const real = await resolveWriteTarget(root, rel).catch((err: unknown) => {
          if (!(err instanceof StateFileError)) throw err;
          throw new IntegrityError(`${rel} leads outside the state folder ${root}; refusing to write image data there`);
        });
        await fs.mkdir(real, { recursive: true });
        return real;
      })();
      dirs.set(alg, p);
      p.catch(() => dirs.delete(alg));
    }
    return p;
  };
  // The names in each blob folder as last listed, and the blobs this store wrote since.
  const listings = new Map<string, { at: number; names: Promise<Set<string> | undefined> }>();
  let lookups = 0;
  const mayHold = async (alg: string, hex: string): Promise<boolean> => {
    // A command that reads a few blobs (describe istag) asks for each one; only one that looks up
    // many (an import of many tags) lists the folder, which may hold a great many.
    if (++lookups <= LIST_AFTER_LOOKUPS) return true;
    let l = listings.get(alg);
    if (!l || Date.now() - l.at > LISTING_TTL_MS) {
      const names = fs.readdir(path.join(root, '.isctl', 'blobs', alg)).then(
        (n) => new Set(n),
        // No folder yet (a first import, or a folder whose .isctl/ was not committed): nothing held.
        (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? new Set<string>() : undefined),
      );
      listings.set(alg, (l = { at: Date.now(), names }));
    }
    const names = await l.names;
    // A folder that could not be listed answers nothing: each blob is looked up itself.
    return names === undefined || names.has(hex);
  };
  const wrote = async (alg: string, hex: string) => (await listings.get(alg)?.names)?.add(hex);
  return {
    async get(digest) {
      const { alg, hex } = parseDigest(digest);
      const file = rel(digest);
      // Most lookups of a first import miss: answered without a failed open per blob.
      if (!(await mayHold(alg, hex))) return undefined;
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(path.join(root, file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      if (!digestMatches(alg, hex, bytes)) {
        throw new IntegrityError(
          `image cache file ${path.join(root, file)} does not match its digest ${digest}; delete it and import the image again`,
        );
      }
      return bytes;
    },
    async put(digest, bytes) {
      const { alg, hex } = parseDigest(digest);
      if (!digestMatches(alg, hex, bytes))
        throw new IntegrityError(`refusing to store content under ${digest}: the bytes do not match that digest`);
      const file = path.join(root, rel(digest));
      const existing = (await mayHold(alg, hex)) ? await fs.readFile(file).catch(() => undefined) : undefined;
      if (existing?.equals(bytes)) return; // present and intact; a damaged copy is replaced
      // Atomic, with an fsync of the file only: a blob is verified on every read.
      const write = async () => replaceFile(await blobDir(alg), path.basename(file), bytes);
      try {
        await write().catch((err: NodeJS.ErrnoException) => {
          if (err?.code !== 'ENOENT') throw err;
          // The folder was removed since this process made it (`rm -rf .isctl` while serve runs):
          // made again, after the same check that it stays inside the state folder.
          dirs.delete(alg);
          return write();
        });
      } catch (err) {
        throw cacheWriteError(rel(digest), err);
      }
      await wrote(alg, hex);
    },
    async has(digest) {
      // Asked of the file system each time, not of the listing: a blob removed since (a folder
      // whose .isctl/ is not committed, checked out again) must not count as held.
      return exists(path.join(root, rel(digest)));
    },
  };
}
