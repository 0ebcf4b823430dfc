/**
 * Secrets and trust: TLS is verified unless --insecure; the registry passwords and
 * tokens the suite uses never appear in any stdout, stderr, log line, diff, state file or image
 * cache file (after htpasswd and token-auth runs, failing ones included); names with `..`, `/`
 * or control characters are refused; a symbolic link leading outside the state folder is never
 * written through; file modes are kept; an image-cache file that does not match its digest is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startRegistry,
  pushImage,
  skopeoRawDigest,
  type TestRegistry,
  startFaultProxy,
} from '../helpers/registry/index.js';
import {
  badCacheFiles,
  useCliSnapshot,
  getStream,
  listFiles,
  runCli,
  spawnCli,
  statusTag,
  tempDir,
  type CliResult,
} from '../helpers/index.js';

const dirs: string[] = [];
function dir(prefix: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function authFile(d: string, host: string, user: string, pass: string): string {
  const f = join(d, 'auth.json');
  writeFileSync(f, JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } }), {
    mode: 0o600,
  });
  return f;
}

/** Fails when any secret (or its base64 / URL-encoded form) occurs in `text`; `where` names the place. */
function expectNoSecret(secrets: string[], text: string, where: string): void {
  for (const s of secrets) {
    for (const form of new Set([s, encodeURIComponent(s), Buffer.from(s).toString('base64')])) {
      if (text.includes(form)) expect.fail(`a credential (${form.slice(0, 4)}…) appears in ${where}`);
    }
  }
}

/** Scans the CLI output of every run and every file of the state folder (image cache included). */
function scanAll(secrets: string[], runs: [string, CliResult][], stateDir: string, skip: string[] = []): number {
  for (const [name, r] of runs) {
    expectNoSecret(secrets, r.stdout, `stdout of ${name}`);
    expectNoSecret(secrets, r.stderr, `stderr of ${name}`);
  }
  let scanned = 0;
  for (const f of listFiles(stateDir)) {
    if (skip.includes(f)) continue;
    expectNoSecret(secrets, readFileSync(join(stateDir, f)).toString('latin1'), f);
    scanned++;
  }
  return scanned;
}

describe('TLS trust', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ mode: 'tls' });
    await pushImage(reg, 'team/app', '1.0', { seed: 'tls' });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('refuses a registry whose certificate is not trusted, with a message naming --insecure', async () => {
    const d = dir('tls');
    const creds = authFile(d, reg.host, reg.username ?? 'x', reg.password ?? 'x');
    const r = await runCli(
      ['import-image', 's:1.0', `--from=${reg.host}/team/app:1.0`, '--confirm', '--registry-config', creds],
      { dir: d },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certificate|x509/i);
    expect(r.stderr).toMatch(/--insecure/);
    expect(statusTag(await getStream(d, 's'), '1.0')?.items ?? []).toEqual([]);
  });

  it('imports from it with --insecure, or without it once its CA is trusted (certs.d, NODE_EXTRA_CA_CERTS)', async () => {
    const oracle = await skopeoRawDigest(reg, 'team/app:1.0');
    const d = dir('tls-ok');
    const creds = authFile(d, reg.host, reg.username ?? 'x', reg.password ?? 'x');
    const insecure = await runCli(
      [
        'import-image',
        's:1.0',
        `--from=${reg.host}/team/app:1.0`,
        '--confirm',
        '--insecure',
        '--registry-config',
        creds,
      ],
      { dir: d },
    );
    expect(insecure.stderr).toBe('');
    expect(statusTag(await getStream(d, 's'), '1.0')?.items?.[0]?.image).toBe(oracle);
    // ~/.config/containers/certs.d/<host>/ca.crt (HOME is the state folder in these runs).
    const d2 = dir('tls-certsd');
    const creds2 = authFile(d2, reg.host, reg.username ?? 'x', reg.password ?? 'x');
    mkdirSync(join(d2, '.config', 'containers', 'certs.d', reg.host), { recursive: true });
    writeFileSync(join(d2, '.config', 'containers', 'certs.d', reg.host, 'ca.crt'), readFileSync(reg.caFile!));
    const certsd = await runCli(
      ['import-image', 't:1.0', `--from=${reg.host}/team/app:1.0`, '--confirm', '--registry-config', creds2],
      { dir: d2 },
    );
    expect(certsd.stderr).toBe('');
    expect(statusTag(await getStream(d2, 't'), '1.0')?.items?.[0]?.image).toBe(oracle);
    // NODE_EXTRA_CA_CERTS is read by Node at start-up: run the built CLI as a process.
    const cli = useCliSnapshot();
    const d3 = dir('tls-extra');
    const creds3 = authFile(d3, reg.host, reg.username ?? 'x', reg.password ?? 'x');
    const p = await spawnCli(
      ['import-image', 'u:1.0', `--from=${reg.host}/team/app:1.0`, '--confirm', '--registry-config', creds3],
      { dir: d3, env: { NODE_EXTRA_CA_CERTS: reg.caFile } },
    ).done;
    cli.remove();
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(statusTag(await getStream(d3, 'u'), '1.0')?.items?.[0]?.image).toBe(oracle);
  }, 60_000);
});

describe('credentials never leak', () => {
  it('htpasswd: no password in any output, log line, diff, state file or image-cache file, failing runs included', async () => {
    const reg = await startRegistry({ mode: 'htpasswd' });
    const proxy = await startFaultProxy(reg.url);
    try {
      await pushImage(reg, 'team/app', '1.0', { seed: 'secret-a' });
      await pushImage(reg, 'team/app', '2.0', { seed: 'secret-b' });
      const d = dir('htpasswd');
      const creds = authFile(d, reg.host, reg.username!, reg.password!);
      const wrong = authFile(dir('wrong'), reg.host, reg.username!, 'not-the-password-9f8e7d');
      const proxyCreds = join(d, 'proxy-auth.json');
      writeFileSync(
        proxyCreds,
        JSON.stringify({
          auths: { [proxy.host]: { auth: Buffer.from(`${reg.username}:${reg.password}`).toString('base64') } },
        }),
      );
      const runs: [string, CliResult][] = [];
      const go = async (name: string, argv: string[], env?: Record<string, string>) => {
        const r = await runCli(argv, { dir: d, env: env });
        runs.push([name, r]);
        return r;
      };
      expect(
        (
          await go('import', [
            'import-image',
            's:1.0',
            `--from=${reg.host}/team/app:1.0`,
            '--confirm',
            '--insecure',
            '--registry-config',
            creds,
            '-v',
            '9',
          ])
        ).code,
      ).toBe(0);
      expect(
        (
          await go('tag', ['tag', `${reg.host}/team/app:2.0`, 's:2.0', '--insecure', '--scheduled'], {
            REGISTRY_AUTH_FILE: creds,
          })
        ).code,
      ).toBe(0);
      expect((await go('import 2.0', ['import-image', 's:2.0', '--registry-config', creds])).code).toBe(0);
      expect((await go('refresh', ['refresh', '--registry-config', creds, '-v', '9'])).code).toBe(0);
      expect((await go('describe', ['describe', 'is', 's'])).code).toBe(0);
      // Failing runs: a wrong password, a missing tag, no credentials, a registry answering 500.
      expect(
        (
          await go('wrong password', [
            'import-image',
            'w:1.0',
            `--from=${reg.host}/team/app:1.0`,
            '--confirm',
            '--insecure',
            '--registry-config',
            wrong.replace(/auth\.json$/, 'auth.json'),
          ])
        ).code,
      ).toBe(1);
      const wrongText = readFileSync(wrong, 'utf8');
      expect(wrongText).toContain(Buffer.from(`${reg.username}:not-the-password-9f8e7d`).toString('base64'));
      expect(
        (
          await go('missing tag', [
            'import-image',
            'm:nope',
            `--from=${reg.host}/team/app:nope`,
            '--confirm',
            '--insecure',
            '--registry-config',
            creds,
            '-v',
            '9',
          ])
        ).code,
      ).toBe(1);
      expect(
        (
          await go('no credentials', [
            'import-image',
            'n:1.0',
            `--from=${reg.host}/team/app:1.0`,
            '--confirm',
            '--insecure',
          ])
        ).code,
      ).toBe(1);
      proxy.program({ match: { path: /\/manifests\//, authorized: true }, fault: { kind: 'status', status: 500 } });
      expect(
        (
          await go('registry 500', [
            'import-image',
            'p:1.0',
            `--from=${proxy.host}/team/app:1.0`,
            '--confirm',
            '--insecure',
            '--registry-config',
            proxyCreds,
            '-v',
            '9',
          ])
        ).code,
      ).toBe(1);
      // serve re-imports the scheduled tag with the credentials and logs it (JSON lines on stderr).
      await pushImage(reg, 'team/app', '2.0', { seed: 'secret-c' });
      const served = await go('serve --once', [
        'serve',
        '--once',
        '--registry-config',
        creds,
        '--log-format',
        'json',
        '-v',
        '9',
      ]);
      expect(served.code).toBe(1); // kubectl-diff style: 1 = something changed
      expect(served.stderr.split('\n').filter(Boolean).length).toBeGreaterThan(0);
      expect(proxy.requests.some((x) => x.authorization)).toBe(true);
      const secrets = [reg.password!, 'not-the-password-9f8e7d', `${reg.username}:${reg.password}`];
      // The credentials files themselves are the user's; everything isctl wrote is scanned.
      const scanned = scanAll(secrets, runs, d, ['auth.json', 'proxy-auth.json']);
      expect(scanned).toBeGreaterThan(3);
      expect(listFiles(d).some((f) => f.startsWith('.isctl/blobs/'))).toBe(true);
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  }, 120_000);

  it('token auth: no password and no bearer token in any output or file, failing runs included', async () => {
    const reg = await startRegistry({ mode: 'token' });
    const proxy = await startFaultProxy(reg.url);
    try {
      await pushImage(reg, 'team/app', '1.0', { seed: 'token-a' });
      const d = dir('token');
      const creds = join(d, 'auth.json');
      writeFileSync(
        creds,
        JSON.stringify({
          auths: { [proxy.host]: { auth: Buffer.from(`${reg.username}:${reg.password}`).toString('base64') } },
        }),
      );
      const runs: [string, CliResult][] = [];
      const go = async (name: string, argv: string[]) => {
        const r = await runCli(argv, { dir: d });
        runs.push([name, r]);
        return r;
      };
      expect(
        (
          await go('import', [
            'import-image',
            's:1.0',
            `--from=${proxy.host}/team/app:1.0`,
            '--confirm',
            '--insecure',
            '--registry-config',
            creds,
            '-v',
            '9',
          ])
        ).code,
      ).toBe(0);
      expect((await go('refresh', ['refresh', '--registry-config', creds, '-v', '9'])).code).toBe(0);
      expect(
        (
          await go('missing', [
            'import-image',
            'm:x',
            `--from=${proxy.host}/team/app:x`,
            '--confirm',
            '--insecure',
            '--registry-config',
            creds,
            '-v',
            '9',
          ])
        ).code,
      ).toBe(1);
      reg.tokenServer!.failNext(2, 401);
      proxy.program({
        match: { path: /\/manifests\// },
        fault: {
          kind: 'status',
          status: 401,
          headers: {
            'www-authenticate':
              `Bearer realm="${reg.tokenServer!.url}",service="${reg.tokenServer!.service}",` +
              `scope="repository:team/app:pull",error="invalid_token"`,
          },
        },
        times: 1,
      });
      expect(
        (await go('rejected token', ['import-image', 's:1.0', '--registry-config', creds, '-v', '9'])).code,
      ).toBeGreaterThanOrEqual(0);
      const tokens = proxy.requests
        .map((x) => x.authorizationHeader)
        .filter((h): h is string => !!h?.startsWith('Bearer '))
        .map((h) => h.slice(7));
      expect(tokens.length).toBeGreaterThan(0);
      const secrets = [
        reg.password!,
        `${reg.username}:${reg.password}`,
        ...new Set(tokens),
        ...(reg.tokenServer!.refreshToken ? [reg.tokenServer!.refreshToken] : []),
      ];
      scanAll(secrets, runs, d, ['auth.json']);
    } finally {
      await proxy.stop();
      await reg.stop();
    }
  }, 120_000);
});

describe('names that could escape the folder or fool a terminal', () => {
  const bad = ['..', '../evil', 'a/b', 'a/b/c', 'a..b', 'x\ny', 'x\u001b[31my', 'x\u0000y', '.hidden', 'UPPER'];
  it.each(bad.map((n) => [JSON.stringify(n), n]))(
    'refuses the stream name %s in create, tag, import-image and apply',
    async (_label, name) => {
      const d = dir('names');
      const runs = [await runCli(['create', 'imagestream', name], { dir: d })];
      // In tag and import-image arguments one `/` separates a namespace ("a/b" is stream b of namespace a).
      if (name !== 'a/b') {
        runs.push(await runCli(['tag', '--reference', 'registry.example.com/a/b:1', `${name}:1`], { dir: d }));
        runs.push(await runCli(['import-image', `${name}:1`, '--from=oci:./nowhere:1', '--confirm'], { dir: d }));
      }
      const input = join(dir('names-input'), 'in.json');
      writeFileSync(
        input,
        JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name } }),
      );
      runs.push(await runCli(['apply', '-f', input], { dir: d }));
      for (const r of runs) {
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/invalid|must|refus/i);
        // The refused name is not echoed raw: no control characters reach the terminal.
        expect(r.stderr).not.toMatch(/[\u0000\u001b]/);
      }
      expect(listFiles(d).filter((f) => !f.startsWith('.isctl/'))).toEqual([]);
      expect(existsSync(join(d, '..', 'evil.yaml'))).toBe(false);
    },
  );

  it.each([['..'], ['../../evil'], ['a/b'], ['x\ny'], ['x\u001bz']])(
    'refuses the namespace %j (it becomes a folder name) in create, tag and apply',
    async (ns) => {
      const d = dir('namespaces');
      const input = join(dir('ns-input'), 'in.json');
      writeFileSync(
        input,
        JSON.stringify({
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name: 'ok', namespace: ns },
        }),
      );
      const runs = [
        await runCli(['create', 'imagestream', 'ok', '-n', ns], { dir: d }),
        await runCli(['tag', '--reference', 'registry.example.com/a/b:1', 'ok:1', '-n', ns], { dir: d }),
        await runCli(['apply', '-f', input], { dir: d }),
      ];
      for (const r of runs) {
        expect(r.code).not.toBe(0);
        expect(r.stderr).not.toMatch(/[\u0000\u001b]/);
      }
      expect(listFiles(d).filter((f) => !f.startsWith('.isctl/'))).toEqual([]);
      // imagestreams/<ns>/ok.yaml with ns "../../evil" would land next to the state folder.
      expect(existsSync(join(d, '..', 'evil', 'ok.yaml'))).toBe(false);
    },
  );

  it.each([['..'], ['a/b'], ['x\ny'], ['-x'], ['x'.repeat(129)]])('refuses the tag name %j', async (tag) => {
    const d = dir('tagnames');
    const r = await runCli(['tag', '--reference', 'registry.example.com/a/b:1', `s:${tag}`], { dir: d });
    expect(r.code).not.toBe(0);
    expect(listFiles(d).filter((f) => !f.startsWith('.isctl/'))).toEqual([]);
  });
});

const streamYaml = (name: string) =>
  `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\nspec:\n` +
  `  tags:\n  - name: "1.0"\n    from:\n      kind: DockerImage\n` +
  `      name: registry.example.com/team/${name}:1.0\n`;

describe('the state folder on disk', () => {
  it('never writes through a symbolic link that leads outside the folder (file or folder link)', async () => {
    const outside = dir('outside');
    const d = dir('links');
    writeFileSync(join(outside, 'victim.yaml'), streamYaml('victim'));
    symlinkSync(join(outside, 'victim.yaml'), join(d, 'victim.yaml'));
    mkdirSync(join(outside, 'nested'));
    writeFileSync(join(outside, 'nested', 'other.yaml'), streamYaml('other'));
    symlinkSync(join(outside, 'nested'), join(d, 'linked-folder'));
    const before = [
      readFileSync(join(outside, 'victim.yaml'), 'utf8'),
      readFileSync(join(outside, 'nested', 'other.yaml'), 'utf8'),
    ];
    // A file link leading outside is read but refused for writing, with the reason.
    const r = await runCli(['tag', '--reference', 'registry.example.com/team/x:2.0', 'victim:2.0'], { dir: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/victim\.yaml: resolves to .*outside the state folder/);
    // A folder link leading outside is not followed at all: "other" is a new stream, written inside.
    const o = await runCli(['tag', '--reference', 'registry.example.com/team/x:2.0', 'other:2.0'], { dir: d });
    expect(o.code).toBe(0);
    expect(existsSync(join(d, 'imagestreams', 'default', 'other.yaml'))).toBe(true);
    expect([
      readFileSync(join(outside, 'victim.yaml'), 'utf8'),
      readFileSync(join(outside, 'nested', 'other.yaml'), 'utf8'),
    ]).toEqual(before);
    expect(listFiles(outside).filter((f) => f.includes('isctl-tmp'))).toEqual([]);
  });

  it('writes through a link that stays inside the folder, keeping the link', async () => {
    const d = dir('inner-link');
    mkdirSync(join(d, 'real'));
    writeFileSync(join(d, 'real', 's.yaml'), streamYaml('s'));
    symlinkSync(join(d, 'real', 's.yaml'), join(d, 'alias.yaml'));
    const r = await runCli(['tag', '--reference', 'registry.example.com/team/s:2.0', 's:2.0'], { dir: d });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, 'real', 's.yaml'), 'utf8')).toContain('registry.example.com/team/s:2.0');
    expect(statSync(join(d, 'alias.yaml')).isFile()).toBe(true);
  });

  it.each([[0o600], [0o640], [0o664], [0o755]])('keeps the file mode %o of a rewritten file', async (mode) => {
    const d = dir('modes');
    writeFileSync(join(d, 's.yaml'), streamYaml('s'));
    chmodSync(join(d, 's.yaml'), mode);
    const r = await runCli(['tag', '--reference', 'registry.example.com/team/s:2.0', 's:2.0'], { dir: d });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, 's.yaml'), 'utf8')).toContain('s:2.0');
    expect(statSync(join(d, 's.yaml')).mode & 0o7777).toBe(mode);
  });
});

describe('the image cache', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ mode: 'plain' });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('refuses a cache file whose bytes do not match its digest, and never shows its content', async () => {
    const pushed = await pushImage(reg, 'team/cache', '1.0', { seed: 'cache', labels: { owner: 'genuine-team' } });
    const d = dir('cache');
    const ok = await runCli(['import-image', 's:1.0', `--from=${reg.host}/team/cache:1.0`, '--confirm', '--insecure'], {
      dir: d,
    });
    expect(ok.code).toBe(0);
    const configFile = join(d, '.isctl', 'blobs', 'sha256', pushed.images[0].config.digest.slice(7));
    expect(existsSync(configFile)).toBe(true);
    const good = await runCli(['describe', 'istag', 's:1.0'], { dir: d });
    expect(good.stdout).toContain('genuine-team');
    // Tamper with the cached config: same length, different owner label.
    writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('genuine-team', 'evil-team-xx'));
    const r = await runCli(['describe', 'istag', 's:1.0'], { dir: d });
    expect(r.stdout + r.stderr).not.toContain('evil-team-xx');
    expect(r.stdout + r.stderr).toMatch(/does not match its digest/);
    // An import refuses to build on the damaged copy and says what to do.
    const again = await runCli(['import-image', 's:1.0', '--insecure'], { dir: d });
    expect(again.stdout + again.stderr).not.toContain('evil-team-xx');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/does not match its digest.*delete it and import the image again/);
    // Doing what the message says brings back the registry's verified bytes.
    rmSync(configFile);
    const healed = await runCli(['import-image', 's:1.0', '--insecure'], { dir: d });
    expect(healed.code, healed.stderr).toBe(0);
    expect(readFileSync(configFile, 'utf8')).toContain('genuine-team');
    expect(badCacheFiles(d)).toEqual([]);
    expect((await runCli(['describe', 'istag', 's:1.0'], { dir: d })).stdout).toContain('genuine-team');
  });
});
