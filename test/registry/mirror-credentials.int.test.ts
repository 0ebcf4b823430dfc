/**
 * Credentials follow the host actually contacted: a pull of SRC answered by a mirror uses the
 * mirror's credentials, never SRC's (containers/image docker_image_src.go newImageSourceAttempt
 * builds each attempt's client for the endpoint it contacts). The mirror is a real registry with
 * htpasswd Basic auth; SRC is 127.0.0.1 on a closed port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { createImageSource } from '../../src/registry/index.js';
import {
  freePort,
  memoryBlobStore,
  pushImage,
  skopeoRawDigest,
  startRegistry,
  type TestRegistry,
} from '../helpers/registry/index.js';

let mirror: TestRegistry;
let src: string;
let dir: string;
beforeAll(async () => {
  mirror = await startRegistry({ mode: 'htpasswd' });
  await pushImage(mirror, 'copy/team/app', '1.0', { seed: 'mirror-creds' });
  src = `127.0.0.1:${await freePort()}`;
  dir = mkdtempSync(join(tmpdir(), 'isctl-mirror-creds-'));
  writeFileSync(
    join(dir, 'registries.conf'),
    `[[registry]]\nlocation = "${src}/team"\n[[registry.mirror]]\nlocation = "${mirror.host}/copy/team"\ninsecure = true\n`,
  );
}, 60_000);
afterAll(async () => {
  await mirror?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function source(auths: Record<string, string>) {
  const file = join(dir, 'auth.json');
  writeFileSync(
    file,
    JSON.stringify({ auths: Object.fromEntries(Object.entries(auths).map(([h, up]) => [h, { auth: b64(up) }])) }),
  );
  const requests: string[] = [];
  const s = createImageSource({
    blobs: memoryBlobStore(),
    registryConfig: file,
    registriesConf: join(dir, 'registries.conf'),
    env: { HOME: dir },
    timeoutMs: 5000,
    retries: 0,
    onRequest: (method, url, status) => requests.push(`${method} ${url} ${status}`),
  });
  return { s, requests };
}

describe('mirror credentials', () => {
  it("uses the mirror's own credentials for the mirror and records the source's name", async () => {
    const { s } = source({
      [mirror.host]: `${mirror.username}:${mirror.password}`,
      [src]: 'source-user:source-secret',
    });
    try {
      const r = await s.resolve(parsePullSpec(`${src}/team/app:1.0`));
      expect(r.digest).toBe(await skopeoRawDigest(mirror, 'copy/team/app:1.0'));
      expect(r.dockerImageReference).toBe(`${src}/team/app@${r.digest}`);
      expect(r.mirror).toBe(`${mirror.host}/copy/team/app`);
    } finally {
      await s.close();
    }
  });

  it("never sends the source's credentials to the mirror, even when they would open it", async () => {
    // The mirror's valid password, filed under the source's host only: sending it there would succeed.
    const { s, requests } = source({ [src]: `${mirror.username}:${mirror.password}` });
    try {
      await expect(s.resolve(parsePullSpec(`${src}/team/app:1.0`))).rejects.toThrow();
      expect(requests.filter((r) => r.includes(`//${mirror.host}/`) && r.endsWith(' 200'))).toEqual([]);
      expect(requests.some((r) => r.includes(`//${mirror.host}/`) && r.endsWith(' 401'))).toBe(true);
    } finally {
      await s.close();
    }
  });
});
