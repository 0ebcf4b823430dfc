/**
 * What an import costs in requests against a real Distribution registry: a cold tag is two GETs
 * (manifest by tag, config), a warm one a single HEAD, and the HTTPS-or-HTTP probe of an insecure
 * registry is made once per host however many resolves start together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageSource } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import {
  memoryBlobStore,
  startRegistry,
  pushImage,
  skopeoRawDigest,
  type TestRegistry,
} from '../helpers/registry/index.js';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
  for (let i = 0; i < 8; i++) await pushImage(reg, 'count/app', `t${i}`, { seed: `count-${i}` });
}, 60_000);
afterAll(async () => {
  await reg?.stop();
});

function counting() {
  const requests: string[] = [];
  const blobs = memoryBlobStore();
  const source = createImageSource({
    blobs,
    onRequest: (method, url, status) =>
      requests.push(
        `${method} ${new URL(url).protocol}${new URL(url).pathname.replace(/sha256:[0-9a-f]+/, 'DIGEST')} ${status}`,
      ),
  });
  return { requests, source, blobs };
}

describe('requests per tag', () => {
  it('cold: GET the manifest by tag and GET the config — the digest still equals skopeo’s', async () => {
    const { requests, source } = counting();
    const r = await source.resolve(parsePullSpec(`${reg.host}/count/app:t0`), { insecure: true, cold: true });
    expect(r.digest).toBe(await skopeoRawDigest(reg, 'count/app:t0'));
    const http = requests.filter((q) => q.includes('http:'));
    expect(http).toEqual(['GET http:/v2/count/app/manifests/t0 200', 'GET http:/v2/count/app/blobs/DIGEST 200']);
    await source.close();
  });

  it('warm: one HEAD when the manifest and config are already stored', async () => {
    const { requests, source, blobs } = counting();
    await source.resolve(parsePullSpec(`${reg.host}/count/app:t1`), { insecure: true, cold: true });
    const again = createImageSource({
      blobs,
      onRequest: (m, u, s) => requests.push(`warm ${m} ${new URL(u).pathname} ${s}`),
    });
    const before = requests.length;
    await again.resolve(parsePullSpec(`${reg.host}/count/app:t1`), { insecure: true });
    expect(requests.slice(before).filter((q) => q.startsWith('warm') && !q.endsWith(' 0'))).toEqual([
      'warm HEAD /v2/count/app/manifests/t1 200',
    ]);
    await Promise.all([source.close(), again.close()]);
  });

  it('8 resolves started together on an insecure plain-HTTP registry probe HTTPS once', async () => {
    const { requests, source } = counting();
    const digests = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        source.resolve(parsePullSpec(`${reg.host}/count/app:t${i}`), { insecure: true, cold: true }),
      ),
    );
    expect(new Set(digests.map((d) => d.digest)).size).toBe(8);
    expect(requests.filter((q) => q.includes('https:'))).toHaveLength(1);
    await source.close();
  });

  it('unchangedIf: one HEAD and no stored content read while the tag still names the recorded digest; a missing manifest is fetched again', async () => {
    const { requests, source, blobs } = counting();
    const first = await source.resolve(parsePullSpec(`${reg.host}/count/app:t2`), { insecure: true, cold: true });
    const n = requests.length;
    const warm = await source.resolve(parsePullSpec(`${reg.host}/count/app:t2`), {
      insecure: true,
      unchangedIf: first.digest,
    });
    expect(warm).toMatchObject({
      unchanged: true,
      digest: first.digest,
      dockerImageReference: `${reg.host}/count/app@${first.digest}`,
    });
    expect(requests.slice(n)).toEqual(['HEAD http:/v2/count/app/manifests/t2 200']);

    // Another process whose folder lost its .isctl/blobs: the same check reads the content again.
    const bare = createImageSource({
      blobs: memoryBlobStore(),
      onRequest: (m, u, st) =>
        requests.push(`bare ${m} ${new URL(u).pathname.replace(/sha256:[0-9a-f]+/, 'DIGEST')} ${st}`),
    });
    const m = requests.length;
    const again = await bare.resolve(parsePullSpec(`${reg.host}/count/app:t2`), {
      insecure: true,
      unchangedIf: first.digest,
    });
    expect(again.unchanged).toBeUndefined();
    expect(again.image.dockerImageMetadata?.Id).toBe(first.image.dockerImageMetadata?.Id);
    expect(requests.slice(m).filter((q) => !q.endsWith(' 0'))).toEqual([
      'bare HEAD /v2/count/app/manifests/t2 200',
      'bare GET /v2/count/app/manifests/DIGEST 200',
      'bare GET /v2/count/app/blobs/DIGEST 200',
    ]);
    expect(blobs.size()).toBeGreaterThan(0);
    await Promise.all([source.close(), bare.close()]);
  });
});
