/**
 * Which protocol isctl speaks to a TLS registry: h2 when the server offers it by ALPN (many
 * concurrent streams on one connection, bounded), HTTP/1.1 keep-alive (one request per connection
 * at a time) when it does not, and HTTP/1.1 when HTTP/2 is turned off. Small Node servers on
 * 127.0.0.1 with a test CA record the version of every request they get.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { constants as h2c, createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, makeTlsFiles, memoryBlobStore } from '../helpers/registry/index.js';
import { createImageSource, type ImageSourceOptions } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { resolveAll } from '../../src/core/resolve-tags.js';

const img = buildImage({ seed: 'http2' });
let dir: string;
let tls: ReturnType<typeof makeTlsFiles>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isctl-h2-'));
  tls = makeTlsFiles(join(dir, 'tls'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  versions: string[];
  /** METHOD path of every request, in order of arrival. */
  requests: string[];
  connections: number;
  /** Connections the client or the server has closed. */
  closed: number;
  /** Most requests in flight at once, over all connections and on any one connection. */
  most: number;
  mostOnOneConnection: number;
  /** Closes every connection from the server's side (what an idle timeout or a restart does). */
  dropAll: () => void;
}

type Req = Http2ServerRequest | import('node:http').IncomingMessage;
type Res = Http2ServerResponse | import('node:http').ServerResponse;

/** A registry serving `img` under tag `1`, answering each request after 30 ms. */
async function serve(
  kind: 'h2' | 'h1-only',
  run: (host: string, certDir: string, seen: Seen) => Promise<void>,
  /** SETTINGS_MAX_CONCURRENT_STREAMS the h2 server advertises (Node's default otherwise). */
  maxConcurrentStreams?: number,
) {
  const seen: Seen = {
    versions: [],
    requests: [],
    connections: 0,
    closed: 0,
    most: 0,
    mostOnOneConnection: 0,
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
  };
  let inFlight = 0;
  const perSocket = new Map<object, number>();
  const sockets = new Set<Socket>();
  const handler = (req: Req, res: Res) => {
    seen.versions.push(req.httpVersion);
    seen.requests.push(`${req.method} ${req.url}`);
    // An HTTP/2 request's `socket` is a per-stream proxy: its session names the connection.
    const socket: object = 'stream' in req ? req.stream.session! : req.socket;
    inFlight++;
    perSocket.set(socket, (perSocket.get(socket) ?? 0) + 1);
    seen.most = Math.max(seen.most, inFlight);
    seen.mostOnOneConnection = Math.max(seen.mostOnOneConnection, perSocket.get(socket)!);
    setTimeout(() => {
      inFlight--;
      perSocket.set(socket, perSocket.get(socket)! - 1);
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      const m = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(path);
      const r = res as import('node:http').ServerResponse;
      if (m && m[2] === 'manifests' && (m[3] === '1' || m[3] === img.manifest.digest)) {
        r.writeHead(200, {
          'content-type': img.manifest.mediaType,
          'content-length': img.manifest.bytes.length,
          'docker-content-digest': img.manifest.digest,
        });
        return r.end(req.method === 'HEAD' ? undefined : img.manifest.bytes);
      }
      if (m && m[2] === 'blobs' && m[3] === img.config.digest) {
        r.writeHead(200, { 'content-type': 'application/octet-stream' });
        return r.end(img.config.bytes);
      }
      r.writeHead(404, { 'content-type': 'application/json' });
      r.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    }, 30);
  };
  const key = readFileSync(tls.keyFile);
  const cert = readFileSync(tls.certFile);
  const server =
    kind === 'h2'
      ? createSecureServer(
          { key, cert, allowHTTP1: true, ...(maxConcurrentStreams ? { settings: { maxConcurrentStreams } } : {}) },
          handler,
        )
      : // No ALPN protocols configured: the server picks none of h2/http1.1 offered, as an HTTP/1.1-only registry does.
        createHttpsServer({ key, cert }, handler);
  server.on('secureConnection', () => seen.connections++);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      seen.closed++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const certDir = join(dir, `certs-${kind}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(certDir, host), { recursive: true });
  writeFileSync(join(certDir, host, 'ca.crt'), readFileSync(tls.caFile));
  // The server stops itself if a test hangs.
  const stopper = setTimeout(() => server.close(), 30_000);
  try {
    await run(host, certDir, seen);
  } finally {
    clearTimeout(stopper);
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}

async function resolveMany(host: string, certDir: string, n: number, o: ImageSourceOptions = {}) {
  const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, blobs: memoryBlobStore(), ...o });
  try {
    // One first so the connection exists, then a burst.
    const first = await src.resolve(parsePullSpec(`${host}/a/b:1`));
    const rest = await Promise.all(
      Array.from({ length: n }, () => src.resolve(parsePullSpec(`${host}/a/b:1`), { unchangedIf: first.digest })),
    );
    return [first, ...rest].map((r) => r.digest);
  } finally {
    await src.close();
  }
}

/** Resolves `n` pulls of `host/a/b:1` at once, before any connection exists; every one succeeds. */
async function burst(src: ReturnType<typeof createImageSource>, host: string, n: number): Promise<void> {
  const spec = parsePullSpec(`${host}/a/b:1`);
  const answers = await resolveAll(
    src,
    Array.from({ length: n }, () => ({ source: spec, importPolicy: {} })),
  );
  expect(answers.filter((a) => !a.ok)).toEqual([]);
}

/** Resolves once the server has completed `n` TLS handshakes (bounded by the server's own stopper). */
async function handshakes(seen: Seen, n: number): Promise<void> {
  for (let i = 0; i < 200 && seen.connections < n; i++) await new Promise((r) => setTimeout(r, 10));
}

// src/registry/http.ts preconnect: refresh names the repositories it will pull from before it
// parses the streams (src/core/refresh.ts), so the TLS handshake overlaps the parsing.
describe('connections opened ahead (ImageSource.prepare)', () => {
  it('the handshake happens before any request, and the first requests use that connection', async () => {
    await serve('h2', async (host, certDir, seen) => {
      const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, blobs: memoryBlobStore() });
      try {
        src.prepare!([`${host}/a/b`]);
        await handshakes(seen, 1);
        // Connected, and nothing asked yet: no request, so no credential either.
        expect(seen.connections).toBe(1);
        expect(seen.versions).toEqual([]);
        await burst(src, host, 30);
      } finally {
        await src.close();
      }
      expect(new Set(seen.versions)).toEqual(new Set(['2.0']));
      expect(seen.connections).toBe(1);
    });
  });

  it('no connection ahead to a blocked registry, nor to one whose pulls go to a mirror first', async () => {
    await serve('h2', async (host, certDir, seen) => {
      const conf = join(dir, `registries-${Math.random().toString(36).slice(2)}.conf`);
      writeFileSync(
        conf,
        `[[registry]]\nlocation = "${host}/blocked"\nblocked = true\n\n` +
          `[[registry]]\nlocation = "${host}/mirrored"\n[[registry.mirror]]\nlocation = "127.0.0.1:9/mirror"\n`,
      );
      const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, registriesConf: conf });
      try {
        src.prepare!([`${host}/blocked/app`, `${host}/mirrored/app`]);
        // A connection ahead would be made within a few milliseconds here; wait well past that.
        await new Promise((r) => setTimeout(r, 300));
        expect(seen.connections).toBe(0);
        // The same source without those rules does connect ahead (the check above can fail).
        src.prepare!([`${host}/other/app`]);
        await handshakes(seen, 1);
        expect(seen.connections).toBe(1);
        expect(seen.versions).toEqual([]);
      } finally {
        await src.close();
      }
    });
  });

  it('a connection opened ahead and never used is closed with the source', async () => {
    await serve('h2', async (host, certDir, seen) => {
      const src = createImageSource({ certDirs: [certDir], env: { HOME: dir } });
      src.prepare!([`${host}/a/b`]);
      await handshakes(seen, 1);
      expect(seen.connections).toBe(1);
      await src.close();
      for (let i = 0; i < 200 && seen.closed < 1; i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen.closed).toBe(1);
      expect(seen.versions).toEqual([]);
    });
  });
});

describe('HTTP/2 to TLS registries', () => {
  it('a server that offers h2 gets every request over HTTP/2, concurrently on one connection', async () => {
    await serve('h2', async (host, certDir, seen) => {
      const digests = await resolveMany(host, certDir, 30);
      expect(new Set(digests)).toEqual(new Set([img.manifest.digest]));
      expect(new Set(seen.versions)).toEqual(new Set(['2.0']));
      expect(seen.connections).toBe(1);
      expect(seen.mostOnOneConnection).toBeGreaterThan(8);
    });
  });

  it('a first burst to a server that offers h2 opens one connection, not one per request', async () => {
    await serve('h2', async (host, certDir, seen) => {
      // No request first: all 30 start before any connection exists. One TLS handshake learns
      // h2 by ALPN; the others would be handshakes thrown away (CPU on both sides).
      const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, blobs: memoryBlobStore() });
      try {
        await burst(src, host, 30);
      } finally {
        await src.close();
      }
      expect(new Set(seen.versions)).toEqual(new Set(['2.0']));
      expect(seen.connections).toBe(1);
      expect(seen.mostOnOneConnection).toBeGreaterThan(8);
    });
  });

  it('a burst after every connection closed (idle, or the server went away) opens one connection again', async () => {
    await serve('h2', async (host, certDir, seen) => {
      const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, blobs: memoryBlobStore() });
      try {
        await burst(src, host, 30);
        expect(seen.connections).toBe(1);
        seen.dropAll();
        for (let i = 0; i < 200 && seen.closed < 1; i++) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, 20));
        // As at the first burst: one handshake learns h2 again, the others wait for it.
        await burst(src, host, 30);
      } finally {
        await src.close();
      }
      expect(seen.connections).toBe(2);
    });
  });

  it('a first burst to an HTTP/1.1-only server still spreads over several connections', async () => {
    await serve('h1-only', async (host, certDir, seen) => {
      const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, blobs: memoryBlobStore() });
      try {
        await burst(src, host, 40);
      } finally {
        await src.close();
      }
      expect(new Set(seen.versions)).toEqual(new Set(['1.1']));
      expect(seen.mostOnOneConnection).toBe(1);
      // Learning the protocol on one connection first must not leave HTTP/1.1 on that one connection.
      expect(seen.connections).toBe(8);
      expect(seen.most).toBe(8);
    });
  });

  it('streams per connection are bounded', async () => {
    await serve('h2', async (host, certDir, seen) => {
      await resolveMany(host, certDir, 30, { maxStreamsPerConnection: 4, maxConnectionsPerRegistry: 1 });
      expect(new Set(seen.versions)).toEqual(new Set(['2.0']));
      expect(seen.mostOnOneConnection).toBe(4);
      expect(seen.most).toBe(4);
    });
  });

  it('a server that allows fewer concurrent streams than isctl would send gets no more, and every request is answered', async () => {
    // RFC 9113 section 5.1.2: an endpoint must not open more streams than the peer's
    // SETTINGS_MAX_CONCURRENT_STREAMS; a server refuses the excess (REFUSED_STREAM). HAProxy and
    // Apache mod_http2 advertise 100 by default, some proxies fewer.
    await serve(
      'h2',
      async (host, certDir, seen) => {
        const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, blobs: memoryBlobStore() });
        try {
          // A burst before any connection exists (the server's SETTINGS not yet known), then
          // a batch on the open connection.
          await burst(src, host, 60);
          const spec = parsePullSpec(`${host}/a/b:1`);
          const answers = await resolveAll(
            src,
            Array.from({ length: 60 }, () => ({ source: spec, importPolicy: {}, unchangedIf: img.manifest.digest })),
          );
          expect(answers.filter((a) => !a.ok)).toEqual([]);
        } finally {
          await src.close();
        }
        expect(new Set(seen.versions)).toEqual(new Set(['2.0']));
        expect(seen.mostOnOneConnection).toBeLessThanOrEqual(8);
        expect(seen.requests.filter((r) => r.startsWith('HEAD ')).length, seen.requests.join('\n')).toBe(120);
      },
      8,
    );
  });

  it('a refresh-sized batch keeps the stream bound in flight: 128 at once, not fewer', async () => {
    await serve('h2', async (host, certDir, seen) => {
      const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, blobs: memoryBlobStore() });
      try {
        const first = await src.resolve(parsePullSpec(`${host}/a/b:1`));
        const spec = parsePullSpec(`${host}/a/b:1`);
        const answers = await resolveAll(
          src,
          Array.from({ length: 300 }, () => ({ source: spec, importPolicy: {}, unchangedIf: first.digest })),
        );
        expect(answers.every((a) => a.ok)).toBe(true);
      } finally {
        await src.close();
      }
      expect(new Set(seen.versions)).toEqual(new Set(['2.0']));
      expect(seen.most).toBe(128);
    });
  });

  it('over HTTP/1.1 requests beyond the connections wait before their deadline starts', async () => {
    await serve('h1-only', async (host, certDir, seen) => {
      // One connection, 30 ms an answer: the 60th request is answered after ~1.8 s, each within 1 s of being sent.
      const src = createImageSource({
        certDirs: [certDir],
        env: { HOME: dir },
        blobs: memoryBlobStore(),
        maxConnectionsPerRegistry: 1,
        timeoutMs: 1000,
      });
      try {
        const first = await src.resolve(parsePullSpec(`${host}/a/b:1`));
        const spec = parsePullSpec(`${host}/a/b:1`);
        const answers = await resolveAll(
          src,
          Array.from({ length: 60 }, () => ({ source: spec, importPolicy: {}, unchangedIf: first.digest })),
        );
        expect(answers.filter((a) => !a.ok)).toEqual([]);
      } finally {
        await src.close();
      }
      expect(seen.mostOnOneConnection).toBe(1);
    });
  });

  it('http2: false keeps a server that offers h2 on HTTP/1.1', async () => {
    await serve('h2', async (host, certDir, seen) => {
      const digests = await resolveMany(host, certDir, 10, { http2: false });
      expect(new Set(digests)).toEqual(new Set([img.manifest.digest]));
      expect(new Set(seen.versions)).toEqual(new Set(['1.1']));
      expect(seen.mostOnOneConnection).toBe(1);
    });
  });

  it('a server that does not offer h2: HTTP/1.1 keep-alive, one request per connection at a time', async () => {
    await serve('h1-only', async (host, certDir, seen) => {
      const digests = await resolveMany(host, certDir, 20);
      expect(new Set(digests)).toEqual(new Set([img.manifest.digest]));
      expect(new Set(seen.versions)).toEqual(new Set(['1.1']));
      // No HTTP/1.1 pipelining, and the connections stay bounded (8 by default).
      expect(seen.mostOnOneConnection).toBe(1);
      expect(seen.connections).toBeLessThanOrEqual(8);
    });
  });

  it('a server that refuses every stream: each request is sent again a bounded number of times, then fails naming the host', async () => {
    const key = readFileSync(tls.keyFile);
    const cert = readFileSync(tls.certFile);
    let streams = 0;
    const server = createSecureServer({ key, cert });
    server.on('stream', (stream) => {
      streams++;
      // Node reports the server's own reset as an error of that stream: expected here.
      stream.on('error', () => undefined);
      stream.close(h2c.NGHTTP2_REFUSED_STREAM);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const stopper = setTimeout(() => server.close(), 30_000);
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const certDir = join(dir, `certs-refuse-${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(certDir, host), { recursive: true });
    writeFileSync(join(certDir, host, 'ca.crt'), readFileSync(tls.caFile));
    const src = createImageSource({ certDirs: [certDir], env: { HOME: dir }, blobs: memoryBlobStore(), retries: 2 });
    const started = Date.now();
    try {
      const err = await src.resolve(parsePullSpec(`${host}/a/b:1`)).catch((e: unknown) => e);
      expect(String((err as Error).message)).toContain(`cannot reach ${host}`);
      expect(String((err as Error).message)).toContain('REFUSED_STREAM');
    } finally {
      clearTimeout(stopper);
      await src.close();
      await new Promise((r) => server.close(r));
    }
    // 8 times again after a refusal, on top of the first try and the retries of transient errors.
    expect(streams).toBeGreaterThan(1);
    expect(streams).toBeLessThanOrEqual(9 * 3);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
