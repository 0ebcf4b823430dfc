/**
 * The registry budget against a real Distribution 2.8 registry: `refresh -o json` reports the
 * requests a recording proxy in front of the registry saw (and the tokens its token server
 * issued), by kind; one tag list serves every stream and policy tag of a repository; and the
 * counts of the client are the same over HTTP/2 and HTTP/1.1 on a TLS registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  memoryBlobStore,
  pushImage,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type TestRegistry,
} from '../helpers/registry/index.js';
import { runCli, tempDir, realClock } from '../helpers/index.js';
import { createImageSource } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';

const TAGS = ['1.0.0', '1.0.1', '1.0.2'];

describe('refresh against a token-auth registry behind a recording proxy', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  beforeAll(async () => {
    reg = await startRegistry({ mode: 'token' });
    for (const t of TAGS) await pushImage(reg, 'public/app', t, { seed: `budget-${t}` });
    proxy = await startFaultProxy(reg.url);
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  function folder(): string {
    const dir = tempDir('budget-int');
    const from = (t: string) => `${proxy.host}/public/app:${t}`;
    const tag = (name: string, t: string, extra = '') =>
      `  - name: ${name}\n${extra}    from:\n      kind: DockerImage\n      name: ${from(t)}\n    importPolicy:\n      insecure: true\n`;
    const head = (name: string, more = '') =>
      `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\n  namespace: default\n${more}`;
    TAGS.forEach((t, i) => writeFileSync(join(dir, `s${i}.yaml`), `${head(`s${i}`)}spec:\n  tags:\n${tag('t', t)}`));
    const insecure = '  annotations:\n    openshift.io/image.insecureRepository: "true"\n';
    for (const n of ['whole-a', 'whole-b'])
      writeFileSync(
        join(dir, `${n}.yaml`),
        `${head(n, insecure)}spec:\n  dockerImageRepository: ${proxy.host}/public/app\n`,
      );
    const policy = tag('stable', '1.0.0', '    annotations:\n      isctl.io/policy: "semver:^1"\n');
    writeFileSync(join(dir, 'pol.yaml'), `${head('pol')}spec:\n  tags:\n${policy}`);
    return dir;
  }

  /** What the proxy and the token server saw since the last reset, by kind. */
  function seen() {
    const n = (method: string, part: string) =>
      proxy.requests.filter((r) => r.method === method && r.path.includes(part)).length;
    const token = reg.tokenServer!.requests.length;
    return {
      requests: proxy.requests.length + token,
      byKind: {
        headManifest: n('HEAD', '/manifests/'),
        getManifest: n('GET', '/manifests/') - n('GET', '.sig'),
        getBlob: n('GET', '/blobs/'),
        tagsList: n('GET', '/tags/list'),
        token,
        signature: n('GET', '.sig'),
      },
      listed: proxy.requests.filter((r) => r.path.includes('/tags/list') && r.status === 200).length,
    };
  }

  it('-o json equals what the registry saw, cold and warm, with one tag list for five users of one repository', async () => {
    const dir = folder();
    for (const phase of ['cold', 'warm']) {
      proxy.reset();
      reg.tokenServer!.requests.length = 0;
      const res = await runCli(['refresh', '-A', '-o', 'json'], { dir, clock: realClock });
      expect(res.stderr).toBe('');
      const doc = JSON.parse(res.stdout);
      expect(doc.outcomes.filter((o: { status: string }) => o.status === 'failed')).toEqual([]);
      // 3 spec tags, 3 tags for each whole-repository stream, the policy tag.
      expect(doc.outcomes, phase).toHaveLength(10);
      const { listed, ...counted } = seen();
      expect(listed, phase).toBe(1);
      expect(doc.registries, phase).toEqual([{ registry: proxy.host, ...counted }]);
      expect(doc.requests, phase).toBe(counted.requests);
      if (phase === 'warm') expect(counted.byKind).toMatchObject({ getManifest: 0, getBlob: 0 });
    }
  });

  it('--dry-run: the number it prints is what the registry saw, and what the real run then makes', async () => {
    const dir = folder();
    proxy.reset();
    reg.tokenServer!.requests.length = 0;
    const dry = await runCli(['refresh', '-A', '--dry-run'], { dir, clock: realClock });
    const dryCount = seen().requests;
    expect(dry.stdout).toContain(`a real run would make ${dryCount} registry requests (dry run)\n`);
    proxy.reset();
    reg.tokenServer!.requests.length = 0;
    const real = JSON.parse((await runCli(['refresh', '-A', '-o', 'json'], { dir, clock: realClock })).stdout);
    expect(real.changed).toBe(true);
    expect(seen().requests).toBe(dryCount);
    expect(real.requests).toBe(dryCount);
  });
});

describe.each([
  { protocol: 'HTTP/2', http2: true },
  { protocol: 'HTTP/1.1', http2: false },
])('the budget over $protocol on a TLS registry', ({ http2 }) => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ mode: 'tls' });
    for (const t of TAGS) await pushImage(reg, 'secure/app', t, { seed: `budget-tls-${t}` });
  }, 60_000);
  afterAll(async () => {
    await reg?.stop();
  });

  it('counts every exchange the transport made: 2 per tag cold, 1 per tag warm, 1 tag list', async () => {
    const exchanges: number[] = [];
    const blobs = memoryBlobStore();
    const options = {
      certDirs: [reg.certsDir!],
      env: { HOME: reg.dir },
      blobs,
      http2,
      onRequest: (_m: string, _u: string, status: number) => exchanges.push(status),
    };
    const src = createImageSource(options);
    const spec = (t: string) => parsePullSpec(`${reg.host}/secure/app:${t}`);
    const cold = await Promise.all(TAGS.map((t) => src.resolve(spec(t), { cold: true })));
    expect(await src.listTags(spec('1.0.0'))).toEqual(TAGS);
    expect(src.requests?.()).toEqual([
      {
        registry: reg.host,
        requests: 7,
        byKind: { headManifest: 0, getManifest: 3, getBlob: 3, tagsList: 1, token: 0, signature: 0 },
      },
    ]);
    expect(exchanges.filter((s) => s === 200)).toHaveLength(7);
    await src.close();

    const warm = createImageSource(options);
    await Promise.all(TAGS.map((t, i) => warm.resolve(spec(t), { unchangedIf: cold[i].digest })));
    expect(warm.requests?.()).toEqual([
      {
        registry: reg.host,
        requests: 3,
        byKind: { headManifest: 3, getManifest: 0, getBlob: 0, tagsList: 0, token: 0, signature: 0 },
      },
    ]);
    await warm.close();
  });
});
