/**
 * The content-addressed image cache (a file whose content does not match its digest is
 * rejected): raw manifest, index and config bytes at `.isctl/blobs/<algorithm>/<hex>`, or, when
 * one run records many, in one pack file `.isctl/blobs/packs/<hash>.pack` (./blob-packs.ts).
 * Every read is verified, so bad bytes are never returned; writes are verified first and atomic.
 */
import { createHash } from 'node:crypto';
import { accessSync, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { IntegrityError, StateFileError } from '../domain/errors.js';
import type { BlobStore } from './types.js';
import { replaceFile, resolveWriteTarget, syncDirs } from './atomic.js';
import { encodePack, PACK_NAME, type PackEntry, readPackTable } from './blob-packs.js';

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

/**
 * How long a pack found present is taken to still be there (ms): a warm refresh asks for 2,000
 * manifests in a few packs, and one access(2) per pack per second is enough. A pack removed in
 * that second makes a held blob count as held once more (a tag found unchanged; its manifest is
 * fetched again when it is next read or looked up after that).
 */
const PACK_SEEN_TTL_MS = 1_000;
/** Lookups a store answers one by one before it lists a blob folder instead. */
const LIST_AFTER_LOOKUPS = 32;

/**
 * A flush of fewer blobs than this writes one file per blob (a single import stays readable by
 * hand); from this many on, one pack.
 */
const PACK_MIN_BLOBS = 32;
/** A store holding this many blobs, or bytes, not yet flushed writes them out before it takes more. */
const PACK_MAX_BLOBS = 4096;
const PACK_MAX_BYTES = 16 << 20;
/** Loose files written at once by a flush. */
const LOOSE_WRITES = 16;

/** Tuning of a blob store (tests use small numbers). */
export interface BlobStoreOptions {
  packMinBlobs?: number;
  packMaxBlobs?: number;
}

interface Pending {
  alg: string;
  hex: string;
  bytes: Buffer;
  /** A damaged loose copy is there: it is replaced by a loose file (a loose copy is read first). */
  loose: boolean;
}

/** The blob store of the state folder `root`. */
export function createBlobStore(root: string, options: BlobStoreOptions = {}): BlobStore {
  const packMin = options.packMinBlobs ?? PACK_MIN_BLOBS;
  const packMax = options.packMaxBlobs ?? PACK_MAX_BLOBS;
  const rel = (digest: string) => {
    const { alg, hex } = parseDigest(digest);
    return path.posix.join('.isctl', 'blobs', alg, hex);
  };
  // Blobs are content-addressed and verified on read, so a loose write needs no folder fsync and no
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
  /**
   * Runs `write` in the folder `.isctl/blobs/<sub>`; when that folder was removed since this
   * process made it (`rm -rf .isctl` while serve runs) it is made again, after the same check
   * that it stays inside the state folder, and `write` runs once more.
   */
  const inBlobDir = async <T>(sub: string, write: (dir: string) => Promise<T>): Promise<T> => {
    try {
      return await write(await blobDir(sub));
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
      dirs.delete(sub);
      return write(await blobDir(sub));
    }
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

  // The packs: which blob lies where, from the tables of the packs listed (each read once: a pack
  // never changes). Absence is trusted for LISTING_TTL_MS, as the loose listing is.
  const packDir = path.join(root, '.isctl', 'blobs', 'packs');
  const packed = new Map<string, PackEntry & { file: string }>();
  const tablesRead = new Set<string>();
  const packSeen = new Map<string, number>();
  const packPresent = (file: string): boolean => {
    const at = packSeen.get(file);
    if (at !== undefined && Date.now() - at <= PACK_SEEN_TTL_MS) return true;
    if (!exists(file)) return false;
    packSeen.set(file, Date.now());
    return true;
  };
  /** A pack found gone: its blobs count as absent, and a pack written again later is listed anew. */
  const forgetPack = (file: string) => {
    packSeen.delete(file);
    for (const [d, x] of packed) if (x.file === file) packed.delete(d);
    tablesRead.delete(path.basename(file));
  };
  let packListing: { at: number; done: Promise<void> } | undefined;
  const readTable = async (name: string): Promise<void> => {
    const file = path.join(packDir, name);
    let fh: FileHandle | undefined;
    try {
      fh = await fs.open(file, 'r');
      const entries = await readPackTable(fh, (await fh.stat()).size);
      for (const e of entries ?? []) if (!packed.has(e.digest)) packed.set(e.digest, { ...e, file });
    } catch {
      // Gone since the listing, or unreadable: its blobs count as absent and are fetched again.
    } finally {
      await fh?.close();
    }
  };
  const listPacks = (): Promise<void> => {
    if (packListing && Date.now() - packListing.at <= LISTING_TTL_MS) return packListing.done;
    const done = (async () => {
      const names = await fs.readdir(packDir).catch(() => [] as string[]);
      const fresh = names.filter((n) => PACK_NAME.test(n) && !tablesRead.has(n));
      for (const n of fresh) tablesRead.add(n);
      await Promise.all(fresh.map(readTable));
    })();
    packListing = { at: Date.now(), done };
    return done;
  };
  const packEntry = async (digest: string) => {
    await listPacks();
    const e = packed.get(digest);
    // Held is asked of the file system: a pack removed since it was listed holds nothing.
    if (e && !packPresent(e.file)) {
      forgetPack(e.file);
      return undefined;
    }
    return e;
  };
  const readPacked = async (digest: string, alg: string, hex: string): Promise<Buffer | undefined> => {
    const e = await packEntry(digest);
    if (!e) return undefined;
    const bytes = Buffer.alloc(e.size);
    let fh: FileHandle;
    try {
      fh = await fs.open(e.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      forgetPack(e.file);
      return undefined;
    }
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(bytes, 0, e.size, e.offset));
    } finally {
      await fh.close();
    }
    if (bytesRead !== e.size)
      throw new IntegrityError(
        `image cache pack ${e.file} is shorter than its table says; delete it and run the command again`,
      );
    if (!digestMatches(alg, hex, bytes)) {
      throw new IntegrityError(
        `image cache pack ${e.file} holds bytes for ${digest} that do not match that digest; delete the pack and import the images again`,
      );
    }
    return bytes;
  };

  // Blobs put and not yet flushed, read back from memory; flushes run one after the other.
  const pending = new Map<string, Pending>();
  let pendingBytes = 0;
  let flushing: Promise<void> = Promise.resolve();
  const writeLoose = async (e: Pending) => {
    await inBlobDir(e.alg, (dir) => replaceFile(dir, e.hex, e.bytes));
    await wrote(e.alg, e.hex);
  };
  const writePack = async (batch: Pending[]) => {
    const pack = encodePack(batch.map((e) => ({ digest: `${e.alg}:${e.hex}`, bytes: e.bytes })));
    const dir = await inBlobDir('packs', async (d) => {
      // The same blobs make the same pack: one of that name is there only if it could not be read
      // (the blobs put are those no pack held), so it is replaced.
      await replaceFile(d, pack.name, pack.bytes);
      await syncDirs([d]);
      return d;
    });
    const file = path.join(dir, pack.name);
    tablesRead.add(pack.name);
    for (const e of pack.entries) packed.set(e.digest, { ...e, file });
  };
  const flushNow = async (): Promise<void> => {
    const batch = [...pending.values()];
    if (batch.length === 0) return;
    try {
      const loose = batch.length < packMin ? batch : batch.filter((e) => e.loose);
      const rest = batch.length < packMin ? [] : batch.filter((e) => !e.loose);
      for (let i = 0; i < loose.length; i += LOOSE_WRITES) {
        // Every write of a round is settled before a failure is thrown: none is left half done
        // (a temporary file) behind a command that ends on the first error.
        const round = loose.slice(i, i + LOOSE_WRITES);
        const settled = await Promise.allSettled(round.map(writeLoose));
        const failed = settled.findIndex((r) => r.status === 'rejected');
        if (failed >= 0) {
          const e = round[failed];
          throw cacheWriteError(
            path.posix.join('.isctl', 'blobs', e.alg, e.hex),
            (settled[failed] as PromiseRejectedResult).reason,
          );
        }
      }
      if (rest.length > 0)
        await writePack(rest).catch((err: unknown) => {
          throw cacheWriteError(path.posix.join('.isctl', 'blobs', 'packs'), err);
        });
    } finally {
      // Written, or failed with the command: either way no longer this store's to write.
      for (const e of batch) {
        const d = `${e.alg}:${e.hex}`;
        if (pending.get(d) === e) {
          pending.delete(d);
          pendingBytes -= e.bytes.length;
        }
      }
    }
  };
  const flush = (): Promise<void> => {
    const next = flushing.then(flushNow);
    flushing = next.catch(() => undefined);
    return next;
  };

  return {
    async get(digest) {
      const { alg, hex } = parseDigest(digest);
      const held = pending.get(digest);
      if (held) return held.bytes;
      const file = rel(digest);
      // Most lookups of a first import miss: answered without a failed open per blob.
      if (await mayHold(alg, hex)) {
        let bytes: Buffer | undefined;
        try {
          bytes = await fs.readFile(path.join(root, file));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        if (bytes) {
          if (!digestMatches(alg, hex, bytes)) {
            throw new IntegrityError(
              `image cache file ${path.join(root, file)} does not match its digest ${digest}; delete it and import the image again`,
            );
          }
          return bytes;
        }
      }
      return readPacked(digest, alg, hex);
    },
    async put(digest, bytes) {
      const { alg, hex } = parseDigest(digest);
      if (!digestMatches(alg, hex, bytes))
        throw new IntegrityError(`refusing to store content under ${digest}: the bytes do not match that digest`);
      if (pending.has(digest)) return;
      const file = path.join(root, rel(digest));
      const existing = (await mayHold(alg, hex)) ? await fs.readFile(file).catch(() => undefined) : undefined;
      if (existing?.equals(bytes)) return; // present and intact; a damaged copy is replaced
      if (!existing && (await packEntry(digest))) return; // packed; verified when it is read
      if (pending.has(digest)) return; // put by another resolve while this one looked
      pending.set(digest, { alg, hex, bytes, loose: existing !== undefined });
      pendingBytes += bytes.length;
      if (pending.size >= packMax || pendingBytes >= PACK_MAX_BYTES) await flush();
    },
    async has(digest) {
      if (pending.has(digest)) return true;
      // Asked of the file system each time, not of the listing: a blob removed since (a folder
      // whose .isctl/ is not committed, checked out again) must not count as held. A packed one
      // first: its pack is checked in one call, where a loose lookup would miss before it.
      if ((await packEntry(digest)) !== undefined) return true;
      return exists(path.join(root, rel(digest)));
    },
    flush,
  };
}
