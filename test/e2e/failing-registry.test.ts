/**
 * A failing registry: a fault-injecting proxy between isctl and a real Distribution
 * registry. Transient faults end in success within the retry budget (3 retries, Retry-After
 * honoured); permanent ones end as ImportSuccess=False conditions with the tag history kept;
 * never is a digest recorded that skopeo does not report for the real registry; credentials
 * never follow a redirect to another host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import {
  startRegistry,
  pushImage,
  skopeoRawDigest,
  type TestRegistry,
  type PushedImage,
  startFaultProxy,
  startRecordingServer,
  type FaultProxy,
  type Rule,
} from '../helpers/registry/index.js';
import { badCacheFiles, getStream, recordedDigests, runCli, statusTag, tempDir } from '../helpers/index.js';

let reg: TestRegistry;
let proxy: FaultProxy;
const dirs: string[] = [];
/** Every digest the registry really holds (manifests, indexes, configs, layers). */
const genuine = new Set<string>();

function remember(p: PushedImage): PushedImage {
  genuine.add(p.digest);
  if (p.index) genuine.add(p.index.digest);
  for (const img of p.images) for (const b of [img.manifest, img.config, ...img.layers]) genuine.add(b.digest);
  return p;
}

beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
  proxy = await startFaultProxy(reg.url);
});
afterAll(async () => {
  await proxy?.stop();
  await reg?.stop();
  if (!process.env.KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const MANIFEST_GET: Rule['match'] = { method: 'GET', path: /\/manifests\// };
const CONFIG_GET: Rule['match'] = { method: 'GET', path: /\/blobs\/sha256:/ };

/** Imports `repo:tag` through the proxy into a new stream in a fresh folder. */
async function importThroughProxy(repo: string, tag: string, dir = tempDir('fault')) {
  dirs.push(dir);
  const r = await runCli(
    ['import-image', `s:${tag}`, `--from=${proxy.host}/${repo}:${tag}`, '--confirm', '--insecure'],
    { dir },
  );
  return { dir, ...r };
}

/** The digests the state folder records must all be real ones, and the image cache must be intact. */
function expectOnlyGenuineDigests(dir: string): void {
  for (const d of recordedDigests(dir))
    expect(genuine, `recorded ${d} is not a digest the registry holds`).toContain(d);
  expect(badCacheFiles(dir)).toEqual([]);
}

describe('transient registry faults end in success within the retry budget', () => {
  const cases: { name: string; rules: Rule[]; minMs?: number }[] = [
    {
      name: 'two connection resets on the manifest GET',
      rules: [{ match: MANIFEST_GET, fault: { kind: 'reset' }, times: 2 }],
    },
    {
      name: '502, then 503 twice',
      rules: [
        { match: MANIFEST_GET, fault: { kind: 'status', status: 502 }, times: 1 },
        { match: MANIFEST_GET, fault: { kind: 'status', status: 503 }, times: 2 },
      ],
    },
    {
      name: '429 with Retry-After: 2 (honoured: the retry waits 2 s)',
      rules: [{ match: { path: /\/manifests\// }, fault: { kind: 'retry-after', seconds: 2 }, times: 1 }],
      minMs: 1900,
    },
    {
      name: '503 with Retry-After: 1',
      rules: [{ match: { path: /\/manifests\// }, fault: { kind: 'retry-after', seconds: 1, status: 503 }, times: 1 }],
      minMs: 900,
    },
    {
      name: 'a slow manifest body (40 bytes every 15 ms)',
      rules: [{ match: MANIFEST_GET, fault: { kind: 'slow-body', chunkBytes: 40, delayMs: 15 }, times: 1 }],
    },
    {
      name: 'a truncated manifest body, then a good one',
      rules: [{ match: MANIFEST_GET, fault: { kind: 'truncate' }, times: 1 }],
    },
    {
      name: 'a reset and a truncated body on the config blob',
      rules: [
        { match: CONFIG_GET, fault: { kind: 'reset' }, times: 1 },
        { match: CONFIG_GET, fault: { kind: 'truncate' }, times: 1 },
      ],
    },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const pushed = remember(await pushImage(reg, `transient/r${i}`, '1.0', { seed: `transient-${i}` }));
      const oracle = await skopeoRawDigest(reg, `transient/r${i}:1.0`);
      proxy.reset();
      proxy.program(...c.rules);
      const started = Date.now();
      const { dir, code, stderr } = await importThroughProxy(`transient/r${i}`, '1.0');
      const elapsed = Date.now() - started;
      expect(stderr).not.toMatch(/error/i);
      expect(code).toBe(0);
      expect(proxy.requests.filter((r) => r.fault).length).toBe(c.rules.reduce((n, r) => n + (r.times ?? 0), 0));
      const item = statusTag(await getStream(dir, 's'), '1.0')?.items?.[0];
      expect(item?.image).toBe(oracle);
      expect(item?.image).toBe(pushed.digest);
      expect(item?.dockerImageReference).toBe(`${proxy.host}/transient/r${i}@${oracle}`);
      if (c.minMs) expect(elapsed).toBeGreaterThanOrEqual(c.minMs);
      expectOnlyGenuineDigests(dir);
    }, 60_000);
  }
});

describe('permanent registry faults end as ImportSuccess=False with the history kept', () => {
  const cases: { name: string; rules: Rule[]; message: RegExp }[] = [
    {
      name: 'manifest bytes that do not match the digest',
      rules: [{ match: MANIFEST_GET, fault: { kind: 'corrupt' } }],
      message: /digest|match/i,
    },
    {
      name: 'config bytes that do not match the digest',
      rules: [{ match: CONFIG_GET, fault: { kind: 'corrupt' } }],
      message: /digest|match/i,
    },
    {
      name: 'an oversized manifest (12 MiB)',
      rules: [{ match: MANIFEST_GET, fault: { kind: 'oversize', bytes: 12 << 20 } }],
      message: /larger than|too large|size/i,
    },
    {
      name: 'an oversized manifest without Content-Length',
      rules: [{ match: MANIFEST_GET, fault: { kind: 'oversize', bytes: 12 << 20, declareLength: false } }],
      message: /larger than|too large|size/i,
    },
    {
      name: '500 on every request',
      rules: [{ match: { path: /\/manifests\// }, fault: { kind: 'status', status: 500 } }],
      message: /500|internal|error/i,
    },
    {
      name: '503 beyond the retry budget',
      rules: [{ match: { path: /\/manifests\// }, fault: { kind: 'status', status: 503 } }],
      message: /503|unavailable/i,
    },
    {
      name: 'connection reset on every attempt',
      rules: [{ match: MANIFEST_GET, fault: { kind: 'reset' } }],
      message: /reset|closed|socket|connect/i,
    },
    {
      name: 'a truncated body on every attempt',
      rules: [{ match: MANIFEST_GET, fault: { kind: 'truncate' } }],
      message: /closed|terminated|socket|body|reset/i,
    },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const repo = `permanent/r${i}`;
      const first = remember(await pushImage(reg, repo, 'v', { seed: `perm-a-${i}` }));
      proxy.reset();
      const ok = await importThroughProxy(repo, 'v');
      expect(ok.code).toBe(0);
      // The tag moves in the registry; the next import meets the fault.
      const second = remember(await pushImage(reg, repo, 'v', { seed: `perm-b-${i}` }));
      expect(await skopeoRawDigest(reg, `${repo}:v`)).toBe(second.digest);
      proxy.program(...c.rules);
      const failed = await runCli(['import-image', 's:v', '--insecure'], { dir: ok.dir });
      expect(failed.code).toBe(1);
      expect(failed.stderr + failed.stdout).toMatch(c.message);
      const tag = statusTag(await getStream(ok.dir, 's'), 'v');
      expect(tag?.items?.map((x) => x.image)).toEqual([first.digest]);
      const cond = tag?.conditions?.find((x) => x.type === 'ImportSuccess');
      expect(cond?.status).toBe('False');
      expect(cond?.message).toMatch(c.message);
      expectOnlyGenuineDigests(ok.dir);
      // Once the registry is healthy again the new digest is imported and the history grows.
      proxy.reset();
      const healed = await runCli(['import-image', 's:v', '--insecure'], { dir: ok.dir });
      expect(healed.code).toBe(0);
      const after = statusTag(await getStream(ok.dir, 's'), 'v');
      expect(after?.items?.map((x) => x.image)).toEqual([second.digest, first.digest]);
      expect(after?.conditions?.find((x) => x.type === 'ImportSuccess' && x.status === 'False')).toBeUndefined();
      expectOnlyGenuineDigests(ok.dir);
    }, 90_000);
  }
});

describe('a lying Docker-Content-Digest header', () => {
  async function lieAbout(method: 'HEAD' | 'GET') {
    const repo = `lying/${method.toLowerCase()}`;
    const first = remember(await pushImage(reg, repo, 'v', { seed: `lie-a-${method}` }));
    proxy.reset();
    const ok = await importThroughProxy(repo, 'v');
    expect(ok.code).toBe(0);
    const second = remember(await pushImage(reg, repo, 'v', { seed: `lie-b-${method}` }));
    // The lie names a real image the state folder already knows (the first one), the most tempting shortcut.
    proxy.program({
      match: { method, path: /\/manifests\/v$/ },
      fault: { kind: 'digest-header', digest: first.digest },
    });
    const r = await runCli(['import-image', 's:v', '--insecure'], { dir: ok.dir });
    const items = statusTag(await getStream(ok.dir, 's'), 'v')?.items?.map((x) => x.image);
    expectOnlyGenuineDigests(ok.dir);
    return { r, items, first, second };
  }

  it('on the GET of the tag is never recorded: the digest comes from the bytes, or the import fails', async () => {
    const { r, items, first, second } = await lieAbout('GET');
    if (r.code === 0) expect(items).toEqual([second.digest, first.digest]);
    else expect(items).toEqual([first.digest]);
  }, 60_000);

  it('on the HEAD of the tag is taken as "unchanged" (a HEAD has no body to verify) and adds nothing to the history', async () => {
    // Documented limit: the cheap HEAD check trusts the registry's answer for the tag, as any
    // client that skips a download must; TLS is what protects that answer.
    const { items, first } = await lieAbout('HEAD');
    expect(items).toEqual([first.digest]);
  }, 60_000);
});

describe('redirects', () => {
  let authReg: TestRegistry;
  let authProxy: FaultProxy;
  beforeAll(async () => {
    authReg = await startRegistry({ mode: 'htpasswd' });
    authProxy = await startFaultProxy(authReg.url);
  });
  afterAll(async () => {
    await authProxy?.stop();
    await authReg?.stop();
  });

  it('never sends the Authorization header to another host a blob redirect points at', async () => {
    const pushed = remember(await pushImage(authReg, 'team/private', '1.0', { seed: 'redirect' }));
    const config = pushed.images[0].config;
    // The "object storage" answers with the real config bytes, as S3 would after a registry redirect.
    const other = await startRecordingServer(200, config.bytes.toString('latin1'));
    try {
      authProxy.program({
        match: { method: 'GET', path: new RegExp(`/blobs/${config.digest}`) },
        fault: { kind: 'redirect', to: other.url, status: 307 },
      });
      const dir = tempDir('redirect');
      dirs.push(dir);
      const authFile = `${dir}/auth.json`;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        authFile,
        JSON.stringify({
          auths: {
            [authProxy.host]: { auth: Buffer.from(`${authReg.username}:${authReg.password}`).toString('base64') },
          },
        }),
      );
      const r = await runCli(
        [
          'import-image',
          's:1.0',
          `--from=${authProxy.host}/team/private:1.0`,
          '--confirm',
          '--insecure',
          '--registry-config',
          authFile,
        ],
        { dir },
      );
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      // The registry side saw credentials; the other host was reached but got none.
      expect(authProxy.requests.some((x) => x.authorization && /\/manifests\//.test(x.path))).toBe(true);
      expect(other.requests.length).toBeGreaterThan(0);
      expect(other.requests.filter((x) => x.authorization !== undefined)).toEqual([]);
      expect(statusTag(await getStream(dir, 's'), '1.0')?.items?.[0]?.image).toBe(
        await skopeoRawDigest(authReg, 'team/private:1.0'),
      );
      expectOnlyGenuineDigests(dir);
    } finally {
      await other.stop();
    }
  }, 60_000);

  it('refuses redirected bytes that do not match the digest', async () => {
    const pushed = remember(await pushImage(authReg, 'team/private2', '1.0', { seed: 'redirect-bad' }));
    const config = pushed.images[0].config;
    const other = await startRecordingServer(200, config.bytes.toString('latin1').replace('amd64', 'arm64'));
    try {
      authProxy.reset();
      authProxy.program({
        match: { method: 'GET', path: new RegExp(`/blobs/${config.digest}`) },
        fault: { kind: 'redirect', to: other.url, status: 302 },
      });
      const dir = tempDir('redirect-bad');
      dirs.push(dir);
      const authFile = `${dir}/auth.json`;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        authFile,
        JSON.stringify({
          auths: {
            [authProxy.host]: { auth: Buffer.from(`${authReg.username}:${authReg.password}`).toString('base64') },
          },
        }),
      );
      const r = await runCli(
        [
          'import-image',
          's:1.0',
          `--from=${authProxy.host}/team/private2:1.0`,
          '--confirm',
          '--insecure',
          '--registry-config',
          authFile,
        ],
        { dir },
      );
      expect(r.code).toBe(1);
      expect(r.stderr + r.stdout).toMatch(/digest|match/i);
      expect(other.requests.filter((x) => x.authorization !== undefined)).toEqual([]);
      expectOnlyGenuineDigests(dir);
    } finally {
      await other.stop();
    }
  }, 60_000);
});
