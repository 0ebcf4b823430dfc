/**
 * Behaviour a real Distribution 2.8 cannot show on demand, against small loopback HTTP servers:
 * cross-host redirects without Authorization, 429 + Retry-After, Link pagination, a HEAD without
 * Docker-Content-Digest, oversized and tampered manifests, several challenges in one header.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { buildImage, type BuiltImage, memoryBlobStore } from '../helpers/registry/index.js';
import { createImageSource, type ImageSourceOptions } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { IntegrityError, RegistryError } from '../../src/domain/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
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

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A tiny registry serving one image under tag `1`; `hook` may answer first. */
function registryHandler(
  img: BuiltImage,
  hook?: (req: IncomingMessage, res: ServerResponse) => boolean,
  opts: { omitDigest?: boolean } = {},
): Handler {
  return (req, res) => {
    if (hook?.(req, res)) return;
    const path = new URL(req.url!, 'http://x').pathname;
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(path);
    if (m && m[2] === 'manifests' && (m[3] === '1' || m[3] === img.manifest.digest)) {
      res.writeHead(200, {
        'content-type': img.manifest.mediaType,
        'content-length': img.manifest.bytes.length,
        ...(opts.omitDigest ? {} : { 'docker-content-digest': img.manifest.digest }),
      });
      return res.end(req.method === 'HEAD' ? undefined : img.manifest.bytes);
    }
    if (m && m[2] === 'blobs' && m[3] === img.config.digest) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(img.config.bytes);
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
  };
}

function source(extra: Partial<ImageSourceOptions> = {}) {
  const requests: string[] = [];
  const src = createImageSource({
    blobs: memoryBlobStore(),
    env: {},
    sleep: async () => undefined,
    onRequest: (m, u, s) => requests.push(`${m} ${u} ${s}`),
    ...extra,
  });
  return { src, requests };
}

describe('redirects', () => {
  it('a blob redirect to another host carries no Authorization header', async () => {
    const img = buildImage({ seed: 'redirect' });
    const seenByStorage: (string | undefined)[] = [];
    const storage = await serve((req, res) => {
      seenByStorage.push(req.headers.authorization);
      res.writeHead(200);
      res.end(img.config.bytes);
    });
    const seenByRegistry: (string | undefined)[] = [];
    const host = await serve(
      registryHandler(img, (req, res) => {
        seenByRegistry.push(req.headers.authorization);
        if (!req.headers.authorization) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' });
          res.end();
          return true;
        }
        if (req.url!.includes('/blobs/')) {
          res.writeHead(307, {
            location: `http://localhost:${storage.split(':')[1]}/bucket/blob?X-Amz-Signature=s3cr3t`,
          });
          res.end();
          return true;
        }
        return false;
      }),
    );
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/isctl-redirect-');
    writeFileSync(
      `${dir}/auth.json`,
      JSON.stringify({ auths: { [host]: { auth: Buffer.from('u:p').toString('base64') } } }),
    );
    const { src, requests } = source({ registryConfig: `${dir}/auth.json` });
    const got = await src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true });
    expect(got.image.dockerImageMetadata?.Id).toBe(img.config.digest);
    expect(seenByStorage).toEqual([undefined]);
    expect(seenByRegistry.filter(Boolean).length).toBeGreaterThan(0);
    // The signed storage URL is redacted wherever isctl reports it.
    expect(requests.find((r) => r.includes('/bucket/'))).toContain('X-Amz-Signature=REDACTED');
    await src.close();
  });
});

describe('retries', () => {
  it('429 with Retry-After is retried after the delay the registry asked for', async () => {
    const img = buildImage({ seed: 'retry' });
    let throttled = 0;
    const host = await serve(
      registryHandler(img, (req, res) => {
        if (req.method === 'HEAD' && throttled < 2) {
          throttled++;
          res.writeHead(429, { 'retry-after': '2' });
          res.end();
          return true;
        }
        return false;
      }),
    );
    const sleeps: number[] = [];
    const { src, requests } = source({ sleep: async (ms) => void sleeps.push(ms) });
    const got = await src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true });
    expect(got.digest).toBe(img.manifest.digest);
    expect(sleeps).toEqual([2000, 2000]);
    // (the first, failed HTTPS attempt of an insecure registry is reported with status 0)
    expect(requests.filter((r) => r.startsWith('HEAD') && !r.endsWith(' 0')).map((r) => r.split(' ')[2])).toEqual([
      '429',
      '429',
      '200',
    ]);
    await src.close();
  });

  it('gives up after the configured retries with a transient error; Retry-After is capped', async () => {
    const host = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '3600' });
      res.end();
    });
    const sleeps: number[] = [];
    const { src } = source({ retries: 2, maxRetryAfterMs: 5000, sleep: async (ms) => void sleeps.push(ms) });
    const err = (await src
      .resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true })
      .catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.transient).toBe(true);
    expect(err.status).toBe(503);
    expect(sleeps).toEqual([5000, 5000]);
    await src.close();
  });

  it('really waits for Retry-After when no sleep is injected', async () => {
    const img = buildImage({ seed: 'wait' });
    let first = true;
    const host = await serve(
      registryHandler(img, (_req, res) => {
        if (first) {
          first = false;
          res.writeHead(429, { 'retry-after': '1' });
          res.end();
          return true;
        }
        return false;
      }),
    );
    const src = createImageSource({ env: {} });
    const t0 = Date.now();
    await src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    await src.close();
  });
});

describe('tag pagination', () => {
  it('follows relative Link headers over several pages and stops on a loop', async () => {
    const pages: Record<string, { tags: string[]; next?: string }> = {
      '': { tags: ['c', 'a'], next: '</v2/a/b/tags/list?last=a&n=2>; rel="next"' },
      a: { tags: ['b', 'a'], next: '</v2/a/b/tags/list?last=b&n=2>; rel="next"' },
      b: { tags: ['d'], next: '</v2/a/b/tags/list?last=b&n=2>; rel="next"' },
    };
    const asked: string[] = [];
    const host = await serve((req, res) => {
      const u = new URL(req.url!, 'http://x');
      asked.push(u.search);
      const page = pages[u.searchParams.get('last') ?? ''];
      res.writeHead(200, { 'content-type': 'application/json', ...(page.next ? { link: page.next } : {}) });
      res.end(JSON.stringify({ name: 'a/b', tags: page.tags }));
    });
    const { src } = source();
    expect(await src.listTags(parsePullSpec(`${host}/a/b:1`), { insecure: true })).toEqual(['a', 'b', 'c', 'd']);
    expect(asked).toEqual(['?n=1000', '?last=a&n=2', '?last=b&n=2']);
    await src.close();
  });
});

describe('odd registries', () => {
  it('a HEAD without Docker-Content-Digest falls back to GET and hashes the bytes', async () => {
    const img = buildImage({ seed: 'nodigest' });
    const host = await serve(registryHandler(img, undefined, { omitDigest: true }));
    const { src, requests } = source();
    const got = await src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true });
    expect(got.digest).toBe(img.manifest.digest);
    expect(requests.filter((r) => !r.endsWith(' 0')).map((r) => r.split(' ')[0])).toEqual(['HEAD', 'GET', 'GET']);
    await src.close();
  });

  it('a registry that does not allow HEAD (405) is read with GET', async () => {
    const img = buildImage({ seed: 'nohead' });
    const host = await serve(
      registryHandler(img, (req, res) => {
        if (req.method !== 'HEAD') return false;
        res.writeHead(405);
        res.end();
        return true;
      }),
    );
    const { src } = source();
    await expect(src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true })).resolves.toMatchObject({
      digest: img.manifest.digest,
    });
    await src.close();
  });

  it('refuses a manifest whose bytes do not match the digest', async () => {
    const img = buildImage({ seed: 'tamper' });
    const other = buildImage({ seed: 'other' });
    const host = await serve(
      registryHandler(img, (req, res) => {
        if (req.method === 'GET' && req.url!.includes('/manifests/')) {
          res.writeHead(200, { 'content-type': img.manifest.mediaType });
          res.end(other.manifest.bytes);
          return true;
        }
        return false;
      }),
    );
    const { src } = source();
    const err = await src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/content integrity error.*does not match/);
    await src.close();
  });

  it('refuses a manifest larger than 4 MiB', async () => {
    const img = buildImage({ seed: 'big' });
    const host = await serve(
      registryHandler(img, (req, res) => {
        if (req.method === 'GET' && req.url!.includes('/manifests/')) {
          res.writeHead(200, { 'content-type': img.manifest.mediaType });
          res.end(Buffer.alloc(5 << 20, 32));
          return true;
        }
        return false;
      }),
    );
    const { src } = source();
    await expect(src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true })).rejects.toThrow(/larger than 4 MiB/);
    await src.close();
  });

  it('picks Basic out of several challenges with quoted commas', async () => {
    const img = buildImage({ seed: 'challenges' });
    const host = await serve(
      registryHandler(img, (req, res) => {
        if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
          res.writeHead(401, { 'www-authenticate': ['Negotiate', 'Basic realm="a, b \\"c\\"", charset="UTF-8"'] });
          res.end();
          return true;
        }
        return false;
      }),
    );
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/isctl-chal-');
    writeFileSync(`${dir}/auth.json`, JSON.stringify({ auths: { [host]: { username: 'u', password: 'p' } } }));
    const { src } = source({ registryConfig: `${dir}/auth.json` });
    await expect(src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true })).resolves.toMatchObject({
      digest: img.manifest.digest,
    });
    await src.close();
  });
});

describe('connections', () => {
  it('sends every request through an injected undici dispatcher', async () => {
    const img = buildImage({ seed: 'dispatcher' });
    const host = await serve(registryHandler(img));
    const seen: string[] = [];
    const agent = new Agent();
    const dispatcher = agent.compose((dispatch) => (opts, handler) => {
      seen.push(`${opts.method} ${opts.path}`);
      return dispatch(opts, handler);
    });
    const { src } = source({ dispatcher });
    await src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true });
    // HEAD over HTTPS (fails: plain server), HEAD over HTTP, GET manifest, GET config
    expect(seen.filter((r) => r.includes('/a/b/')).map((r) => r.split(' ')[0])).toEqual(['HEAD', 'HEAD', 'GET', 'GET']);
    await src.close();
    await agent.close();
  });

  it('keeps one connection alive across HEADs (undici closes after HEAD unless told not to)', async () => {
    const img = buildImage({ seed: 'keepalive' });
    const ports = new Set<number>();
    const host = await serve(
      registryHandler(img, (req) => {
        ports.add(req.socket.remotePort!);
        return false;
      }),
    );
    const { src } = source();
    for (let i = 0; i < 20; i++) await src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true });
    // 22 requests; without `reset: false` every HEAD would open a new socket (20+). undici may
    // open a second socket while the first is being released, never more.
    expect(ports.size).toBeLessThanOrEqual(2);
    await src.close();
  });

  it('never has more requests in flight per registry than maxConnectionsPerRegistry', async () => {
    const img = buildImage({ seed: 'bounded' });
    let inFlight = 0;
    let most = 0;
    const host = await serve((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        registryHandler(img)(req, res);
      }, 20);
    });
    const { src } = source({ maxConnectionsPerRegistry: 2 });
    await src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true });
    await Promise.all(
      Array.from({ length: 10 }, () => src.resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true })),
    );
    expect(most).toBe(2);
    await src.close();
  });

  it('a registry that never answers times out with a transient error', async () => {
    const host = await serve(() => undefined);
    const { src } = source({ timeoutMs: 300, retries: 1 });
    const err = (await src
      .resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true })
      .catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.message).toMatch(/^timeout: 127\.0\.0\.1:\d+ gave no complete answer to HEAD /);
    expect(err.transient).toBe(true);
    await src.close();
  });
});
