import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { imageFromManifest, parseManifest, digestOf, MediaTypes, toRFC3339Seconds } from '../../src/domain/image.js';
import { IntegrityError } from '../../src/domain/errors.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const buf = (v: unknown) => Buffer.from(JSON.stringify(v));

const config = buf({
  created: '2024-01-02T03:04:05.123456789Z',
  author: 'isctl tests',
  architecture: 'arm64',
  os: 'linux',
  docker_version: '24.0.0',
  config: {
    Env: ['PATH=/bin'],
    Cmd: ['/hello'],
    Labels: { a: 'b' },
    WorkingDir: '/w',
    User: '1001',
    ExposedPorts: { '8080/tcp': {} },
    ArgsEscaped: true,
    StopSignal: 'SIGTERM',
    Tty: false,
  },
  rootfs: { type: 'layers', diff_ids: [] },
});
const layerA = {
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 100,
};
const layerB = {
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: `sha256:${'b'.repeat(64)}`,
  size: 7,
};
const manifest = buf({
  schemaVersion: 2,
  mediaType: MediaTypes.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
  layers: [layerA, layerB, layerA],
});

describe('imageFromManifest', () => {
  it('builds the Image the apiserver stores for an OCI manifest', () => {
    const image = imageFromManifest({
      digest: sha(manifest),
      manifest,
      config,
      dockerImageReference: `quay.io/a/b@${sha(manifest)}`,
    });
    expect(image.metadata).toEqual({
      name: sha(manifest),
      annotations: { 'image.openshift.io/dockerLayersOrder': 'ascending' },
    });
    expect(image.dockerImageReference).toBe(`quay.io/a/b@${sha(manifest)}`);
    expect(image.dockerImageMetadataVersion).toBe('1.0');
    expect(image.dockerImageManifestMediaType).toBe(MediaTypes.ociManifest);
    expect(image.dockerImageLayers).toEqual([
      { name: layerA.digest, size: 100, mediaType: layerA.mediaType },
      { name: layerB.digest, size: 7, mediaType: layerB.mediaType },
      { name: layerA.digest, size: 100, mediaType: layerA.mediaType },
    ]);
    expect(image.dockerImageMetadata).toEqual({
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/1.0',
      Id: sha(config),
      Created: '2024-01-02T03:04:05Z',
      ContainerConfig: {},
      DockerVersion: '24.0.0',
      Author: 'isctl tests',
      Config: {
        Env: ['PATH=/bin'],
        Cmd: ['/hello'],
        Labels: { a: 'b' },
        WorkingDir: '/w',
        User: '1001',
        ExposedPorts: { '8080/tcp': {} },
      },
      Architecture: 'arm64',
      // config bytes + unique layers (layerA counted once)
      Size: config.length + 107,
    });
  });

  it('takes the media type from Content-Type when the manifest has no mediaType field', () => {
    const m = buf({ schemaVersion: 2, config: { mediaType: 'x', digest: sha(config), size: 1 }, layers: [] });
    const image = imageFromManifest({
      digest: sha(m),
      manifest: m,
      config,
      mediaType: `${MediaTypes.dockerManifest}; charset=utf-8`,
    });
    expect(image.dockerImageManifestMediaType).toBe(MediaTypes.dockerManifest);
    expect(image.dockerImageLayers).toBeUndefined();
    expect(image.dockerImageMetadata?.Size).toBe(config.length);
  });

  it('builds the list Image of PreserveOriginal with children in order', () => {
    const list = buf({
      schemaVersion: 2,
      mediaType: MediaTypes.dockerList,
      manifests: [
        {
          mediaType: MediaTypes.dockerManifest,
          digest: `sha256:${'1'.repeat(64)}`,
          size: 528,
          platform: { architecture: 'amd64', os: 'linux' },
        },
        {
          mediaType: MediaTypes.dockerManifest,
          digest: `sha256:${'2'.repeat(64)}`,
          size: 529,
          platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
        },
      ],
    });
    const image = imageFromManifest({ digest: sha(list), manifest: list, created: '2026-01-01T10:00:00.5Z' });
    expect(image.metadata).toEqual({ name: sha(list) });
    expect(image.dockerImageMetadata).toEqual({
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/1.0',
      Id: sha(list),
      Created: '2026-01-01T10:00:00Z',
      ContainerConfig: {},
    });
    expect(image.dockerImageLayers).toBeUndefined();
    expect(image.dockerImageManifestMediaType).toBe(MediaTypes.dockerList);
    expect(image.dockerImageManifests).toEqual([
      {
        digest: `sha256:${'1'.repeat(64)}`,
        mediaType: MediaTypes.dockerManifest,
        manifestSize: 528,
        architecture: 'amd64',
        os: 'linux',
      },
      {
        digest: `sha256:${'2'.repeat(64)}`,
        mediaType: MediaTypes.dockerManifest,
        manifestSize: 529,
        architecture: 'arm',
        os: 'linux',
        variant: 'v7',
      },
    ]);
  });

  it('rejects bytes that do not match the digest, naming both digests', () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    expect(() => imageFromManifest({ digest: wrong, manifest, config })).toThrow(IntegrityError);
    expect(() => imageFromManifest({ digest: wrong, manifest, config })).toThrow(
      /content integrity error: .*sha256:0{64}.*does not match.*/,
    );
  });

  it('rejects a config blob that does not match the manifest', () => {
    expect(() => imageFromManifest({ digest: sha(manifest), manifest, config: Buffer.from('{}') })).toThrow(
      /config blob/,
    );
  });

  it('requires the config for image manifests', () => {
    expect(() => imageFromManifest({ digest: sha(manifest), manifest })).toThrow(/dockerImageConfig must not be empty/);
  });
});

describe('parseManifest', () => {
  it.each([
    ['schema1', buf({ schemaVersion: 1, name: 'x', fsLayers: [] }), /schema1/],
    ['not JSON', Buffer.from('<html>'), /malformed manifest/],
    ['array', buf([]), /not a JSON object/],
    [
      'unknown type',
      buf({ schemaVersion: 2, mediaType: 'application/vnd.cncf.helm.config.v1+json' }),
      /unsupported image manifest type/,
    ],
    ['list without manifests', buf({ schemaVersion: 2, mediaType: MediaTypes.ociIndex }), /"manifests" is missing/],
    [
      'bad config digest',
      buf({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { digest: 'nope' } }),
      /config has no valid digest/,
    ],
  ])('rejects %s', (_n, bytes, re) => {
    expect(() => parseManifest(bytes)).toThrow(re);
  });

  it('infers an OCI index from a manifests array', () => {
    const p = parseManifest(buf({ schemaVersion: 2, manifests: [] }));
    expect(p).toEqual({ kind: 'list', mediaType: MediaTypes.ociIndex, manifests: [] });
  });
});

describe('helpers', () => {
  it('digestOf follows the algorithm of the digest it is compared with', () => {
    expect(digestOf(Buffer.from('abc'))).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(digestOf(Buffer.from('abc'), 'sha512:00').startsWith('sha512:ddaf35a1')).toBe(true);
  });
  it('formats timestamps as metav1.Time', () => {
    expect(toRFC3339Seconds('2024-01-01T02:00:00.999+02:00')).toBe('2024-01-01T00:00:00Z');
  });
});
