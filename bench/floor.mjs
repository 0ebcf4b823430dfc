#!/usr/bin/env node
// The floor: a bare undici loop making exactly the requests an importer needs per tag, with
// bounded concurrency on keep-alive connections, and nothing else (no files, no parsing beyond
// the config digest). Cold: HEAD manifest by tag, GET manifest by digest, GET config blob.
// Warm: HEAD manifest by tag only (the digest is unchanged, so nothing else is needed).
// cold-get: what a cold import needs at least — GET manifest by tag (the body is verified
// against Docker-Content-Digest, so no HEAD is needed first) and GET config: 2 requests a tag.
// policy-warm / policy-cold (bench/policy.mjs): what re-evaluating a policy tag needs at least —
// the repository's tag list (one GET: Distribution 2.8 returns every tag at once), then HEAD
// (warm) or GET manifest + GET config (cold) of the chosen tag; LIST names the chosen tags.
// HTTPS (bench/tls.mjs): env BENCH_CA_FILE names the registry's CA. With `h2` after the
// connection count, the floor is one undici Client with allowH2 and `pipelining` = that count
// (HTTP/2 streams on one connection, as many requests in flight); without it a Pool of that many
// HTTP/1.1 keep-alive connections, one request each.
// usage: node bench/floor.mjs URL LIST.json cold|warm|cold-get|policy-warm|policy-cold [connections=8] [h2]
//   LIST.json = [{ "repo": "bench/r000", "tag": "v1.0" }, …]; prints one JSON line.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Client, Pool } from 'undici';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const [url, listFile, mode = 'cold', conns = '8', proto = 'h1'] = process.argv.slice(2);
if (!url || !listFile || !['cold', 'warm', 'cold-get', 'policy-warm', 'policy-cold'].includes(mode)) {
  console.error('usage: node bench/floor.mjs URL LIST.json cold|warm|cold-get|policy-warm|policy-cold [connections]');
  process.exit(2);
}
const list = JSON.parse(readFileSync(listFile, 'utf8'));
const connections = Number(conns);
const h2 = proto === 'h2';
const connect = process.env.BENCH_CA_FILE ? { connect: { ca: readFileSync(process.env.BENCH_CA_FILE, 'utf8') } } : {};
const pool = h2
  ? new Client(url, { allowH2: true, pipelining: connections, keepAliveTimeout: 30_000, ...connect })
  : new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 30_000, ...connect });
let requests = 0;

async function req(method, path, headers = {}) {
  requests++;
  // reset:false — undici otherwise closes the socket after every HEAD (seen against
  // docker-registry 2.8).
  const res = await pool.request({ method, path, headers, reset: false });
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`${method} ${path}: HTTP ${res.statusCode}`);
  return { headers: res.headers, body };
}

async function config(repo, manifest) {
  const cfgDigest = JSON.parse(manifest.toString()).config.digest;
  const cfg = await req('GET', `/v2/${repo}/blobs/${cfgDigest}`);
  if (sha(cfg.body) !== cfgDigest) throw new Error(`config ${repo}@${cfgDigest}: digest mismatch`);
}

async function one({ repo, tag }) {
  if (mode === 'policy-warm' || mode === 'policy-cold') {
    const list = await req('GET', `/v2/${repo}/tags/list`);
    if (!JSON.parse(list.body.toString()).tags.includes(tag)) throw new Error(`${repo}: no tag ${tag}`);
  }
  if (mode === 'cold-get' || mode === 'policy-cold') {
    const man = await req('GET', `/v2/${repo}/manifests/${tag}`, { accept: ACCEPT });
    const digest = man.headers['docker-content-digest'];
    if (sha(man.body) !== digest) throw new Error(`manifest ${repo}:${tag}: digest mismatch`);
    await config(repo, man.body);
    return digest;
  }
  const head = await req('HEAD', `/v2/${repo}/manifests/${tag}`, { accept: ACCEPT });
  const digest = head.headers['docker-content-digest'];
  if (mode === 'warm' || mode === 'policy-warm') return digest;
  const man = await req('GET', `/v2/${repo}/manifests/${digest}`, { accept: ACCEPT });
  if (sha(man.body) !== digest) throw new Error(`manifest ${repo}@${digest}: digest mismatch`);
  await config(repo, man.body);
  return digest;
}

const t0 = performance.now();
let next = 0;
let errors = 0;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (next < list.length) {
      const item = list[next++];
      try {
        await one(item);
      } catch (e) {
        errors++;
        if (errors < 4) console.error(String(e.message ?? e));
      }
    }
  }),
);
const ms = performance.now() - t0;
await pool.close();
console.log(
  JSON.stringify({
    mode,
    protocol: h2 ? 'h2' : 'h1',
    tags: list.length,
    connections,
    requests,
    errors,
    loopMs: Math.round(ms),
    perTagMs: +(ms / list.length).toFixed(3),
  }),
);
