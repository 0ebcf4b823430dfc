/**
 * Tiny, byte-deterministic container images built in Node (no Docker): a gzip'd ustar layer, a
 * config, an OCI or Docker schema2 manifest, and OCI index / Docker manifest list variants.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** A blob with its digest. */
export interface Blob {
  digest: string;
  bytes: Buffer;
  mediaType: string;
}

/** One single-platform image: manifest, config and layers. */
export interface BuiltImage {
  manifest: Blob;
  config: Blob;
  layers: Blob[];
  platform: { architecture: string; os: string; variant?: string };
}

/** A list/index over several images. */
export interface BuiltIndex {
  index: Blob;
  children: BuiltImage[];
}

/** Options for one image. */
export interface ImageOptions {
  arch?: string;
  os?: string;
  variant?: string;
  schema?: 'oci' | 'docker';
  /** Changes the layer content, hence every digest. */
  seed?: string;
  labels?: Record<string, string>;
  created?: string;
}

/** `sha256:<hex>` of bytes. */
export const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const T = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

/** Minimal ustar archive of regular files (mtime 0, uid/gid 0) so bytes are reproducible. */
export function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    const w = (s: string, off: number, len: number) => h.write(s, off, len, 'ascii');
    w(name, 0, 100);
    w('0000644\0', 100, 8);
    w('0000000\0', 108, 8);
    w('0000000\0', 116, 8);
    w(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 12);
    w('00000000000\0', 136, 12);
    w('        ', 148, 8);
    w('0', 156, 1);
    w('ustar\0', 257, 6);
    w('00', 263, 2);
    let sum = 0;
    for (const b of h) sum += b;
    w(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const blob = (bytes: Buffer, mediaType: string): Blob => ({ digest: sha256(bytes), bytes, mediaType });

/** Builds one image; equal options give equal bytes. */
export function buildImage(o: ImageOptions = {}): BuiltImage {
  const arch = o.arch ?? 'amd64';
  const os = o.os ?? 'linux';
  const docker = o.schema === 'docker';
  const layerTar = tar({
    'hello.txt': `hello from ${os}/${arch}${o.variant ? `/${o.variant}` : ''} ${o.seed ?? ''}\n`,
  });
  const layer = blob(gzipSync(layerTar, { level: 9 }), docker ? T.dockerLayer : T.ociLayer);
  // gzip embeds the OS byte only; level fixed => deterministic on one Node version.
  const platform = { architecture: arch, os, ...(o.variant ? { variant: o.variant } : {}) };
  const created = o.created ?? '2024-01-01T00:00:00Z';
  const cfg = {
    created,
    author: 'isctl tests',
    ...platform,
    config: {
      Env: ['PATH=/usr/bin:/bin'],
      Cmd: ['/hello'],
      WorkingDir: '/',
      Labels: { 'org.opencontainers.image.title': 'hello', arch, ...(o.labels ?? {}) },
    },
    rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    history: [{ created, created_by: 'isctl test harness' }],
  };
  const config = blob(Buffer.from(JSON.stringify(cfg)), docker ? T.dockerConfig : T.ociConfig);
  const manifest = {
    schemaVersion: 2,
    mediaType: docker ? T.dockerManifest : T.ociManifest,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.bytes.length },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.bytes.length }],
  };
  return {
    manifest: blob(Buffer.from(JSON.stringify(manifest)), manifest.mediaType),
    config,
    layers: [layer],
    platform,
  };
}

/** Builds an OCI index (or Docker manifest list) over images for the given platforms. */
export function buildIndex(
  platforms: { arch: string; os?: string; variant?: string }[],
  o: Omit<ImageOptions, 'arch' | 'os' | 'variant'> = {},
): BuiltIndex {
  const children = platforms.map((p) => buildImage({ ...o, ...p }));
  const docker = o.schema === 'docker';
  const index = {
    schemaVersion: 2,
    mediaType: docker ? T.dockerList : T.ociIndex,
    manifests: children.map((c) => ({
      mediaType: c.manifest.mediaType,
      digest: c.manifest.digest,
      size: c.manifest.bytes.length,
      platform: c.platform,
    })),
  };
  return { index: blob(Buffer.from(JSON.stringify(index)), index.mediaType), children };
}

/** The default multi-arch platform set: linux/arm64/v8, linux/amd64, linux/s390x (amd64 deliberately not first). */
export const MULTI_ARCH = [{ arch: 'arm64', variant: 'v8' }, { arch: 'amd64' }, { arch: 's390x' }];
