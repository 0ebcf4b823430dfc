/**
 * `oci:` sources: the committed example layout (examples/hello-oci) and a layout skopeo writes,
 * read with the same code paths as a registry; digests compared with skopeo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createImageSource } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { IntegrityError, RegistryError } from '../../src/domain/errors.js';
import { memoryBlobStore } from '../helpers/registry/index.js';

const examples = resolve(__dirname, '../../examples');
const layout = join(examples, 'hello-oci');
const skopeo = (ref: string, ...flags: string[]) => execFileSync('skopeo', ['inspect', ...flags, ref]);
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'isctl-oci-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the example layout', () => {
  it('resolves oci:../hello-oci:1.0 relative to the state folder, equal to skopeo', async () => {
    const src = createImageSource({ ociBaseDir: join(examples, 'state'), blobs: memoryBlobStore() });
    const got = await src.resolve(parsePullSpec('oci:../hello-oci:1.0'));
    const sk = JSON.parse(skopeo(`oci:${layout}:1.0`).toString());
    expect(got.digest).toBe(sk.Digest);
    expect(got.dockerImageReference).toBe(`oci:../hello-oci@${sk.Digest}`);
    expect(got.image.dockerImageMetadata?.Config?.Labels).toEqual(sk.Labels);
    expect(got.image.dockerImageLayers?.map((l) => l.name)).toEqual(sk.Layers);
    await src.close();
  });

  it('Legacy picks linux/amd64 of the multi index; PreserveOriginal keeps it', async () => {
    const src = createImageSource({ ociBaseDir: examples });
    const legacy = await src.resolve(parsePullSpec('oci:hello-oci:multi'));
    const one = await src.resolve(parsePullSpec('oci:hello-oci:1.0'));
    expect(legacy.digest).toBe(one.digest);
    expect(legacy.topDigest).toBe(sha(skopeo(`oci:${layout}:multi`, '--raw')));
    const arm = await src.resolve(parsePullSpec('oci:hello-oci:multi'), { preferArch: 'arm64' });
    expect(arm.image.dockerImageMetadata?.Architecture).toBe('arm64');
    const kept = await src.resolve(parsePullSpec('oci:hello-oci:multi'), { importMode: 'PreserveOriginal' });
    expect(kept.digest).toBe(legacy.topDigest);
    expect(kept.manifests?.map((m) => m.dockerImageMetadata?.Architecture)).toEqual(['amd64', 'arm64']);
    expect(await src.listTags(parsePullSpec('oci:hello-oci'))).toEqual(['1.0', 'multi']);
    const byDigest = await src.resolve(parsePullSpec(`oci:hello-oci@${one.digest}`));
    expect(byDigest.digest).toBe(one.digest);
    await src.close();
  });

  it('a missing tag or folder is a clear error', async () => {
    const src = createImageSource({ ociBaseDir: examples });
    await expect(src.resolve(parsePullSpec('oci:hello-oci:2.0'))).rejects.toThrow(
      'manifest unknown: tag "2.0" is not in the OCI layout hello-oci (tags: 1.0, multi)',
    );
    await expect(src.resolve(parsePullSpec('oci:nowhere:1'))).rejects.toThrow(
      /nowhere is not an OCI image layout \(no oci-layout file\)/,
    );
    await expect(src.resolve(parsePullSpec('oci:hello-oci'))).rejects.toThrow(
      /holds 2 images; name one as oci:hello-oci:TAG/,
    );
    await src.close();
  });

  it('a blob whose content does not match its digest is rejected', async () => {
    const copy = join(tmp, 'tampered');
    cpSync(layout, copy, { recursive: true });
    const index = JSON.parse(readFileSync(join(copy, 'index.json'), 'utf8'));
    const digest: string = index.manifests[0].digest;
    const path = join(copy, 'blobs', 'sha256', digest.slice(7));
    writeFileSync(path, readFileSync(path, 'utf8').replace('"schemaVersion":2', '"schemaVersion": 2'));
    const src = createImageSource();
    const err = await src.resolve(parsePullSpec(`oci:${copy}:1.0`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err).toBeInstanceOf(RegistryError);
    await src.close();
  });
});

describe('a layout written by skopeo', () => {
  it('reads a multi-arch layout skopeo copied, with the digests skopeo reports', async () => {
    const dir = join(tmp, 'copied');
    execFileSync('skopeo', ['copy', '--all', `oci:${layout}:multi`, `oci:${dir}:copied`]);
    const src = createImageSource();
    const got = await src.resolve(parsePullSpec(`oci:${dir}:copied`), { importMode: 'PreserveOriginal' });
    expect(got.digest).toBe(sha(skopeo(`oci:${dir}:copied`, '--raw')));
    expect(got.manifests).toHaveLength(2);
    await src.close();
  });
});
