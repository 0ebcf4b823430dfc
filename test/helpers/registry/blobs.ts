/**
 * An in-memory BlobStore with the contract of src/state/types.ts (verified by digest), for tests
 * of the registry client that do not need a state folder.
 */
import { createHash } from 'node:crypto';
import type { BlobStore } from '../../../src/state/types.js';

/** Bytes of `text` with their sha256 digest, as a BlobStore stores them. */
export function blobOf(text: string): { bytes: Buffer; digest: string } {
  const bytes = Buffer.from(text);
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/** A BlobStore in memory; `gets`/`puts` count calls. */
export function memoryBlobStore(): BlobStore & { size(): number; puts: number } {
  const map = new Map<string, Buffer>();
  const store = {
    puts: 0,
    size: () => map.size,
    async get(digest: string) {
      return map.get(digest);
    },
    async put(digest: string, bytes: Buffer) {
      const alg = digest.split(':')[0];
      const actual = `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
      if (actual !== digest) throw new Error(`blob does not match ${digest}`);
      store.puts++;
      map.set(digest, Buffer.from(bytes));
    },
    async has(digest: string) {
      return map.has(digest);
    },
    async flush() {},
  };
  return store;
}
