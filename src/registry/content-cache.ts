/**
 * The content-addressed bytes of one run's resolves (manifests and configs, looked up by digest):
 * the state folder's BlobStore when there is one, in memory otherwise, and one fetch for a digest
 * several resolves ask for at once.
 */
import type { BlobStore } from '../state/types.js';

/** Content-addressed bytes: the state folder's BlobStore, or memory when there is none. */
export class ContentCache {
  private readonly memory = new Map<string, Buffer>();
  private readonly inflight = new Map<string, Promise<{ bytes: Buffer; mediaType?: string }>>();
  constructor(private readonly blobs?: BlobStore) {}

  /** True when `digest` is held (memory or the state folder's store), without reading it. */
  async has(digest: string): Promise<boolean> {
    if (this.memory.has(digest)) return true;
    return this.blobs ? this.blobs.has(digest) : false;
  }

  /** Cached bytes, or `fetch` run once even when several resolves ask for the same digest at once. */
  async getOrFetch(
    digest: string,
    fetch: () => Promise<{ bytes: Buffer; mediaType?: string }>,
  ): Promise<{ bytes: Buffer; mediaType?: string }> {
    const held = this.memory.get(digest);
    if (held) return { bytes: held };
    // The store is read inside the single flight: a second resolve asking while the first is still
    // reading the store or fetching waits for it instead of sending the same request again.
    let p = this.inflight.get(digest);
    if (!p) {
      p = (async () => {
        const cached = await this.get(digest);
        if (cached) return { bytes: cached };
        const r = await fetch();
        await this.put(digest, r.bytes);
        return r;
      })();
      this.inflight.set(digest, p);
      void p.catch(() => undefined).finally(() => this.inflight.delete(digest));
    }
    return p;
  }

  /** Cached bytes for `digest`, or undefined. */
  async get(digest: string): Promise<Buffer | undefined> {
    const m = this.memory.get(digest);
    if (m) return m;
    if (!this.blobs) return undefined;
    const b = await this.blobs.get(digest);
    if (b) this.remember(digest, b);
    return b;
  }

  /** Stores verified bytes. */
  async put(digest: string, bytes: Buffer): Promise<void> {
    this.remember(digest, bytes);
    if (this.blobs) await this.blobs.put(digest, bytes);
  }

  private remember(digest: string, bytes: Buffer): void {
    if (this.memory.size >= 2000) this.memory.delete(this.memory.keys().next().value as string);
    this.memory.set(digest, bytes);
  }
}
