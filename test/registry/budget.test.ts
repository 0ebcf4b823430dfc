/**
 * The registry budget of `refresh -o json` and `refresh --dry-run` against a Node registry of the
 * test's own on 127.0.0.1 that counts every request it answers by kind, asks for a bearer token
 * from a realm on its own origin (distribution docs/spec/auth/token.md) and sends the rate-limit
 * headers as Docker Hub does (`ratelimit-limit: 100;w=21600`, `ratelimit-remaining: N;w=21600`,
 * one unit per manifest GET). What isctl reports must equal what the server saw; one repository's
 * tag list is fetched once per run however many streams and policy tags use it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildImage, type BuiltImage } from '../helpers/registry/index.js';
import {
  cosignKeyPair,
  cosignPayload,
  cosignSign,
  runCli,
  signatureManifest,
  signatureTag,
  tempDir,
} from '../helpers/index.js';
import { ContentCache } from '../../src/registry/content-cache.js';

interface Counts {
  headManifest: number;
  getManifest: number;
  getBlob: number;
  tagsList: number;
  token: number;
  signature: number;
}

interface FakeRegistry {
  host: string;
  counts: Counts;
  /** Tag lists answered (a 401 before the token is a request, but no listing). */
  listed: number;
  total: number;
  remaining: number;
  reset(): void;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
});

const zero = (): Counts => ({ headManifest: 0, getManifest: 0, getBlob: 0, tagsList: 0, token: 0, signature: 0 });

/** A registry serving `repos` (repository → tag → image) that wants a bearer token per repository. */
async function fakeRegistry(
  repos: Record<string, Record<string, BuiltImage>>,
  /** cosign attachments by tag (`sha256-<hex>.sig`): the manifest and its payload blobs. */
  signatures: Record<string, { manifest: Buffer; blobs: { digest: string; bytes: Buffer }[] }> = {},
): Promise<FakeRegistry> {
  const signatureBlob = (digest: string) =>
    Object.values(signatures)
      .flatMap((s) => s.blobs)
      .find((b) => b.digest === digest)?.bytes;
  const state = { counts: zero(), total: 0, remaining: 100, listed: 0 };
  let host = '';
  const server = createServer((req, res) => {
    state.total++;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      state.counts.token++;
      const scope = url.searchParams.get('scope') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token: `tok ${scope}`, expires_in: 300 }));
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.+)$/.exec(url.pathname);
    // cosign's attachment tag `sha256-<hex>.sig`, read when a signature policy asks for sigstore signatures.
    if (m?.[2] === 'manifests' && m[3].endsWith('.sig')) state.counts.signature++;
    else if (m?.[2] === 'manifests') state.counts[req.method === 'HEAD' ? 'headManifest' : 'getManifest']++;
    else if (m?.[2] === 'blobs' && signatureBlob(m[3])) state.counts.signature++;
    else if (m?.[2] === 'blobs') state.counts.getBlob++;
    else if (m?.[2] === 'tags') state.counts.tagsList++;
    const repo = m?.[1] ?? '';
    const scope = `repository:${repo}:pull`;
    if (req.headers.authorization !== `Bearer tok ${scope}`) {
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="http://${host}/token",service="fake",scope="${scope}"`,
      });
      return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    }
    const images = repos[repo] ?? {};
    if (m?.[2] === 'tags') {
      state.listed++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ name: repo, tags: Object.keys(images) }));
    }
    const ref = m?.[3] ?? '';
    const all = Object.values(images);
    const attachment = m?.[2] === 'manifests' ? signatures[ref] : undefined;
    if (attachment) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      return res.end(attachment.manifest);
    }
    const payload = m?.[2] === 'blobs' ? signatureBlob(ref) : undefined;
    if (payload) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(payload);
    }
    if (m?.[2] === 'manifests') {
      const img = images[ref] ?? all.find((i) => i.manifest.digest === ref);
      if (img) {
        if (req.method === 'GET') state.remaining--;
        res.writeHead(200, {
          'content-type': img.manifest.mediaType,
          'content-length': img.manifest.bytes.length,
          'docker-content-digest': img.manifest.digest,
          'ratelimit-limit': '100;w=21600',
          'ratelimit-remaining': `${state.remaining};w=21600`,
        });
        return res.end(req.method === 'HEAD' ? undefined : img.manifest.bytes);
      }
    }
    const blob = m?.[2] === 'blobs' ? all.find((i) => i.config.digest === ref) : undefined;
    if (blob) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(blob.config.bytes);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    get counts() {
      return state.counts;
    },
    get total() {
      return state.total;
    },
    get listed() {
      return state.listed;
    },
    get remaining() {
      return state.remaining;
    },
    reset() {
      state.counts = zero();
      state.total = 0;
      state.listed = 0;
    },
  };
}

const TAGS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4'];

function images(): Record<string, BuiltImage> {
  return Object.fromEntries(TAGS.map((t) => [t, buildImage({ seed: `budget-${t}` })]));
}

function stream(name: string, spec: string, annotations = ''): string {
  return [
    'apiVersion: image.openshift.io/v1',
    'kind: ImageStream',
    'metadata:',
    `  name: ${name}`,
    '  namespace: default',
    annotations,
    'spec:',
    spec,
    '',
  ]
    .filter(Boolean)
    .join('\n');
}

function tag(name: string, from: string, annotations?: Record<string, string>): string {
  return [
    `  - name: ${name}`,
    ...(annotations ? ['    annotations:', ...Object.entries(annotations).map(([k, v]) => `      ${k}: "${v}"`)] : []),
    '    from:',
    '      kind: DockerImage',
    `      name: ${from}`,
    '    importPolicy:',
    '      insecure: true',
  ].join('\n');
}

/**
 * Five streams with one tag each on `team/app`, two streams importing the whole of `team/app`
 * (spec.dockerImageRepository) and one policy tag following it: three users of one tag list.
 */
function folder(host: string): string {
  const dir = tempDir('budget');
  TAGS.forEach((t, i) =>
    writeFileSync(join(dir, `app-${i}.yaml`), stream(`app-${i}`, `  tags:\n${tag('t', `${host}/team/app:${t}`)}`)),
  );
  const whole = '  annotations:\n    openshift.io/image.insecureRepository: "true"';
  for (const n of ['all-a', 'all-b'])
    writeFileSync(join(dir, `${n}.yaml`), stream(n, `  dockerImageRepository: ${host}/team/app`, whole));
  const policy = tag('stable', `${host}/team/app:1.0.0`, { 'isctl.io/policy': 'semver:^1' });
  writeFileSync(join(dir, 'pol.yaml'), stream('pol', `  tags:\n${policy}`));
  return dir;
}

describe('the registry budget of refresh', () => {
  it('-o json reports per registry the requests the server saw, by kind, and its lowest rate-limit quota; one tag list for three users', async () => {
    const reg = await fakeRegistry({ 'team/app': images() });
    const dir = folder(reg.host);
    const cold = await runCli(['refresh', '-A', '-o', 'json'], { dir });
    expect(cold.stderr).toBe('');
    const doc = JSON.parse(cold.stdout);
    expect(doc.outcomes.filter((o: { status: string }) => o.status === 'failed')).toEqual([]);
    // 5 spec tags + 5 tags of each whole-repository stream + the policy tag.
    expect(doc.outcomes).toHaveLength(16);
    expect(reg.listed).toBe(1);
    expect(doc.registries).toEqual([
      {
        registry: reg.host,
        requests: reg.total,
        byKind: reg.counts,
        rateLimit: { limit: '100;w=21600', remaining: `${reg.remaining};w=21600` },
      },
    ]);
    expect(doc.requests).toBe(reg.total);
    // The keys of the document before the budget are all still there.
    expect(Object.keys(doc).sort()).toEqual(
      ['dryRun', 'changed', 'outcomes', 'files', 'lint', 'triggers', 'requests', 'registries'].sort(),
    );

    // Warm: nothing changed; HEADs (and the tag list, and tokens) only.
    reg.reset();
    const warm = JSON.parse((await runCli(['refresh', '-A', '-o', 'json'], { dir })).stdout);
    expect(warm.changed).toBe(false);
    expect(reg.counts).toMatchObject({ getBlob: 0 });
    expect(reg.listed).toBe(1);
    expect(warm.registries).toEqual([
      {
        registry: reg.host,
        requests: reg.total,
        byKind: reg.counts,
        rateLimit: { limit: '100;w=21600', remaining: `${reg.remaining};w=21600` },
      },
    ]);
  });

  it('--dry-run says how many requests a real run makes, in its text and in -o json, and the real run makes that many', async () => {
    const reg = await fakeRegistry({ 'team/app': images() });
    const dir = folder(reg.host);
    const dry = await runCli(['refresh', '-A', '--dry-run'], { dir });
    expect(dry.code).toBe(0);
    const seen = reg.total;
    const kinds = reg.counts;
    expect(dry.stdout).toContain(`a real run would make ${seen} registry requests (dry run)\n`);
    expect(dry.stdout).toContain(
      `  ${reg.host}: ${seen} (GET manifest ${kinds.getManifest}, GET blob ${kinds.getBlob}, ` +
        `tags list ${kinds.tagsList}, token ${kinds.token}); rate limit remaining ${reg.remaining};w=21600 of 100;w=21600\n`,
    );

    reg.reset();
    const dryJson = JSON.parse((await runCli(['refresh', '-A', '--dry-run', '-o', 'json'], { dir })).stdout);
    expect(dryJson).toMatchObject({ dryRun: true, requests: reg.total });
    expect(dryJson.registries[0].byKind).toEqual(kinds);

    reg.reset();
    const real = JSON.parse((await runCli(['refresh', '-A', '-o', 'json'], { dir })).stdout);
    expect(real.changed).toBe(true);
    expect(reg.total).toBe(seen);
    expect(real.requests).toBe(seen);
    expect(real.registries[0].byKind).toEqual(kinds);
  });

  it('a run that makes no registry request reports none', async () => {
    const dir = tempDir('budget-none');
    writeFileSync(join(dir, 'empty.yaml'), stream('empty', '  tags: []'));
    const doc = JSON.parse((await runCli(['refresh', '-A', '-o', 'json'], { dir })).stdout);
    expect(doc).toMatchObject({ requests: 0, registries: [] });
    const text = await runCli(['refresh', '-A', '--dry-run'], { dir });
    expect(text.stdout).toContain('a real run would make 0 registry requests (dry run)\n');
  });
});

describe('signatures in the budget', () => {
  /** A registry with a correctly cosign-signed image, a stream naming it, and a sigstoreSigned policy. */
  async function signedSetup(name: string) {
    const img = buildImage({ seed: 'budget-signed' });
    const { privateKey, publicPem } = cosignKeyPair();
    // The signature names the repository, so the registry's address must be known first.
    const signatures: Record<string, { manifest: Buffer; blobs: { digest: string; bytes: Buffer }[] }> = {};
    const reg = await fakeRegistry({ 'team/app': { '1.0.0': img } }, signatures);
    const host = reg.host;
    const payload = cosignPayload(`${host}/team/app`, img.manifest.digest);
    signatures[signatureTag(img.manifest.digest)] = signatureManifest([
      { payload, signature: cosignSign(privateKey, payload) },
    ]);
    const dir = tempDir(name);
    writeFileSync(join(dir, 'app.yaml'), stream('app', `  tags:\n${tag('t', `${host}/team/app:1.0.0`)}`));
    const policy = join(dir, 'policy.json');
    const keyData = Buffer.from(publicPem).toString('base64');
    const sigstore = { type: 'sigstoreSigned', keyData, signedIdentity: { type: 'matchRepository' } };
    writeFileSync(
      policy,
      JSON.stringify({ default: [{ type: 'reject' }], transports: { docker: { [host]: [sigstore] } } }),
    );
    return { reg, host, dir, policy, digest: img.manifest.digest };
  }

  it('the sigstore attachment a signature policy reads is counted as its own kind', async () => {
    const { reg, host, dir, policy } = await signedSetup('budget-sig');
    // containers/image docker/registries_d.go useSigstoreAttachments: attachments are read only
    // where registries.d says so.
    const registriesD = join(dir, 'registries.d');
    mkdirSync(registriesD);
    writeFileSync(join(registriesD, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n');
    const res = await runCli(
      ['refresh', '-A', '-o', 'json', '--signature-policy', policy, '--registries-d', registriesD],
      { dir },
    );
    const doc = JSON.parse(res.stdout);
    expect(doc.outcomes.map((o: { reason: string }) => o.reason)).toEqual(['Updated']);
    expect(reg.counts.signature).toBe(2);
    expect(doc.registries).toEqual([
      expect.objectContaining({ registry: host, requests: reg.total, byKind: reg.counts }),
    ]);
  });

  // containers/image docker/docker_image_src.go GetSignaturesWithFormat reads the `.sig` attachment
  // only `if src.c.useSigstoreAttachments`, which docker/registries_d.go `useSigstoreAttachments`
  // makes false unless a registries.d scope (or default-docker) sets `use-sigstore-attachments: true`.
  it('without use-sigstore-attachments: true the .sig tag is not requested and a correctly signed image is rejected', async () => {
    const { reg, host, dir, policy, digest } = await signedSetup('budget-sig-off');
    // No registries.d at all: HOME is the state folder, which has none, and /etc has none in tests.
    const none = await runCli(['refresh', '-A', '-o', 'json', '--signature-policy', policy], { dir });
    const doc = JSON.parse(none.stdout);
    expect(doc.outcomes.map((o: { reason: string }) => o.reason)).toEqual(['SignatureRejected']);
    const message = doc.outcomes[0].error.message as string;
    expect(message).toContain(`image ${host}/team/app:1.0.0@${digest} rejected by signature policy ${policy}`);
    expect(message).toContain(
      `A signature was required, but no signature exists (sigstore attachments of ${host}/team/app are not read: ` +
        'set use-sigstore-attachments: true for it (or for default-docker) in registries.d; no registries.d folder was found',
    );
    expect(reg.counts.signature).toBe(0);
    expect(doc.registries).toEqual([
      expect.objectContaining({ registry: host, requests: reg.total, byKind: reg.counts }),
    ]);

    // A registries.d that says false for the repository (default-docker says true): still not read.
    reg.reset();
    const registriesD = join(dir, 'registries.d');
    mkdirSync(registriesD);
    writeFileSync(
      join(registriesD, 'a.yaml'),
      `default-docker:\n  use-sigstore-attachments: true\ndocker:\n  ${host}/team:\n    use-sigstore-attachments: false\n`,
    );
    const off = await runCli(
      ['refresh', '-A', '-o', 'json', '--signature-policy', policy, '--registries-d', registriesD],
      { dir },
    );
    const offDoc = JSON.parse(off.stdout);
    expect(offDoc.outcomes.map((o: { reason: string }) => o.reason)).toEqual(['SignatureRejected']);
    expect(offDoc.outcomes[0].error.message).toContain(
      `${join(registriesD, 'a.yaml')} sets use-sigstore-attachments: false for ${host}/team`,
    );
    expect(reg.counts.signature).toBe(0);
  });
});

describe('redundant requests', () => {
  it('a digest a second resolve asks for while the first is storing it is fetched once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reads = 0;
    // The first read of the store misses at once; the second waits until the first fetch is done.
    const store = {
      get: async () => {
        if (++reads === 2) await gate;
        return undefined;
      },
      has: async () => false,
      put: async () => undefined,
      flush: async () => undefined,
    };
    const cache = new ContentCache(store);
    let fetches = 0;
    let finish!: (b: { bytes: Buffer }) => void;
    const first = cache.getOrFetch('sha256:aa', () => {
      fetches++;
      return new Promise((r) => (finish = r));
    });
    await new Promise((r) => setImmediate(r));
    const second = cache.getOrFetch('sha256:aa', async () => {
      fetches++;
      return { bytes: Buffer.from('again') };
    });
    finish({ bytes: Buffer.from('once') });
    expect((await first).bytes.toString()).toBe('once');
    release();
    expect((await second).bytes.toString()).toBe('once');
    expect(fetches).toBe(1);
  });
});
