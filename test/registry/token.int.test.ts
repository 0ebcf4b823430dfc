/**
 * A real registry delegating auth to a bearer token server (what Docker Hub, GHCR, Quay, Harbor
 * do): anonymous and credentialed tokens, identity tokens via the OAuth2 refresh grant, the
 * token cache and its expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startRegistry,
  pushImage,
  skopeoInspect,
  skopeoRawDigest,
  type TestRegistry,
  memoryBlobStore,
} from '../helpers/registry/index.js';
import { createImageSource, type ImageSourceOptions } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { AuthError } from '../../src/domain/errors.js';

let reg: TestRegistry;
let home: string;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'token' });
  await pushImage(reg, 'public/hello', '1', { seed: 'public' });
  await pushImage(reg, 'private/app', '1', { seed: 'private' });
  await pushImage(reg, 'private/app', 'multi', { multiArch: true, seed: 'private' });
  home = mkdtempSync(join(tmpdir(), 'isctl-token-home-'));
});
afterAll(async () => {
  await reg?.stop();
  rmSync(home, { recursive: true, force: true });
});

const spec = (s: string) => parsePullSpec(`${reg.host}/${s}`);
const b64 = (s: string) => Buffer.from(s).toString('base64');

function authFile(name: string, entry: Record<string, string>): string {
  const dir = join(home, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: entry } }));
  return join(dir, 'config.json');
}

function source(extra: Partial<ImageSourceOptions> = {}) {
  const requests: string[] = [];
  const src = createImageSource({
    blobs: memoryBlobStore(),
    env: { HOME: home },
    onRequest: (m, u, s) => requests.push(`${m} ${new URL(u).pathname} ${s}`),
    ...extra,
  });
  return { src, requests };
}

describe('bearer tokens', () => {
  it('anonymous token for a public repository', async () => {
    reg.tokenServer!.requests.length = 0;
    const { src } = source();
    const got = await src.resolve(spec('public/hello:1'), { insecure: true });
    const tokens = [...reg.tokenServer!.requests];
    expect(got.digest).toBe((await skopeoInspect(reg, 'public/hello:1', { creds: null })).Digest);
    expect(tokens).toEqual([
      {
        method: 'GET',
        user: null,
        service: 'isctl-test-registry',
        scopes: ['repository:public/hello:pull'],
        account: null,
      },
    ]);
    await src.close();
  });

  it('credentialed token from auth.json; one token per repository scope, cached; warm check is one HEAD', async () => {
    reg.tokenServer!.requests.length = 0;
    const { src, requests } = source({
      registryConfig: authFile('basic', { auth: b64(`${reg.username}:${reg.password}`) }),
    });
    const got = await src.resolve(spec('private/app:multi'), { insecure: true, importMode: 'PreserveOriginal' });
    const tokens = [...reg.tokenServer!.requests];
    expect(got.digest).toBe(await skopeoRawDigest(reg, 'private/app:multi'));
    reg.tokenServer!.requests.length = 0;
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({
      method: 'GET',
      user: reg.username,
      account: reg.username,
      scopes: ['repository:private/app:pull'],
    });
    requests.length = 0;
    await src.resolve(spec('private/app:multi'), { insecure: true, importMode: 'PreserveOriginal' });
    expect(requests).toEqual(['HEAD /v2/private/app/manifests/multi 200']);
    expect(await src.listTags(spec('private/app:1'), { insecure: true })).toEqual(['1', 'multi']);
    expect(reg.tokenServer!.requests).toHaveLength(0);
    await src.close();
  });

  it('requests a new token once the cached one expires', async () => {
    let now = new Date();
    const { src } = source({
      registryConfig: authFile('basic2', { auth: b64(`${reg.username}:${reg.password}`) }),
      now: () => now,
    });
    reg.tokenServer!.requests.length = 0;
    await src.resolve(spec('private/app:1'), { insecure: true });
    await src.resolve(spec('private/app:1'), { insecure: true });
    expect(reg.tokenServer!.requests).toHaveLength(1);
    now = new Date(now.getTime() + 301_000);
    await src.resolve(spec('private/app:1'), { insecure: true });
    expect(reg.tokenServer!.requests).toHaveLength(2);
    await src.close();
  });

  it('an identity token is exchanged with the OAuth2 refresh_token grant', async () => {
    reg.tokenServer!.requests.length = 0;
    const { src } = source({
      registryConfig: authFile('identity', { auth: b64('<token>:'), identitytoken: reg.tokenServer!.refreshToken }),
    });
    const got = await src.resolve(spec('private/app:1'), { insecure: true });
    const tokens = [...reg.tokenServer!.requests];
    expect(got.digest).toBe((await skopeoInspect(reg, 'private/app:1')).Digest);
    expect(tokens).toEqual([
      {
        method: 'POST',
        user: reg.username,
        grantType: 'refresh_token',
        service: 'isctl-test-registry',
        scopes: ['repository:private/app:pull'],
        account: null,
      },
    ]);
    await src.close();
  });

  it('a wrong password is refused by the token server: AuthError naming the file, no secret', async () => {
    const file = authFile('wrong', { username: reg.username!, password: 'not-the-password' });
    const { src } = source({ registryConfig: file });
    const err = (await src.resolve(spec('private/app:1'), { insecure: true }).catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain(`unauthorized: check the credentials for ${reg.host} in ${file}`);
    expect(JSON.stringify({ ...err, m: err.message, h: err.hint })).not.toContain('not-the-password');
    await src.close();
  });

  it('anonymous access to a private repository: AuthError with the login advice', async () => {
    const { src } = source();
    const err = (await src.resolve(spec('private/app:1'), { insecure: true }).catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain(
      `check the credentials for ${reg.host} (no credentials found; log in with podman login or docker login)`,
    );
    await src.close();
  });
});

describe('parallel imports', () => {
  it('share one token request per repository', async () => {
    const { src } = source({ registryConfig: authFile('parallel', { auth: b64(`${reg.username}:${reg.password}`) }) });
    await src.resolve(spec('public/hello:1'), { insecure: true }); // learn the challenge
    reg.tokenServer!.requests.length = 0;
    await Promise.all(
      ['1', 'multi', '1', 'multi'].map((t) => src.resolve(spec(`private/app:${t}`), { insecure: true })),
    );
    expect(reg.tokenServer!.requests.map((r) => r.scopes.join(' '))).toEqual(['repository:private/app:pull']);
    await src.close();
  });
});
