/**
 * Whose secrets go where, against small loopback servers written here (HTTP and verified HTTPS):
 * the credentials and tokens of registry R go only to R and to the token realm R's own challenge
 * named; a host a redirect leads to never gets them, and its 401 is never answered with them
 * (go-containerregistry pkg/v1/remote/transport bearer.go `matchesHost`,
 * `handleCrossHostChallenge`, `validateRealmURL`; basic.go `target`); a token request with a body
 * is never redirected (bearer.go `realmRedirectCheck`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, type BuiltImage } from '../helpers/registry/images.js';
import { memoryBlobStore } from '../helpers/registry/blobs.js';
import { makeTlsFiles } from '../helpers/registry/registry.js';
import { createImageSource, type ImageSourceOptions } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { AuthError } from '../../src/domain/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
interface Seen {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}
interface Fake {
  /** host:port as a pull spec or URL names it. */
  host: string;
  seen: Seen[];
}

const servers: Server[] = [];
let dir: string;
let tls: { caFile: string; certFile: string; keyFile: string };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isctl-auth-boundaries-'));
  tls = makeTlsFiles(join(dir, 'tls'));
});
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
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A loopback server (HTTPS with the test CA when `secure`) recording every request. */
async function fake(handler: Handler, o: { secure?: boolean; name?: string } = {}): Promise<Fake> {
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      handler(req, res, body);
    });
  };
  const server = o.secure
    ? createHttpsServer({ key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile) }, listener)
    : createServer(listener);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: `${o.name ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`, seen };
}

/** Serves one image's manifest (tag `1`) and config; `blob` answers config requests instead when given. */
function registry(
  img: BuiltImage,
  o: { authorized: (a: string | undefined) => boolean; challenge: string; blob?: Handler },
): Handler {
  return (req, res, body) => {
    if (!o.authorized(req.headers.authorization)) {
      res.writeHead(401, { 'www-authenticate': o.challenge, 'content-type': 'application/json' });
      return res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (/\/manifests\/(1|sha256:)/.test(path)) {
      res.writeHead(200, {
        'content-type': img.manifest.mediaType,
        'docker-content-digest': img.manifest.digest,
        'content-length': img.manifest.bytes.length,
      });
      return res.end(req.method === 'HEAD' ? undefined : img.manifest.bytes);
    }
    if (path.endsWith(`/blobs/${img.config.digest}`)) {
      if (o.blob) return o.blob(req, res, body);
      res.writeHead(200);
      return res.end(img.config.bytes);
    }
    res.writeHead(404);
    res.end();
  };
}

/** A storage host that wants its own bearer token (realm on itself) before it hands out the config. */
function tokenStorage(img: BuiltImage, realm: () => string): Handler {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/token') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token: 'storage-token', expires_in: 300 }));
    }
    if (req.headers.authorization !== 'Bearer storage-token') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm()}",service="storage",scope="blob:read"` });
      return res.end();
    }
    res.writeHead(200);
    res.end(img.config.bytes);
  };
}

function authFile(entries: Record<string, Record<string, string>>): string {
  const file = join(dir, `auth-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ auths: entries }));
  return file;
}

/** A certs.d root trusting the test CA for each of `hosts`. */
function certsFor(...hosts: string[]): string {
  const root = join(dir, `certs-${Math.random().toString(36).slice(2)}`);
  for (const h of hosts) {
    mkdirSync(join(root, h), { recursive: true });
    writeFileSync(join(root, h, 'ca.crt'), readFileSync(tls.caFile));
  }
  return root;
}

function source(extra: Partial<ImageSourceOptions>) {
  return createImageSource({ blobs: memoryBlobStore(), env: {}, sleep: async () => undefined, ...extra });
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const leaks = (seen: Seen[], secrets: string[]) =>
  seen.filter((s) =>
    secrets.some((x) => (s.authorization ?? '').includes(x) || s.body.includes(x) || s.path.includes(x)),
  );

describe('a host a redirect leads to', () => {
  it(
    'plain HTTP, the same host name on another port: its 401 gets no credentials of the ' +
      'registry; the blob still comes with its own anonymous token',
    async () => {
      const img = buildImage({ seed: 'cross-plain' });
      let storageHost = '';
      const storage = await fake(tokenStorage(img, () => `http://${storageHost}/token`));
      storageHost = storage.host;
      const reg = await fake(
        registry(img, {
          authorized: (a) => a === basic('alice', 'hunter2'),
          challenge: 'Basic realm="registry"',
          blob: (_req, res) => {
            res.writeHead(307, { location: `http://${storage.host}/bucket/config` });
            res.end();
          },
        }),
      );
      const src = source({ registryConfig: authFile({ [reg.host]: { username: 'alice', password: 'hunter2' } }) });
      const got = await src.resolve(parsePullSpec(`${reg.host}/team/app:1`), { insecure: true });
      await src.close();
      expect(got.image.dockerImageMetadata?.Id).toBe(img.config.digest);
      // The storage host saw no Basic credentials, neither on the blob nor on its token endpoint.
      expect(leaks(storage.seen, [basic('alice', 'hunter2'), 'hunter2', 'alice'])).toEqual([]);
      expect(storage.seen.map((s) => s.path.split('?')[0])).toEqual(['/bucket/config', '/token', '/bucket/config']);
      // …and the registry never got the storage host's token.
      expect(reg.seen.filter((s) => s.authorization?.includes('storage-token'))).toEqual([]);
    },
  );

  it('verified HTTPS, another host name: the registry credentials never reach the storage realm; later registry requests carry no storage token', async () => {
    const img = buildImage({ seed: 'cross-tls' });
    let storageHost = '';
    const storage = await fake(
      tokenStorage(img, () => `https://${storageHost}/token`),
      { secure: true, name: 'localhost' },
    );
    storageHost = storage.host;
    const reg = await fake(
      registry(img, {
        authorized: (a) => a === basic('alice', 'hunter2'),
        challenge: 'Basic realm="registry"',
        blob: (_req, res) => {
          res.writeHead(302, { location: `https://${storage.host}/bucket/config?X-Amz-Signature=abc` });
          res.end();
        },
      }),
      { secure: true },
    );
    const src = source({
      registryConfig: authFile({ [reg.host]: { auth: Buffer.from('alice:hunter2').toString('base64') } }),
      certDirs: [certsFor(reg.host)],
    });
    const got = await src.resolve(parsePullSpec(`${reg.host}/team/app:1`));
    // A second resolve of the same tag: every request to the registry still uses its own credentials.
    await src.resolve(parsePullSpec(`${reg.host}/team/app@${img.manifest.digest}`));
    await src.close();
    expect(got.image.dockerImageMetadata?.Id).toBe(img.config.digest);
    expect(leaks(storage.seen, [basic('alice', 'hunter2'), 'hunter2'])).toEqual([]);
    expect(reg.seen.filter((s) => s.authorization && s.authorization !== basic('alice', 'hunter2'))).toEqual([]);
  });

  it('a storage 401 without a usable challenge is an error naming both hosts, and nothing of the registry reaches it', async () => {
    const img = buildImage({ seed: 'cross-basic' });
    const storage = await fake((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="storage"' });
      res.end();
    });
    const reg = await fake(
      registry(img, {
        authorized: (a) => a === basic('alice', 'hunter2'),
        challenge: 'Basic realm="registry"',
        blob: (_req, res) => {
          res.writeHead(307, { location: `http://${storage.host}/bucket/config` });
          res.end();
        },
      }),
    );
    const src = source({ registryConfig: authFile({ [reg.host]: { username: 'alice', password: 'hunter2' } }) });
    const err = (await src
      .resolve(parsePullSpec(`${reg.host}/team/app:1`), { insecure: true })
      .catch((e) => e)) as AuthError;
    await src.close();
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain(`${reg.host} redirected`);
    expect(err.message).toContain(`to ${storage.host}, which asks for credentials`);
    expect(storage.seen.every((s) => s.authorization === undefined)).toBe(true);
  });
});

describe('the token realm', () => {
  it('a plain-HTTP realm on the same host name but another port gets no credentials', async () => {
    const img = buildImage({ seed: 'realm-port' });
    const realm = await fake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'anonymous-token' }));
    });
    const reg = await fake(
      registry(img, {
        authorized: (a) => a === 'Bearer anonymous-token',
        challenge: `Bearer realm="http://${realm.host}/token",service="reg"`,
      }),
    );
    const src = source({ registryConfig: authFile({ [reg.host]: { username: 'alice', password: 'hunter2' } }) });
    const got = await src.resolve(parsePullSpec(`${reg.host}/team/app:1`), { insecure: true });
    await src.close();
    expect(got.digest).toBe(img.manifest.digest);
    expect(realm.seen.length).toBeGreaterThan(0);
    expect(leaks(realm.seen, [basic('alice', 'hunter2'), 'hunter2', 'account=alice'])).toEqual([]);
  });

  it('a refusal after credentials were held back says why they were not sent', async () => {
    const img = buildImage({ seed: 'realm-refuse' });
    const realm = await fake((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    const reg = await fake(
      registry(img, { authorized: () => false, challenge: `Bearer realm="http://${realm.host}/token",service="reg"` }),
    );
    const src = source({ registryConfig: authFile({ [reg.host]: { username: 'alice', password: 'hunter2' } }) });
    const err = (await src
      .resolve(parsePullSpec(`${reg.host}/team/app:1`), { insecure: true })
      .catch((e) => e)) as AuthError;
    await src.close();
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain(`were not sent to its token realm http://${realm.host}`);
    expect(err.message).toContain('only over HTTPS or to http://');
  });

  it('the refresh-token POST is never redirected: the identity token does not follow a 307', async () => {
    const img = buildImage({ seed: 'realm-307' });
    const thief = await fake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'stolen' }));
    });
    const realm = await fake(
      (_req, res) => {
        res.writeHead(307, { location: `http://${thief.host}/collect` });
        res.end();
      },
      { secure: true, name: 'localhost' },
    );
    const reg = await fake(
      registry(img, { authorized: () => false, challenge: `Bearer realm="https://${realm.host}/token",service="reg"` }),
      { secure: true },
    );
    const src = source({
      registryConfig: authFile({ [reg.host]: { identitytoken: 'refresh-s3cr3t' } }),
      certDirs: [certsFor(reg.host)],
    });
    const err = (await src.resolve(parsePullSpec(`${reg.host}/team/app:1`)).catch((e) => e)) as AuthError;
    await src.close();
    expect(realm.seen.map((s) => s.method)).toEqual(['POST']);
    expect(realm.seen[0].body).toContain('refresh_token=refresh-s3cr3t');
    expect(thief.seen).toEqual([]);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain('with a redirect (307)');
    expect(err.message).not.toContain('refresh-s3cr3t');
  });

  it('two registries naming one realm never get each other’s token', async () => {
    const img = buildImage({ seed: 'realm-shared' });
    const realm = await fake(
      (req, res) => {
        const user = Buffer.from((req.headers.authorization ?? 'Basic ').slice(6), 'base64')
          .toString()
          .split(':')[0];
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: `token-of-${user || 'nobody'}` }));
      },
      { secure: true, name: 'localhost' },
    );
    const challenge = `Bearer realm="https://${realm.host}/token",service="shared"`;
    const one = await fake(registry(img, { authorized: (a) => a === 'Bearer token-of-one', challenge }));
    const two = await fake(registry(img, { authorized: (a) => a === 'Bearer token-of-two', challenge }));
    const src = source({
      registryConfig: authFile({
        [one.host]: { username: 'one', password: 'pw-one' },
        [two.host]: { username: 'two', password: 'pw-two' },
      }),
      certDirs: [certsFor(realm.host)],
    });
    await src.resolve(parsePullSpec(`${one.host}/team/app:1`), { insecure: true });
    await src.resolve(parsePullSpec(`${two.host}/team/app:1`), { insecure: true });
    // Both challenges are known now: the next requests send a cached token at once.
    await src.resolve(parsePullSpec(`${one.host}/team/app:1`), { insecure: true });
    await src.resolve(parsePullSpec(`${two.host}/team/app:1`), { insecure: true });
    await src.close();
    expect(two.seen.filter((s) => s.authorization === 'Bearer token-of-one')).toEqual([]);
    expect(one.seen.filter((s) => s.authorization === 'Bearer token-of-two')).toEqual([]);
  });
});
