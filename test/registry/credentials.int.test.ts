/**
 * Credential resolution as podman/skopeo and docker do it, with a temp HOME and fake
 * docker-credential-* helpers on PATH.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authFilePaths, findCredential, normalizeAuthKey } from '../../src/registry/credentials.js';

let home: string;
let bin: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'isctl-creds-'));
  bin = join(home, 'bin');
  mkdirSync(bin);
  // A helper that knows one server and returns an identity token for another.
  writeFileSync(
    join(bin, 'docker-credential-fake'),
    '#!/bin/sh\nin=$(cat)\ncase "$in" in\n' +
      '  reg.example) echo \'{"ServerURL":"reg.example","Username":"helperuser",' +
      '"Secret":"helperpw"}\' ;;\n' +
      '  https://index.docker.io/v1/) echo \'{"ServerURL":"x","Username":"<token>",' +
      '"Secret":"refresh-me"}\' ;;\n' +
      '  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\n',
  );
  writeFileSync(join(bin, 'docker-credential-broken'), '#!/bin/sh\necho boom >&2\nexit 3\n');
  // Answers, exits, and leaves a process behind that keeps its stdout open for 20 s.
  writeFileSync(
    join(bin, 'docker-credential-lingering'),
    '#!/bin/sh\ncat >/dev/null\nsleep 20 &\necho \'{"Username":"u","Secret":"s"}\'\n',
  );
  chmodSync(join(bin, 'docker-credential-lingering'), 0o755);
  chmodSync(join(bin, 'docker-credential-fake'), 0o755);
  chmodSync(join(bin, 'docker-credential-broken'), 0o755);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');
function file(rel: string, doc: unknown): string {
  const p = join(home, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, JSON.stringify(doc));
  return p;
}
const env = (extra: Record<string, string> = {}) => ({ HOME: home, PATH: `${bin}:${process.env.PATH}`, ...extra });

describe('which files are read', () => {
  it('explicit --registry-config or REGISTRY_AUTH_FILE is the only file', () => {
    expect(
      authFilePaths({ registryConfig: '/x/auth.json', env: { HOME: '/h', REGISTRY_AUTH_FILE: '/y' } }).map(
        (p) => p.path,
      ),
    ).toEqual(['/x/auth.json']);
    expect(authFilePaths({ env: { HOME: '/h', REGISTRY_AUTH_FILE: '/y' } }).map((p) => p.path)).toEqual(['/y']);
  });
  it('otherwise containers auth.json files, then docker config, then ~/.dockercfg', () => {
    expect(authFilePaths({ env: { HOME: '/h', XDG_RUNTIME_DIR: '/run/user/1' } }).map((p) => p.path)).toEqual([
      '/run/user/1/containers/auth.json',
      '/h/.config/containers/auth.json',
      '/h/.docker/config.json',
      '/h/.dockercfg',
    ]);
    expect(
      authFilePaths({ env: { HOME: '/h', DOCKER_CONFIG: '/d', XDG_CONFIG_HOME: '/c' } }).map((p) => p.path),
    ).toEqual(['/c/containers/auth.json', '/d/config.json', '/h/.dockercfg']);
  });
});

describe('keys', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['http://reg.example:5000', 'reg.example:5000'],
    ['https://reg.example/v2/', 'reg.example'],
    ['reg.example/ns/repo', 'reg.example/ns/repo'],
  ])('%s → %s', (key, want) => {
    expect(normalizeAuthKey(key)).toBe(want);
  });
});

describe('findCredential', () => {
  it('reads docker config auths with the Docker Hub key', async () => {
    const dir = join(home, 'hub');
    file('hub/config.json', { auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpw') } } });
    const { credential } = await findCredential('registry-1.docker.io', 'library/nginx', {
      env: env({ DOCKER_CONFIG: dir }),
    });
    expect(credential).toEqual({
      kind: 'basic',
      username: 'hubuser',
      password: 'hubpw',
      source: `in ${dir}/config.json`,
    });
  });

  it('the first file that knows the registry wins (containers auth.json before docker config)', async () => {
    file('.config/containers/auth.json', { auths: { 'reg.example': { auth: b64('podman:pw') } } });
    file('order/config.json', { auths: { 'reg.example': { auth: b64('docker:pw') } } });
    const { credential } = await findCredential('reg.example', 'a/b', {
      env: env({ DOCKER_CONFIG: join(home, 'order') }),
    });
    expect(credential).toMatchObject({ username: 'podman' });
    rmSync(join(home, '.config'), { recursive: true });
  });

  it('credHelpers beat auths; the helper gets the bare host', async () => {
    file('helpers/config.json', {
      auths: { 'reg.example': { auth: b64('stale:pw') } },
      credHelpers: { 'reg.example': 'fake' },
    });
    const { credential } = await findCredential('reg.example', 'a', {
      env: env({ DOCKER_CONFIG: join(home, 'helpers') }),
    });
    expect(credential).toEqual({
      kind: 'basic',
      username: 'helperuser',
      password: 'helperpw',
      source: 'from docker-credential-fake',
    });
  });

  it('credsStore is asked when auths has no usable entry; <token> means an identity token', async () => {
    file('store/config.json', { auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'fake' });
    const { credential } = await findCredential('docker.io', 'library/x', {
      env: env({ DOCKER_CONFIG: join(home, 'store') }),
    });
    expect(credential).toEqual({
      kind: 'identityToken',
      token: 'refresh-me',
      username: '',
      source: 'from docker-credential-fake',
    });
  });

  it('"credentials not found" from a helper is no credential, not an error', async () => {
    file('none/config.json', { credsStore: 'fake' });
    const { credential, searched } = await findCredential('other.example', 'x', {
      env: env({ DOCKER_CONFIG: join(home, 'none') }),
    });
    expect(credential).toBeUndefined();
    expect(searched).toContain(join(home, 'none', 'config.json'));
  });

  it('a failing or missing helper is an error that names it', async () => {
    file('broken/config.json', { credHelpers: { 'reg.example': 'broken' } });
    await expect(
      findCredential('reg.example', 'x', { env: env({ DOCKER_CONFIG: join(home, 'broken') }) }),
    ).rejects.toThrow(/docker-credential-broken failed for reg.example \(exit code 3\)/);
    file('missing/config.json', { credHelpers: { 'reg.example': 'nothere' } });
    await expect(
      findCredential('reg.example', 'x', { env: env({ DOCKER_CONFIG: join(home, 'missing') }) }),
    ).rejects.toThrow(/docker-credential-nothere: not found on PATH/);
  });

  it('a helper that exits leaving a process holding its stdout is read at once, not when that process ends', async () => {
    file('lingering/config.json', { credHelpers: { 'reg.example': 'lingering' } });
    const started = Date.now();
    const { credential } = await findCredential('reg.example', 'x', {
      env: env({ DOCKER_CONFIG: join(home, 'lingering') }),
    });
    expect(credential).toMatchObject({ kind: 'basic', username: 'u', password: 's' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reads the legacy ~/.dockercfg format and identity tokens', async () => {
    const legacyHome = mkdtempSync(join(tmpdir(), 'isctl-legacy-'));
    writeFileSync(
      join(legacyHome, '.dockercfg'),
      JSON.stringify({ 'https://reg.example': { auth: b64('old:pw'), identitytoken: 'idt' } }),
    );
    const { credential } = await findCredential('reg.example', 'x', { env: { HOME: legacyHome } });
    expect(credential).toEqual({
      kind: 'identityToken',
      token: 'idt',
      username: 'old',
      source: `in ${legacyHome}/.dockercfg`,
    });
    rmSync(legacyHome, { recursive: true, force: true });
  });

  it('a malformed file is reported without echoing its content', async () => {
    const p = file('bad/config.json', {});
    writeFileSync(p, '{"auths": {"reg.example": {"auth": "c2VjcmV0"}');
    const err = (await findCredential('reg.example', 'x', { env: env({ DOCKER_CONFIG: join(home, 'bad') }) }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toContain(`cannot read credentials from ${p}`);
    expect(err.message).not.toContain('c2VjcmV0');
  });
});
