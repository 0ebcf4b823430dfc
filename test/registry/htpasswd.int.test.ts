/**
 * A real registry with htpasswd (bcrypt) Basic auth: credentials from the files podman/docker
 * write, a credential helper on PATH, and errors that help without ever showing the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startRegistry,
  pushImage,
  skopeoInspect,
  type TestRegistry,
  memoryBlobStore,
} from '../helpers/registry/index.js';
import { createImageSource, type ImageSourceOptions } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { AuthError } from '../../src/domain/errors.js';

let reg: TestRegistry;
let home: string;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'htpasswd' });
  await pushImage(reg, 'private/app', '1.0', { seed: 'htpasswd' });
  home = mkdtempSync(join(tmpdir(), 'isctl-home-'));
});
afterAll(async () => {
  await reg?.stop();
  rmSync(home, { recursive: true, force: true });
});

const spec = () => parsePullSpec(`${reg.host}/private/app:1.0`);
const b64 = (s: string) => Buffer.from(s).toString('base64');

function writeJson(path: string, doc: unknown): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

function source(env: Record<string, string | undefined>, extra: Partial<ImageSourceOptions> = {}) {
  const requests: string[] = [];
  const src = createImageSource({
    blobs: memoryBlobStore(),
    env: { HOME: home, PATH: process.env.PATH, ...env },
    onRequest: (m, u, s) => requests.push(`${m} ${new URL(u).pathname} ${s}`),
    ...extra,
  });
  return { src, requests };
}

describe('Basic auth', () => {
  it('reads --registry-config (auth base64) and matches skopeo; warm checks send Basic up front', async () => {
    const file = writeJson(join(home, 'explicit', 'auth.json'), {
      auths: { [reg.host]: { auth: b64(`${reg.username}:${reg.password}`) } },
    });
    const { src, requests } = source({}, { registryConfig: file });
    const got = await src.resolve(spec(), { insecure: true });
    expect(got.digest).toBe((await skopeoInspect(reg, 'private/app:1.0')).Digest);
    requests.length = 0;
    await src.resolve(spec(), { insecure: true });
    expect(requests).toEqual(['HEAD /v2/private/app/manifests/1.0 200']);
    await src.close();
  });

  it('reads REGISTRY_AUTH_FILE with username/password fields', async () => {
    const file = writeJson(join(home, 'env', 'auth.json'), {
      auths: { [`http://${reg.host}`]: { username: reg.username, password: reg.password } },
    });
    const { src } = source({ REGISTRY_AUTH_FILE: file });
    await expect(src.resolve(spec(), { insecure: true })).resolves.toMatchObject({
      topMediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    await src.close();
  });

  it('prefers the most specific namespace key in containers auth.json', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'isctl-xdg-'));
    writeJson(join(xdg, 'containers', 'auth.json'), {
      auths: {
        [reg.host]: { auth: b64(`${reg.username}:wrong`) },
        [`${reg.host}/private`]: { auth: b64(`${reg.username}:${reg.password}`) },
      },
    });
    const { src } = source({ XDG_RUNTIME_DIR: xdg });
    await expect(src.resolve(spec(), { insecure: true })).resolves.toBeTruthy();
    await src.close();
    rmSync(xdg, { recursive: true, force: true });
  });

  it('runs a docker-credential helper named in credHelpers with the host on stdin', async () => {
    const bin = join(home, 'bin');
    mkdirSync(bin, { recursive: true });
    const log = join(home, 'helper.log');
    writeFileSync(
      join(bin, 'docker-credential-isctltest'),
      `#!/bin/sh\ninput=$(cat)\necho "$1 $input" >> ${log}\n` +
        `if [ "$input" = "${reg.host}" ]; then printf '{"ServerURL":"%s",` +
        `"Username":"${reg.username}","Secret":"${reg.password}"}' "$input"; else echo ` +
        `"credentials not found in native keychain"; exit 1; fi\n`,
    );
    chmodSync(join(bin, 'docker-credential-isctltest'), 0o755);
    const dockerDir = join(home, 'docker-helper');
    writeJson(join(dockerDir, 'config.json'), { auths: {}, credHelpers: { [reg.host]: 'isctltest' } });
    const { src } = source({ DOCKER_CONFIG: dockerDir, PATH: `${bin}:${process.env.PATH}` });
    await expect(src.resolve(spec(), { insecure: true })).resolves.toBeTruthy();
    await src.close();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(log, 'utf8')).toBe(`get ${reg.host}\n`);
  });
});

describe('auth failures', () => {
  it('a wrong password gives an AuthError naming the host and the file, never the password', async () => {
    const secret = 'hunter2-very-secret';
    const file = writeJson(join(home, 'wrong', 'config.json'), {
      auths: { [reg.host]: { auth: b64(`${reg.username}:${secret}`) } },
    });
    const { src } = source({}, { registryConfig: file });
    const err = (await src.resolve(spec(), { insecure: true }).catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.reason).toBe('Unauthorized');
    expect(err.status).toBe(401);
    expect(err.message).toBe(
      `unauthorized: check the credentials for ${reg.host} in ${file} (${reg.host}/private/app:1.0)`,
    );
    expect(err.hint).toBe(
      `the credentials were read in ${file}; log in again with podman login or docker login if they changed`,
    );
    const everything = JSON.stringify({ ...err, message: err.message, hint: err.hint, stack: err.stack });
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(b64(`${reg.username}:${secret}`));
    await src.close();
  });

  it('no credentials anywhere: the hint says how to log in', async () => {
    const { src } = source({ HOME: mkdtempSync(join(tmpdir(), 'isctl-empty-')) });
    const err = (await src.resolve(spec(), { insecure: true }).catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toContain('no credentials found; log in with podman login or docker login');
    expect(err.hint).toBe('log in with podman login or docker login, or pass --registry-config FILE');
    await src.close();
  });

  it('an explicit registry config that does not exist is reported, not ignored', async () => {
    const { src } = source({}, { registryConfig: join(home, 'nope.json') });
    await expect(src.resolve(spec(), { insecure: true })).rejects.toThrow(/nope\.json does not exist/);
    await src.close();
  });
});
