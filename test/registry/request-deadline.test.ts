/**
 * Every registry request has one overall deadline (connect, headers and body, redirects and
 * retries), default 30 s, set with `--request-timeout` or ISCTL_REQUEST_TIMEOUT (read as kubectl's
 * flag of that name, client-go tools/clientcmd `ParseTimeout`); a terminal is told which host is
 * being waited for; `-v` logs the requests as oc does (client-go transport/round_trippers.go
 * `DebugWrappers`), credentials masked. Loopback servers written here, in-process CLI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../helpers/registry/images.js';
import { createImageSource } from '../../src/registry/index.js';
import { parseRequestTimeout } from '../../src/registry/request-timeout.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { RegistryError } from '../../src/domain/errors.js';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

const servers: { server: Server; sockets: Set<Socket> }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await Promise.all(
    servers.splice(0).map(
      ({ server, sockets }) =>
        new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(r);
        }),
    ),
  );
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push({ server, sockets });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers at once, then sends its body one byte every `everyMs` (never idle long enough for an idle timeout). */
function trickle(everyMs: number, body: string) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    let i = 0;
    const t = setInterval(() => {
      if (i >= body.length || res.destroyed) return clearInterval(t);
      res.write(body[i++]);
      if (i === body.length) res.end();
    }, everyMs);
    res.on('close', () => clearInterval(t));
  };
}

async function cli(argv: string[], o: { env?: Record<string, string>; tty?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'isctl-deadline-'));
  dirs.push(dir);
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: o.tty ?? false },
    env: { HOME: dir, PATH: process.env.PATH, ...o.env },
    cwd: dir,
    now: () => new Date(),
  };
  const t0 = Date.now();
  const code = await run(['--dir', dir, ...argv], io);
  return { code, stdout, stderr, ms: Date.now() - t0, dir };
}

describe('the request deadline', () => {
  it('covers the body: a body that trickles one byte every 200 ms ends at the deadline, not when the body does', async () => {
    const host = await serve(trickle(200, JSON.stringify({ name: 'a/b', tags: ['1', '2', '3', '4', '5'] })));
    const src = createImageSource({ env: {}, timeoutMs: 1000, retries: 0 });
    const t0 = Date.now();
    const err = (await src
      .listTags(parsePullSpec(`${host}/a/b:1`), { insecure: true })
      .catch((e) => e)) as RegistryError;
    const ms = Date.now() - t0;
    await src.close();
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.message).toMatch(
      new RegExp(
        `^timeout: ${host} gave no complete answer to GET http://${host}/v2/a/b/tags/list\\?n=1000 within 1s$`,
      ),
    );
    expect(err.transient).toBe(true);
    expect(ms).toBeLessThan(3000);
  });

  it('requests in flight together share their deadline (one signal a slot): each still ends at it, and nothing warns', async () => {
    // src/registry/http.ts deadlineSlot: the requests whose deadlines fall within 1 % of the
    // timeout share one abort signal and timer; undici listens on it once a request.
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const hosts = [await serve(() => undefined), await serve(() => undefined)];
      const src = createImageSource({ env: {}, timeoutMs: 1000, retries: 0 });
      const t0 = Date.now();
      const errs = (await Promise.all(
        hosts.flatMap((h) =>
          Array.from({ length: 8 }, (_, i) =>
            src.listTags(parsePullSpec(`${h}/a/r${i}:1`), { insecure: true }).catch((e) => e),
          ),
        ),
      )) as RegistryError[];
      const ms = Date.now() - t0;
      await src.close();
      expect(errs).toHaveLength(16);
      for (const e of errs) {
        expect(e).toBeInstanceOf(RegistryError);
        expect(e.message).toMatch(/^timeout: 127\.0\.0\.1:\d+ gave no complete answer to GET http:\/\/.* within 1s$/);
      }
      expect(ms).toBeGreaterThanOrEqual(990);
      expect(ms).toBeLessThan(2500);
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('covers retries: a Retry-After that would end past the deadline is not waited for', async () => {
    let asked = 0;
    const host = await serve((_req, res) => {
      asked++;
      res.writeHead(503, { 'retry-after': '20' });
      res.end();
    });
    const src = createImageSource({ env: {}, timeoutMs: 1500 });
    const t0 = Date.now();
    const err = (await src
      .resolve(parsePullSpec(`${host}/a/b:1`), { insecure: true })
      .catch((e) => e)) as RegistryError;
    const ms = Date.now() - t0;
    await src.close();
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(503);
    expect(ms).toBeLessThan(3000);
    expect(asked).toBe(1);
  });

  it(
    '--request-timeout bounds import-image against a registry that accepts the connection and ' +
      'never answers; a terminal hears which host is waited for',
    async () => {
      const host = await serve(() => undefined);
      const r = await cli(
        ['import-image', 's:1', `--from=${host}/a/b:1`, '--confirm', '--insecure', '--request-timeout', '2s'],
        {
          tty: true,
        },
      );
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(6000);
      expect(r.stderr).toContain(
        `waiting for ${host} to answer (no answer for 666ms; gives up after 2s, --request-timeout)`,
      );
      expect(r.stderr).toContain(
        `timeout: ${host} gave no complete answer to GET http://${host}/v2/a/b/manifests/1 within`,
      );
    },
  );

  it('ISCTL_REQUEST_TIMEOUT sets it too (whole seconds); off a terminal nothing but the error is said', async () => {
    const host = await serve(() => undefined);
    const r = await cli(['import-image', 's:1', `--from=${host}/a/b:1`, '--confirm', '--insecure'], {
      env: { ISCTL_REQUEST_TIMEOUT: '1' },
    });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5000);
    expect(r.stderr).not.toContain('waiting for');
    expect(r.stderr).toContain(
      `timeout: ${host} gave no complete answer to GET http://${host}/v2/a/b/manifests/1 within`,
    );
  });

  it('refresh and serve --once share the deadline (the serve worker refreshes through the same client)', async () => {
    const host = await serve(() => undefined);
    const stream = [
      'apiVersion: image.openshift.io/v1',
      'kind: ImageStream',
      'metadata: {name: s, namespace: default}',
      'spec:',
      '  tags:',
      "  - name: '1'",
      `    from: {kind: DockerImage, name: '${host}/a/b:1'}`,
      '    importPolicy: {insecure: true, scheduled: true}',
      '',
    ].join('\n');
    for (const argv of [['refresh'], ['serve', '--once']]) {
      const dir = mkdtempSync(join(tmpdir(), 'isctl-deadline-state-'));
      dirs.push(dir);
      writeFileSync(join(dir, 's.yaml'), stream);
      const r = await cli(['--dir', dir, ...argv], { env: { ISCTL_REQUEST_TIMEOUT: '1s' } });
      expect(r.code, argv.join(' ')).toBeGreaterThan(0);
      expect(r.ms, argv.join(' ')).toBeLessThan(5000);
      expect(r.stderr, argv.join(' ')).toContain(`timeout: ${host} gave no complete answer`);
    }
  });

  it('refuses a timeout it cannot read, or 0 (no wait is unbounded), naming the flag', async () => {
    const bad = await cli(['get', 'is', '--request-timeout', 'soon']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'invalid --request-timeout "soon": use a whole number of seconds or a duration such as 30s, 2m or 1m30s',
    );
    const zero = await cli(['get', 'is'], { env: { ISCTL_REQUEST_TIMEOUT: '0' } });
    expect(zero.code).not.toBe(0);
    expect(zero.stderr).toContain('invalid ISCTL_REQUEST_TIMEOUT "0": the timeout must be greater than 0');
  });

  it('reads durations as kubectl does (clientcmd ParseTimeout): whole seconds or Go durations', () => {
    expect(parseRequestTimeout('30')).toBe(30_000);
    expect(parseRequestTimeout('1m30s')).toBe(90_000);
    expect(parseRequestTimeout('500ms')).toBe(500);
    expect(parseRequestTimeout('2h')).toBe(7_200_000);
    expect(() => parseRequestTimeout('-1')).toThrow(/invalid --request-timeout "-1"/);
    expect(() => parseRequestTimeout('1d')).toThrow(/invalid --request-timeout "1d"/);
  });
});

describe('-v', () => {
  async function basicRegistry() {
    const img = buildImage({ seed: 'verbose' });
    const expected = `Basic ${Buffer.from('alice:hunter2').toString('base64')}`;
    const host = await serve((req, res) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return res.end();
      }
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.includes('/manifests/')) {
        res.writeHead(200, { 'content-type': img.manifest.mediaType, 'docker-content-digest': img.manifest.digest });
        return res.end(req.method === 'HEAD' ? undefined : img.manifest.bytes);
      }
      res.writeHead(200, { 'set-cookie': 'session=cookie-s3cr3t' });
      res.end(img.config.bytes);
    });
    const dir = mkdtempSync(join(tmpdir(), 'isctl-verbose-auth-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'auth.json'),
      JSON.stringify({ auths: { [host]: { username: 'alice', password: 'hunter2' } } }),
    );
    return { host, auth: join(dir, 'auth.json'), expected };
  }

  it('-v=6 logs each registry request (method, URL, status, duration) on stderr, as oc does', async () => {
    const { host, auth } = await basicRegistry();
    const r = await cli([
      '-v=6',
      'import-image',
      's:1',
      `--from=${host}/a/b:1`,
      '--confirm',
      '--insecure',
      '--registry-config',
      auth,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `^I\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{6} +\\d+ round_trippers\\.go:560\\] GET http://${host}/v2/a/b/manifests/1 200 OK in \\d+ milliseconds$`,
        'm',
      ),
    );
    expect(r.stderr).toMatch(
      new RegExp(
        `round_trippers\\.go:560\\] GET http://${host}/v2/a/b/manifests/1 401 Unauthorized in \\d+ milliseconds$`,
        'm',
      ),
    );
    expect(r.stderr).not.toContain('Request Headers:');
    expect(r.stdout).not.toContain('round_trippers.go');
  });

  it('--v=8 adds request and response headers; credentials and cookies are masked', async () => {
    const { host, auth, expected } = await basicRegistry();
    const r = await cli([
      '--v=8',
      'import-image',
      's:1',
      `--from=${host}/a/b:1`,
      '--confirm',
      '--insecure',
      '--registry-config',
      auth,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Request Headers:');
    expect(r.stderr).toContain('Response Headers:');
    expect(r.stderr).toContain('    Authorization: Basic <masked>');
    expect(r.stderr).toContain('    Www-Authenticate: Basic realm="r"');
    expect(r.stderr).toContain('    Set-Cookie: <masked>');
    expect(r.stderr).toMatch(/Response Status: 200 OK in \d+ milliseconds/);
    for (const secret of ['hunter2', expected.slice(6), 'cookie-s3cr3t']) expect(r.stderr).not.toContain(secret);
  });

  it('without -v (or below 6) nothing of the requests is logged', async () => {
    const { host, auth } = await basicRegistry();
    const r = await cli([
      '-v',
      '5',
      'import-image',
      's:1',
      `--from=${host}/a/b:1`,
      '--confirm',
      '--insecure',
      '--registry-config',
      auth,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
