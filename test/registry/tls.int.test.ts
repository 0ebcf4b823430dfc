/**
 * A real registry behind TLS with a self-signed CA: verified by default, trusted through a
 * certs.d folder, unverified only with insecure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startRegistry,
  pushImage,
  skopeoInspect,
  skopeoRawDigest,
  type TestRegistry,
  memoryBlobStore,
} from '../helpers/registry/index.js';
import { createImageSource } from '../../src/registry/index.js';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { RegistryError } from '../../src/domain/errors.js';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'tls' });
  await pushImage(reg, 'secure/app', '1.0', { seed: 'tls' });
  await pushImage(reg, 'secure/app', 'multi', { multiArch: true, seed: 'tls' });
});
afterAll(async () => {
  await reg?.stop();
});

const spec = (tag: string) => parsePullSpec(`${reg.host}/secure/app:${tag}`);

// Every case over HTTP/2 (docker-registry offers h2 when it has a certificate) and over HTTP/1.1.
describe.each([
  { protocol: 'HTTP/2', http2: true },
  { protocol: 'HTTP/1.1', http2: false },
])('TLS registry over $protocol', ({ http2 }) => {
  it('without the CA: an x509 error with the --insecure hint', async () => {
    const src = createImageSource({ certDirs: [], env: { HOME: reg.dir }, http2 });
    const err = (await src.resolve(spec('1.0')).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.message).toBe(
      `x509: certificate signed by unknown authority for ${reg.host}; use --insecure only if you trust this registry`,
    );
    expect(err.hint).toBe(
      `to trust it instead, put its CA certificate in /etc/containers/certs.d/${reg.host}/ca.crt (or ~/.config/containers/certs.d)`,
    );
    expect(err.transient).toBe(false);
    await src.close();
  });

  it('with the CA in a certs.d folder: verified and equal to skopeo', async () => {
    const src = createImageSource({
      certDirs: [reg.certsDir!],
      env: { HOME: reg.dir },
      blobs: memoryBlobStore(),
      http2,
    });
    const got = await src.resolve(spec('1.0'));
    expect(got.digest).toBe((await skopeoInspect(reg, 'secure/app:1.0')).Digest);
    const multi = await src.resolve(spec('multi'), { importMode: 'PreserveOriginal' });
    expect(multi.digest).toBe(await skopeoRawDigest(reg, 'secure/app:multi'));
    expect(await src.listTags(spec('1.0'))).toEqual(['1.0', 'multi']);
    await src.close();
  });

  // src/registry/tls.ts secureContextFor adds a certs.d CA to a copy of Node's shared root store:
  // the trust stays with that host's connections, and later sources in the process do not inherit it.
  it('a certs.d CA is trusted for its host only: a source without it, later in the same process, still refuses', async () => {
    const trusting = createImageSource({ certDirs: [reg.certsDir!], env: { HOME: reg.dir }, http2 });
    expect((await trusting.resolve(spec('1.0'))).digest).toBe((await skopeoInspect(reg, 'secure/app:1.0')).Digest);
    await trusting.close();
    const plain = createImageSource({ certDirs: [], env: { HOME: reg.dir }, http2 });
    const err = (await plain.resolve(spec('1.0')).catch((e: unknown) => e)) as RegistryError;
    expect(err.message).toBe(
      `x509: certificate signed by unknown authority for ${reg.host}; use --insecure only if you trust this registry`,
    );
    await plain.close();
  });

  it('insecure: HTTPS without verification (no fallback to HTTP needed)', async () => {
    const requests: string[] = [];
    const src = createImageSource({
      certDirs: [],
      env: { HOME: reg.dir },
      onRequest: (m, u, s) => requests.push(`${m} ${u} ${s}`),
      http2,
    });
    const got = await src.resolve(spec('1.0'), { insecure: true });
    expect(got.digest).toBe((await skopeoInspect(reg, 'secure/app:1.0')).Digest);
    expect(requests.every((r) => r.includes('https://'))).toBe(true);
    await src.close();
  });
});

describe('NODE_EXTRA_CA_CERTS', () => {
  it('a CA given to Node at start-up is trusted without certs.d', async () => {
    const { execFile } = await import('node:child_process');
    const { transpileTree } = await import('../helpers/transpile.js');
    const out = transpileTree('src');
    const script = `
      const { createImageSource } = await import(${JSON.stringify(`${out}/registry/index.js`)});
      const { parsePullSpec } = await import(${JSON.stringify(`${out}/domain/pullspec.js`)});
      const src = createImageSource({ certDirs: [], env: process.env });
      const got = await src.resolve(parsePullSpec(${JSON.stringify(`${reg.host}/secure/app:1.0`)}));
      console.log(got.digest);
      await src.close();
    `;
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          { env: { PATH: process.env.PATH!, HOME: reg.dir, ...env } },
          (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
        );
      });
    const trusted = await run({ NODE_EXTRA_CA_CERTS: reg.caFile! });
    expect(trusted.stderr).toBe('');
    expect(trusted.stdout.trim()).toBe((await skopeoInspect(reg, 'secure/app:1.0')).Digest);
    const untrusted = await run({});
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain('x509: certificate signed by unknown authority');
    const { rmSync } = await import('node:fs');
    rmSync(out, { recursive: true, force: true });
  });
});
