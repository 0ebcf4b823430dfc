/**
 * Reading lookaside signature storage as containers/image docker/docker_image_src.go
 * `appendSignaturesFromLookaside` / `getOneSignature` does: signature-1, -2, … until the first
 * missing one, file:// from disk and http(s):// through the registry HTTP transport (deadline,
 * body cap), no credentials sent, at most `maxLookasideSignatures` (128) of at most
 * iolimits.MaxSignatureBodySize (4 MiB) each. A loopback HTTP server written here.
 */
import fs from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../src/registry/http.js';
import { createLookasideSource, readLookasideSignatures } from '../../src/registry/lookaside.js';
import { tempDir } from '../helpers/index.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const HEX = 'ab'.repeat(32);
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const http = new HttpTransport({
  maxConnectionsPerRegistry: 2,
  http2: false,
  timeoutMs: 5000,
  retries: 0,
  maxRetryAfterMs: 0,
  sleep: async () => undefined,
});
const deps = (extra: object = {}) => ({
  send: (r: Parameters<HttpTransport['send']>[0]) => http.send(r),
  tlsFor: () => ({ rejectUnauthorized: true }),
  ...extra,
});

async function serve(handler: (req: IncomingMessage) => { status: number; body?: string | Buffer }) {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    const a = handler(req);
    res.writeHead(a.status, { 'content-type': 'application/octet-stream' });
    res.end(a.body ?? '');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('lookaside over file://', () => {
  it('reads signature-1, signature-2, … and stops at the first missing one', async () => {
    const root = tempDir('lookaside');
    const dir = path.join(root, `team/app@sha256=${HEX}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'signature-1'), 'one');
    fs.writeFileSync(path.join(dir, 'signature-2'), 'two');
    fs.writeFileSync(path.join(dir, 'signature-4'), 'after a gap: not read');
    const base = new URL(`${pathToFileURL(root).href}/team/app`);
    const sigs = await readLookasideSignatures(base, DIGEST, deps());
    expect(sigs.map((s) => Buffer.from(s).toString())).toEqual(['one', 'two']);
  });

  it('no folder for the digest: no signatures', async () => {
    const base = new URL(`${pathToFileURL(tempDir('lookaside')).href}/team/app`);
    expect(await readLookasideSignatures(base, DIGEST, deps())).toEqual([]);
  });

  it('refuses a signature file larger than the cap, and a path it cannot read', async () => {
    const root = tempDir('lookaside');
    const dir = path.join(root, `app@sha256=${HEX}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'signature-1'), Buffer.alloc(101));
    const base = new URL(`${pathToFileURL(root).href}/app`);
    await expect(readLookasideSignatures(base, DIGEST, deps({ maxBytes: 100 }))).rejects.toThrow(
      /signature .*signature-1 is larger than 100 bytes; refusing to read it/,
    );
    fs.rmSync(path.join(dir, 'signature-1'));
    fs.mkdirSync(path.join(dir, 'signature-1'));
    await expect(readLookasideSignatures(base, DIGEST, deps())).rejects.toThrow(/cannot read signature .*signature-1/);
  });
});

describe('lookaside over http://', () => {
  it('GETs signature-N until a 404, sending no credentials', async () => {
    const { base, seen } = await serve((req) =>
      req.url?.endsWith('/signature-1') || req.url?.endsWith('/signature-2')
        ? { status: 200, body: `sig ${req.url.slice(-1)}` }
        : { status: 404 },
    );
    const sigs = await readLookasideSignatures(new URL(`${base}/lookaside/team/app`), DIGEST, deps());
    expect(sigs.map((s) => Buffer.from(s).toString())).toEqual(['sig 1', 'sig 2']);
    expect(seen.map((r) => r.url)).toEqual([1, 2, 3].map((n) => `/lookaside/team/app@sha256=${HEX}/signature-${n}`));
    for (const r of seen) {
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers.cookie).toBeUndefined();
    }
  });

  it('credentials written into the lookaside URL are not sent either', async () => {
    const { base, seen } = await serve(() => ({ status: 404 }));
    const url = new URL(`${base}/sigs/app`);
    url.username = 'user';
    url.password = 'secret';
    expect(await readLookasideSignatures(url, DIGEST, deps())).toEqual([]);
    expect(seen[0].headers.authorization).toBeUndefined();
  });

  it('another status is an error naming the URL; the count and the size are bounded', async () => {
    const failing = await serve(() => ({ status: 500 }));
    await expect(readLookasideSignatures(new URL(`${failing.base}/s/app`), DIGEST, deps())).rejects.toThrow(
      `reading signature from ${failing.base}/s/app@sha256=${HEX}/signature-1: unexpected HTTP status 500`,
    );
    const endless = await serve(() => ({ status: 200, body: 'sig' }));
    await expect(
      readLookasideSignatures(new URL(`${endless.base}/s/app`), DIGEST, deps({ maxSignatures: 3 })),
    ).rejects.toThrow(/provided 3 signatures for sha256:abab.*, assuming that's unreasonable and a server error/);
    expect(endless.seen).toHaveLength(3);
    const big = await serve(() => ({ status: 200, body: Buffer.alloc(2048) }));
    await expect(
      readLookasideSignatures(new URL(`${big.base}/s/app`), DIGEST, deps({ maxBytes: 1024 })),
    ).rejects.toThrow(/is larger than 1024 bytes; refusing to read it/);
  });

  it('a scheme other than file, http and https is refused', async () => {
    await expect(readLookasideSignatures(new URL('ftp://127.0.0.1/s/app'), DIGEST, deps())).rejects.toThrow(
      `Unsupported scheme when reading signature from ftp://127.0.0.1/s/app@sha256=${HEX}/signature-1`,
    );
  });
});

describe('createLookasideSource: the registries.d folder names the lookaside of the repository contacted', () => {
  const setup = (scope: string) => {
    const root = tempDir('lookaside-source');
    const rd = path.join(root, 'registries.d');
    fs.mkdirSync(rd);
    const store = path.join(root, 'sigs');
    fs.writeFileSync(path.join(rd, 'a.yaml'), `docker:\n  ${scope}:\n    lookaside: ${pathToFileURL(store).href}\n`);
    const write = (repo: string, n: number, bytes: Uint8Array) => {
      const dir = path.join(store, `${repo}@sha256=${HEX}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `signature-${n}`), bytes);
    };
    return { rd, root, write };
  };
  const pgp = new Uint8Array([0xa3, 1, 2, 3]);

  it('reads the simple signing blobs, strips the simple-signing prefix, leaves sigstore blobs out', async () => {
    const { rd, root, write } = setup('quay.example:5000/team');
    write('team/app', 1, pgp);
    write('team/app', 2, new Uint8Array([0, ...Buffer.from('sigstore-json\n{}')]));
    write('team/app', 3, new Uint8Array([0, ...Buffer.from('simple-signing\n'), 0xa3, 9]));
    const src = createLookasideSource({ ...deps(), registriesD: rd, env: { HOME: root } });
    const got = await src.simpleSigning({
      host: 'quay.example:5000',
      repository: 'team/app',
      tag: '1.0',
      digest: DIGEST,
    });
    expect(got.map((b) => [...b])).toEqual([[...pgp], [0xa3, 9]]);
  });

  it('Docker Hub is the docker.io scope; a blob in no known format is an error naming it', async () => {
    const { rd, root, write } = setup('docker.io/library');
    write('library/busybox', 1, Buffer.from('<html>'));
    const src = createLookasideSource({ ...deps(), registriesD: rd, env: { HOME: root } });
    await expect(
      src.simpleSigning({ host: 'registry-1.docker.io', repository: 'library/busybox', tag: 'latest', digest: DIGEST }),
    ).rejects.toThrow(
      /^parsing signature file:\/\/.*library\/busybox@sha256=abab.*\/signature-1: unrecognized signature format/,
    );
  });

  it('a --registries-d folder that does not exist is an error', async () => {
    const src = createLookasideSource({
      ...deps(),
      registriesD: '/nonexistent/registries.d',
      env: { HOME: '/nonexistent' },
    });
    await expect(src.simpleSigning({ host: 'h.example', repository: 'r', digest: DIGEST })).rejects.toThrow(
      'cannot read the registries.d folder /nonexistent/registries.d: no such folder',
    );
  });
});
