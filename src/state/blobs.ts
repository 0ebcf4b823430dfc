/**
 * The content-addressed image cache (a file whose content does not match its digest is
 * rejected): raw manifest,
 * index and config bytes at `.isctl/blobs/<algorithm>/<hex>`. Every read is verified, so bad
 * bytes are never returned; writes are verified first and atomic.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
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
  return {
    async get(digest) {
      const { alg, hex } = parseDigest(digest);
      const file = rel(digest);
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
      const existing = await fs.readFile(file).catch(() => undefined);
      if (existing?.equals(bytes)) return; // present and intact; a damaged copy is replaced
      // Atomic, with an fsync of the file only: a blob is verified on every read.
      try {
        await replaceFile(await blobDir(alg), path.basename(file), bytes);
      } catch (err) {
        throw cacheWriteError(rel(digest), err);
      }
    },
    async has(digest) {
      return fs.access(path.join(root, rel(digest))).then(
        () => true,
        () => false,
      );
    },
  };
}
