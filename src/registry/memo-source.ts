/**
 * An ImageSource that answers every question once per run: when a push is rejected and the
 * command is run again on the remote's new head, the registry is not asked again (nothing is
 * imported twice). Failures are answers too and are replayed as they were.
 */
import type { PullSpec } from '../domain/pullspec.js';
import type { ImageSource, ResolveOptions, ResolvedImage } from './types.js';

/** What a memoising source knows besides its answers. */
export interface MemoImageSource extends ImageSource {
  /** Questions that reached the wrapped source (for tests and logs). */
  readonly misses: number;
}

/** The question a resolve asks, without the per-call hints (cold, unchangedIf, signal). */
function key(spec: PullSpec, o: ResolveOptions): string {
  return JSON.stringify([
    spec.raw,
    o.insecure === true,
    o.importMode ?? 'Legacy',
    o.preferArch ?? '',
    o.preferOS ?? '',
  ]);
}

/** Wraps `source` so each distinct resolve or listTags reaches it once. */
export function memoImageSource(source: ImageSource): MemoImageSource {
  const resolved = new Map<string, Promise<ResolvedImage>>();
  const listed = new Map<string, Promise<string[]>>();
  let misses = 0;
  const ask = (k: string, spec: PullSpec, o: ResolveOptions): Promise<ResolvedImage> => {
    misses++;
    const p = source.resolve(spec, o);
    resolved.set(k, p);
    return p;
  };
  return {
    get misses() {
      return misses;
    },
    async resolve(spec, o = {}) {
      const k = key(spec, o);
      const known = resolved.get(k);
      if (!known) return ask(k, spec, o);
      const answer = await known;
      // A warm answer ("still names the digest you know") holds only for that digest; another
      // base may record another one, and then the image itself is needed.
      if (answer.unchanged && o.unchangedIf !== answer.digest) return ask(k, spec, { ...o, unchangedIf: undefined });
      return answer;
    },
    listTags(spec, o = {}) {
      const k = key(spec, o);
      let p = listed.get(k);
      if (!p) {
        misses++;
        p = source.listTags(spec, o);
        listed.set(k, p);
      }
      return p;
    },
    close: () => source.close(),
    requests: () => source.requests?.() ?? [],
  };
}
