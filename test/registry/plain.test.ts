import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, pushImage, skopeoInspect, skopeoRawDigest, type TestRegistry } from '../harness/registry.js';
import { createImageSource } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { memoryBlobStore } from '../harness/blobs.js';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
});
afterAll(async () => {
  await reg?.stop();
});

describe('plain HTTP registry', () => {
  it('resolves a single-arch OCI image to the digest skopeo reports', async () => {
    const pushed = await pushImage(reg, 'team/app', '1.0', { seed: 'oci' });
    const src = createImageSource({ blobs: memoryBlobStore() });
    const got = await src.resolve(parsePullSpec(`${reg.host}/team/app:1.0`), { insecure: true });
    const sk = await skopeoInspect(reg, 'team/app:1.0');
    expect(got.digest).toBe(sk.Digest);
    expect(got.digest).toBe(pushed.digest);
    expect(got.dockerImageReference).toBe(`${reg.host}/team/app@${sk.Digest}`);
    expect(got.image.dockerImageMetadata?.Architecture).toBe('amd64');
    await src.close();
  });
});
