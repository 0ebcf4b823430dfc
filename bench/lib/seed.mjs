// Seeds a Distribution registry fast, by plain HTTP: tiny OCI images built in Node (one shared
// small layer per repository, a distinct config blob per tag so every tag has its own manifest
// digest), pushed with the minimal Distribution-spec sequence (POST + PUT per blob, PUT manifest;
// the distribution spec's monolithic upload) over keep-alive connections, many in flight.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

function tarOneFile(name, content) {
  // POSIX ustar: 512-byte header, data padded to 512, two zero blocks (deterministic: mtime 0).
  const data = Buffer.from(content);
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad, Buffer.alloc(1024)]);
}

/** The shared layer: a gzip'd tar with one small file; returns { bytes, digest, diffId }. */
export function makeLayer() {
  const tar = tarOneFile('hello.txt', 'isctl bench layer\n');
  const bytes = gzipSync(tar, { level: 9 });
  return { bytes, digest: sha(bytes), diffId: sha(tar) };
}

/** A tag's image: distinct config (labels name repo, tag and revision) over the shared layer. */
export function makeImage(layer, repo, tag, revision = 1) {
  const config = Buffer.from(
    JSON.stringify({
      created: '2026-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/hello'], Labels: { 'bench.repo': repo, 'bench.tag': tag, 'bench.revision': String(revision) } },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.bytes.length },
      ],
    }),
  );
  return { config, configDigest: sha(config), manifest, digest: sha(manifest) };
}

async function expect(res, codes, what) {
  const body = await res.body.text();
  if (!codes.includes(res.statusCode)) throw new Error(`${what}: HTTP ${res.statusCode} ${body.slice(0, 200)}`);
}

async function pushBlob(pool, repo, bytes, digest) {
  const post = await pool.request({ method: 'POST', path: `/v2/${repo}/blobs/uploads/` });
  await expect(post, [202], `POST upload ${repo}`);
  const loc = new URL(post.headers.location, 'http://x');
  loc.searchParams.set('digest', digest);
  const put = await pool.request({
    method: 'PUT',
    path: loc.pathname + loc.search,
    body: bytes,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
  });
  await expect(put, [201], `PUT blob ${repo}`);
}

async function pushManifest(pool, repo, tag, manifest) {
  const res = await pool.request({
    method: 'PUT',
    path: `/v2/${repo}/manifests/${tag}`,
    body: manifest,
    headers: { 'content-type': OCI_MANIFEST, 'content-length': String(manifest.length) },
  });
  await expect(res, [201], `PUT manifest ${repo}:${tag}`);
}

async function runLimited(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/**
 * Pushes images; `plan` is [{ repo, tags: [tag…], revision? }]. Returns [{ repo, tag, digest,
 * configDigest }] in plan order. One layer upload per repository, then tags in parallel.
 */
export async function seed(url, plan, { connections = 16, ca } = {}) {
  // `ca`: the PEM CA of a TLS registry (pushed over HTTP/1.1, as the plain-HTTP ones).
  const pool = new Pool(url, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    ...(ca ? { connect: { ca } } : {}),
  });
  const layer = makeLayer();
  const out = [];
  try {
    await runLimited(plan, connections, (p) => pushBlob(pool, p.repo, layer.bytes, layer.digest));
    const jobs = plan.flatMap((p) => p.tags.map((tag) => ({ repo: p.repo, tag, revision: p.revision ?? 1 })));
    await runLimited(jobs, connections, async (j, i) => {
      const img = makeImage(layer, j.repo, j.tag, j.revision);
      await pushBlob(pool, j.repo, img.config, img.configDigest);
      await pushManifest(pool, j.repo, j.tag, img.manifest);
      out[i] = { repo: j.repo, tag: j.tag, digest: img.digest, configDigest: img.configDigest };
    });
  } finally {
    await pool.close();
  }
  return out;
}

/** Names of the two layouts: 100 repositories x 10 tags, and one repository with 1,000 tags. */
export function benchPlan({ repos = 100, tagsPerRepo = 10, bigTags = 1000 } = {}) {
  const multi = Array.from({ length: repos }, (_, r) => ({
    repo: `bench/r${String(r).padStart(3, '0')}`,
    tags: Array.from({ length: tagsPerRepo }, (_, t) => `v1.${t}`),
  }));
  const big = [
    { repo: 'bench/big', tags: Array.from({ length: bigTags }, (_, t) => `1.${Math.floor(t / 100)}.${t % 100}`) },
  ];
  return { multi, big };
}
