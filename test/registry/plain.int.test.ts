/**
 * Resolving against a real Distribution 2.8 registry over plain HTTP; every digest is compared
 * with what skopeo reports for the same reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startRegistry,
  pushImage,
  pushManifest,
  skopeoInspect,
  skopeoRawDigest,
  type TestRegistry,
  buildImage,
  memoryBlobStore,
} from '../helpers/registry/index.js';
import { createImageSource } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { RegistryError } from '../../src/domain/errors.js';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
});
afterAll(async () => {
  await reg?.stop();
});

const spec = (s: string) => parsePullSpec(`${reg.host}/${s}`);

function counted(blobs = memoryBlobStore()) {
  const requests: string[] = [];
  const source = createImageSource({
    blobs,
    onRequest: (m, u, s) => requests.push(`${m} ${new URL(u).pathname} ${s}`),
  });
  return { source, requests, blobs };
}

describe('single-arch images', () => {
  it('resolves an OCI image to the digest and metadata skopeo reports', async () => {
    const pushed = await pushImage(reg, 'team/app', '1.0', { seed: 'oci', labels: { tier: 'web' } });
    const { source } = counted();
    const got = await source.resolve(spec('team/app:1.0'), { insecure: true });
    const sk = await skopeoInspect(reg, 'team/app:1.0');
    expect(got.digest).toBe(sk.Digest);
    expect(got.digest).toBe(pushed.digest);
    expect(got.topDigest).toBe(sk.Digest);
    expect(got.topMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(got.dockerImageReference).toBe(`${reg.host}/team/app@${sk.Digest}`);
    const meta = got.image.dockerImageMetadata!;
    expect(meta.Architecture).toBe(sk.Architecture);
    expect(meta.Created).toBe(sk.Created.replace(/\.\d+Z$/, 'Z'));
    expect(meta.Config?.Labels).toEqual(sk.Labels);
    expect(meta.Config?.Env).toEqual(sk.Env);
    expect(got.image.dockerImageLayers?.map((l) => l.name)).toEqual(sk.Layers);
    const img = pushed.images[0];
    expect(meta.Id).toBe(img.config.digest);
    expect(meta.Size).toBe(img.config.bytes.length + img.layers[0].bytes.length);
    await source.close();
  });

  it('resolves a Docker schema2 image', async () => {
    await pushImage(reg, 'team/docker', 'v2', { schema: 'docker', seed: 'docker' });
    const { source } = counted();
    const got = await source.resolve(spec('team/docker:v2'), { insecure: true });
    const sk = await skopeoInspect(reg, 'team/docker:v2');
    expect(got.digest).toBe(sk.Digest);
    expect(got.image.dockerImageManifestMediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    await source.close();
  });

  it('resolves by digest and rejects a tag that does not exist with the registry error', async () => {
    const pushed = await pushImage(reg, 'team/app', '1.1', { seed: 'by-digest' });
    const { source } = counted();
    const got = await source.resolve(spec(`team/app@${pushed.digest}`), { insecure: true });
    expect(got.digest).toBe(pushed.digest);
    expect(got.dockerImageReference).toBe(`${reg.host}/team/app@${pushed.digest}`);
    const err = await source.resolve(spec('team/app:nope'), { insecure: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).reason).toBe('NotFound');
    expect((err as RegistryError).message).toMatch(/^manifest unknown.*team\/app:nope/);
    expect((err as RegistryError).ociCodes).toContain('MANIFEST_UNKNOWN');
    // Distribution 2.8 answers MANIFEST_UNKNOWN (not NAME_UNKNOWN) for a repository it never saw.
    const repoErr = (await source
      .resolve(spec('team/missing:1'), { insecure: true })
      .catch((e: unknown) => e)) as RegistryError;
    expect(repoErr.reason).toBe('NotFound');
    expect(repoErr.message).toContain(`${reg.host}/team/missing:1`);
    await source.close();
  });

  it('refuses plain HTTP unless insecure is asked for', async () => {
    await pushImage(reg, 'team/app', 'secure', { seed: 'secure' });
    const { source } = counted();
    const err = (await source.resolve(spec('team/app:secure')).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.message).toMatch(/does not speak HTTPS.*--insecure/);
    await source.close();
  });
});

describe('multi-arch images', () => {
  it('Legacy picks linux/amd64 (not the first entry) and records the child digest', async () => {
    const pushed = await pushImage(reg, 'team/multi', 'latest', { multiArch: true, seed: 'multi' });
    const { source } = counted();
    const got = await source.resolve(spec('team/multi:latest'), { insecure: true });
    const listDigest = await skopeoRawDigest(reg, 'team/multi:latest');
    const amd64 = await skopeoInspect(reg, 'team/multi:latest', { arch: 'amd64' });
    expect(got.topDigest).toBe(listDigest);
    expect(got.topDigest).toBe(pushed.digest);
    expect(got.topMediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(got.digest).toBe(pushed.images[1].manifest.digest);
    expect(got.image.dockerImageMetadata?.Architecture).toBe('amd64');
    expect(got.image.dockerImageLayers?.map((l) => l.name)).toEqual(amd64.Layers);
    expect(got.dockerImageReference).toBe(`${reg.host}/team/multi@${got.digest}`);
    expect(got.manifests).toBeUndefined();
    await source.close();
  });

  it('Legacy honours prefer-arch, ignoring the variant', async () => {
    const pushed = await pushImage(reg, 'team/multi', 'arm', { multiArch: true, seed: 'multi' });
    const { source } = counted();
    const got = await source.resolve(spec('team/multi:arm'), { insecure: true, preferArch: 'arm64' });
    expect(got.digest).toBe(pushed.images[0].manifest.digest);
    expect(got.image.dockerImageMetadata?.Architecture).toBe('arm64');
    await source.close();
  });

  it('PreserveOriginal keeps the index and lists every child', async () => {
    const pushed = await pushImage(reg, 'team/multi', 'keep', { multiArch: true, seed: 'keep' });
    const { source } = createImageSourceAt(new Date('2026-11-22T12:00:00.250Z'));
    const got = await source.resolve(spec('team/multi:keep'), { insecure: true, importMode: 'PreserveOriginal' });
    expect(got.digest).toBe(await skopeoRawDigest(reg, 'team/multi:keep'));
    expect(got.image.metadata.name).toBe(got.digest);
    expect(got.image.dockerImageMetadata).toMatchObject({ Id: got.digest, Created: '2026-11-22T12:00:00Z' });
    expect(
      got.image.dockerImageManifests?.map(
        (m) => `${m.os}/${m.architecture}${m.variant ? `/${m.variant}` : ''} ${m.digest}`,
      ),
    ).toEqual(
      pushed.images.map(
        (i) =>
          `linux/${i.platform.architecture}${i.platform.variant ? `/${i.platform.variant}` : ''} ${i.manifest.digest}`,
      ),
    );
    expect(got.manifests?.map((m) => m.metadata.name)).toEqual(pushed.images.map((i) => i.manifest.digest));
    expect(got.manifests?.[2].dockerImageReference).toBe(`${reg.host}/team/multi@${pushed.images[2].manifest.digest}`);
    expect(got.manifests?.[2].dockerImageMetadata?.Architecture).toBe('s390x');
    await source.close();
  });

  it('resolves a Docker manifest list', async () => {
    const pushed = await pushImage(reg, 'team/dlist', '2', { multiArch: true, schema: 'docker', seed: 'dlist' });
    const { source } = counted();
    const got = await source.resolve(spec('team/dlist:2'), { insecure: true });
    expect(got.topDigest).toBe(await skopeoRawDigest(reg, 'team/dlist:2'));
    expect(got.topMediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(got.digest).toBe(pushed.images[1].manifest.digest);
    expect(got.image.dockerImageManifestMediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    await source.close();
  });
});

function createImageSourceAt(now: Date) {
  return { source: createImageSource({ blobs: memoryBlobStore(), now: () => now }) };
}

describe('request economy', () => {
  it('a warm re-check of an unchanged tag costs exactly one HEAD', async () => {
    await pushImage(reg, 'team/warm', '1', { seed: 'warm' });
    await pushImage(reg, 'team/warm', 'multi', { multiArch: true, seed: 'warm' });
    const { source, requests, blobs } = counted();
    const first = await source.resolve(spec('team/warm:1'), { insecure: true });
    await source.resolve(spec('team/warm:multi'), { insecure: true });
    requests.length = 0;
    const again = await source.resolve(spec('team/warm:1'), { insecure: true });
    expect(again).toEqual(first);
    expect(requests).toEqual(['HEAD /v2/team/warm/manifests/1 200']);
    requests.length = 0;
    await source.resolve(spec('team/warm:multi'), { insecure: true });
    expect(requests).toEqual(['HEAD /v2/team/warm/manifests/multi 200']);
    await source.close();
    // A new process sharing the state folder's blobs: the first request also finds the scheme.
    const next = counted(blobs);
    await next.source.resolve(spec('team/warm:1'), { insecure: true });
    expect(next.requests.filter((r) => !r.endsWith(' 0'))).toEqual(['HEAD /v2/team/warm/manifests/1 200']);
    await next.source.close();
  });

  it('fetches manifests and configs once per digest', async () => {
    await pushImage(reg, 'team/once', 'a', { seed: 'once' });
    await pushImage(reg, 'team/once', 'b', { seed: 'once' });
    const { source, requests } = counted();
    await source.resolve(spec('team/once:a'), { insecure: true });
    await source.resolve(spec('team/once:b'), { insecure: true });
    const gets = requests.filter((r) => r.startsWith('GET /v2/team'));
    expect(gets).toHaveLength(2); // one manifest GET by digest, one config blob GET
    await source.close();
  });
});

describe('concurrency', () => {
  it('parallel resolves of the same image fetch its manifest and config once', async () => {
    await pushImage(reg, 'team/parallel', 'x', { multiArch: true, seed: 'parallel' });
    const { source, requests } = counted();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => source.resolve(spec('team/parallel:x'), { insecure: true })),
    );
    expect(new Set(results.map((r) => r.digest)).size).toBe(1);
    const gets = requests.filter((r) => r.startsWith('GET /v2/team/parallel'));
    // the index, the amd64 child, its config: once each
    expect(gets).toHaveLength(3);
    await source.close();
  });
});

describe('tags', () => {
  it('lists every tag (more than a page would hold on registries that paginate), sorted', async () => {
    const img = await pushImage(reg, 'team/tags', 't000', { seed: 'tags' });
    const built = buildImage({ seed: 'tags' });
    const names = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    for (const n of names.slice(1))
      await pushManifest(reg, 'team/tags', n, built.manifest.bytes, built.manifest.mediaType);
    const { source } = counted();
    expect(img.digest).toBe(built.manifest.digest);
    expect(await source.listTags(spec('team/tags:t000'), { insecure: true })).toEqual(names);
    await source.close();
  });
});
