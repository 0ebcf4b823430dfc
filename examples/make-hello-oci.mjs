#!/usr/bin/env node
// Writes examples/hello-oci: a tiny OCI image layout (image-spec image-layout.md) used by the
// README quick start, offline. Byte-for-byte deterministic: uncompressed ustar layers with
// mtime 0, fixed timestamps, JSON without whitespace. Refs (org.opencontainers.image.ref.name):
//   1.0    -> linux/amd64 OCI image manifest
//   multi  -> OCI index over linux/amd64 (the same manifest as 1.0) and linux/arm64/v8
// usage: node examples/make-hello-oci.mjs [OUTDIR]
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'hello-oci');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'blobs', 'sha256'), { recursive: true });

const sha = (b) => 'sha256:' + createHash('sha256').update(b).digest('hex');
function put(bytes, mediaType) {
  const digest = sha(bytes);
  writeFileSync(join(out, 'blobs', 'sha256', digest.slice(7)), bytes);
  return { mediaType, digest, size: bytes.length };
}

function tar(files) {
  const blocks = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    const w = (s, off, len) => h.write(s, off, len, 'ascii');
    w(name, 0, 100); w('0000755\0', 100, 8); w('0000000\0', 108, 8); w('0000000\0', 116, 8);
    w(data.length.toString(8).padStart(11, '0') + '\0', 124, 12);
    w('00000000000\0', 136, 12); w('        ', 148, 8); w('0', 156, 1);
    w('ustar\0', 257, 6); w('00', 263, 2);
    let sum = 0;
    for (const b of h) sum += b;
    w(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const CREATED = '2024-06-01T12:00:00Z';
function image(architecture, variant) {
  const layerTar = tar({ hello: `#!/bin/sh\necho "hello from linux/${architecture}${variant ? '/' + variant : ''}"\n` });
  const layer = put(layerTar, 'application/vnd.oci.image.layer.v1.tar');
  const platform = { architecture, os: 'linux', ...(variant ? { variant } : {}) };
  const config = {
    created: CREATED,
    author: 'isctl examples',
    ...platform,
    config: {
      User: '1001',
      ExposedPorts: { '8080/tcp': {} },
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'GREETING=hello'],
      Entrypoint: ['/hello'],
      WorkingDir: '/',
      Labels: { 'org.opencontainers.image.title': 'hello', 'org.opencontainers.image.version': '1.0' },
    },
    rootfs: { type: 'layers', diff_ids: [sha(layerTar)] },
    history: [{ created: CREATED, created_by: 'examples/make-hello-oci.mjs' }],
  };
  const cfg = put(Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json');
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [layer] };
  return { ...put(Buffer.from(JSON.stringify(manifest)), manifest.mediaType), platform };
}

const amd64 = image('amd64');
const arm64 = image('arm64', 'v8');
const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [amd64, arm64] };
const idx = put(Buffer.from(JSON.stringify(index)), index.mediaType);
const ref = (name) => ({ 'org.opencontainers.image.ref.name': name });
const layoutIndex = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { mediaType: amd64.mediaType, digest: amd64.digest, size: amd64.size, annotations: ref('1.0') },
    { ...idx, annotations: ref('multi') },
  ],
};
writeFileSync(join(out, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
writeFileSync(join(out, 'index.json'), JSON.stringify(layoutIndex));
console.log(JSON.stringify({ '1.0': amd64.digest, multi: idx.digest, 'multi/arm64': arm64.digest }, null, 2));
