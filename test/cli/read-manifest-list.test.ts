import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/domain/image.js';
import { openStateStore } from '../../src/state/store.js';
import { runCli, tempDir, testClock } from '../helpers/index.js';

const clock = testClock('2026-01-01T10:05:00Z');
const amd = `sha256:${'a1'.repeat(32)}`;
const s390 = `sha256:${'b2'.repeat(32)}`;
let dir: string;
let listDigest: string;

beforeAll(async () => {
  dir = tempDir('read-list');
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: amd,
          size: 500,
          platform: { architecture: 'amd64', os: 'linux' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: s390,
          size: 501,
          platform: { architecture: 's390x', os: 'linux' },
        },
      ],
    }),
  );
  listDigest = digestOf(index);
  const { blobs } = openStateStore(dir);
  await blobs.put(listDigest, index);
  await blobs.flush();
  fs.writeFileSync(
    path.join(dir, 'multi.yaml'),
    `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata: {name: multi}
spec:
  tags:
  - name: latest
    from: {kind: DockerImage, name: "quay.io/org/multi:latest"}
    importPolicy: {importMode: PreserveOriginal}
status:
  tags:
  - tag: latest
    items:
    - {created: "2026-01-01T10:03:00Z", dockerImageReference: "quay.io/org/multi@${listDigest}", image: "${listDigest}", generation: 1}
`,
  );
});

const run = (argv: string[]) => runCli(['--dir', dir, ...argv], { clock });

describe('a preserved manifest list', () => {
  it('describe istag shows the children with the platforms of the index', async () => {
    const r = await run(['describe', 'istag', 'multi:latest']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Docker Image:\tquay.io/org/multi@${listDigest}\n`);
    expect(r.stdout).toContain('Layer Size:\t0B\n');
    expect(r.stdout).toContain(`Manifests:\tlinux/amd64\t${amd}\n\t\tlinux/s390x\t${s390}\n`);
  });

  it('a child is addressable as an image stream image by digest prefix (the layers index)', async () => {
    const r = await run(['get', 'isimage', `multi@${s390.slice(7, 20)}`, '-o', 'wide']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(
      new RegExp(`^multi@b2b2b2b2b2b2b +2 minutes ago +quay.io/org/multi@${s390} +${s390}$`),
    );
  });

  it('an ambiguous prefix is refused', async () => {
    const r = await run(['get', 'isimage', 'multi@sha256:']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('multiple images match the prefix "sha256:"');
  });
});
