/** memoImageSource: a rerun on a new base asks the registry nothing it already answered. */
import { describe, expect, it } from 'vitest';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { RegistryError } from '../../src/domain/errors.js';
import { memoImageSource } from '../../src/registry/memo-source.js';
import type { ImageSource, ResolveOptions, ResolvedImage } from '../../src/registry/types.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

/** A source that answers from a table and records every question. */
function recording(digest: string) {
  const asked: { spec: string; o: ResolveOptions }[] = [];
  const source: ImageSource = {
    async resolve(spec, o = {}) {
      asked.push({ spec: spec.raw, o });
      if (spec.raw.includes('missing')) throw new RegistryError('manifest unknown', { reason: 'NotFound' });
      const unchanged = o.unchangedIf === digest;
      return {
        digest,
        dockerImageReference: `${spec.raw.split(':')[0]}@${digest}`,
        image: { apiVersion: 'image.openshift.io/v1', kind: 'Image', metadata: { name: digest } },
        topDigest: digest,
        topMediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...(unchanged ? { unchanged: true } : {}),
      } as ResolvedImage;
    },
    async listTags() {
      asked.push({ spec: 'tags', o: {} });
      return ['1.0'];
    },
    async close() {},
  };
  return { source, asked };
}

describe('memoImageSource', () => {
  it('answers a repeated question from memory, failures included', async () => {
    const { source, asked } = recording(D1);
    const memo = memoImageSource(source);
    const spec = parsePullSpec('quay.io/org/app:1.0');
    const a = await memo.resolve(spec, { insecure: false, cold: true });
    const b = await memo.resolve(spec, { insecure: false, unchangedIf: D1 });
    expect(b).toBe(a);
    const missing = parsePullSpec('quay.io/org/missing:1.0');
    await expect(memo.resolve(missing)).rejects.toThrow('manifest unknown');
    await expect(memo.resolve(missing)).rejects.toThrow('manifest unknown');
    await memo.listTags(spec);
    await memo.listTags(spec);
    expect(asked.map((q) => q.spec)).toEqual(['quay.io/org/app:1.0', 'quay.io/org/missing:1.0', 'tags']);
    expect(memo.misses).toBe(3);
  });

  it('different import options are different questions', async () => {
    const { source, asked } = recording(D1);
    const memo = memoImageSource(source);
    const spec = parsePullSpec('quay.io/org/app:1.0');
    await memo.resolve(spec, { importMode: 'Legacy' });
    await memo.resolve(spec, { importMode: 'PreserveOriginal' });
    await memo.resolve(spec, { importMode: 'Legacy', preferArch: 'arm64' });
    expect(asked).toHaveLength(3);
  });

  it('a "still the digest you know" answer is not reused for a base that records another digest', async () => {
    const { source, asked } = recording(D1);
    const memo = memoImageSource(source);
    const spec = parsePullSpec('quay.io/org/app:1.0');
    const warm = await memo.resolve(spec, { unchangedIf: D1 });
    expect(warm.unchanged).toBe(true);
    expect(await memo.resolve(spec, { unchangedIf: D1 })).toBe(warm);
    const full = await memo.resolve(spec, { unchangedIf: D2 });
    expect(full.unchanged).toBeUndefined();
    expect(asked.map((q) => q.o.unchangedIf)).toEqual([D1, undefined]);
  });
});
