/**
 * `get` and `describe` of objects as the API server returns them and as kubectl prints them:
 * openshift-apiserver pkg/image/apiserver/registry/imagestreamimage/rest.go `Get`,
 * registry/imagestream/strategy.go `Decorate`, openshift/oc pkg/helpers/describe/describer.go
 * `DescribeImageStream`, and kubectl pkg/cmd/get/get.go `printGeneric`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, testClock } from '../helpers/index.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const clock = testClock('2026-11-22T12:00:00Z');

/** A stream as `oc get is app -o yaml` exports it from a cluster whose registry is 172.30.1.1:5000. */
const EXPORTED = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
  namespace: default
  creationTimestamp: "2026-11-20T12:00:00Z"
  generation: 2
spec:
  lookupPolicy:
    local: false
  tags:
  - name: "1"
    from:
      kind: DockerImage
      name: quay.io/team/app:1
    generation: 2
    importPolicy: {}
    referencePolicy:
      type: Source
status:
  dockerImageRepository: 172.30.1.1:5000/default/app
  tags:
  - tag: "1"
    items:
    - created: "2026-11-21T12:00:00Z"
      dockerImageReference: quay.io/team/app@${D1}
      image: ${D1}
      generation: 2
`;

function exportedFolder(): string {
  const dir = tempDir('oc-get');
  fs.mkdirSync(path.join(dir, 'imagestreams/default'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'imagestreams/default/app.yaml'), EXPORTED);
  return dir;
}
const run = (dir: string, argv: string[]) => runCli(['--dir', dir, ...argv], { clock });

describe('get isimage', () => {
  it('-o wide of a stream exported from a cluster (no image stored) shows the image reference of its tag history', async () => {
    // imagestreamimage/rest.go Get returns the Image, whose dockerImageReference the wide table
    // prints (printers/internalversion printImageStreamImage); offline, the history holds it.
    const r = await run(exportedFolder(), ['get', 'isimage', `app@${D1}`, '-o', 'wide']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[1]).toMatch(new RegExp(`^app@${D1} +24 hours ago +quay\\.io/team/app@${D1} +${D1}$`));
  });

  it('a missing image is NotFound of the singular imagestreamimage resource, as imagestreamimage/rest.go words it', async () => {
    // errors.NewNotFound(imagev1.Resource("imagestreamimage"), id)
    const missing = `app@sha256:${'2'.repeat(64)}`;
    const r = await run(exportedFolder(), ['get', 'isimage', missing]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Error from server (NotFound): imagestreamimage.image.openshift.io "${missing}" not found\n`);
  });
});

describe('describe is', () => {
  it('shows the stored status.dockerImageRepository of a stream exported from a cluster', async () => {
    const r = await run(exportedFolder(), ['describe', 'is', 'app']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Image Repository:\t172.30.1.1:5000/default/app\n');
    // get is shows the same repository (one decoration for every read).
    expect((await run(exportedFolder(), ['get', 'is', 'app'])).stdout).toContain('172.30.1.1:5000/default/app');
  });
});

describe('get errors print as kubectl prints them', () => {
  it('`get isimage` without a name prints the MethodNotAllowed of the API server (no list verb) and nothing more', async () => {
    const r = await run(exportedFolder(), ['get', 'isimage']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (MethodNotAllowed): the server does not allow this method on the requested resource\n',
    });
  });

  it.each(['yaml', 'json', 'jsonpath={.metadata.name}'])(
    '`get is NOSUCH -o %s` prints nothing on stdout (printGeneric returns the error of a single item)',
    async (format) => {
      const r = await run(exportedFolder(), ['get', 'is', 'nosuch', '-o', format]);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: 'Error from server (NotFound): imagestreams.image.openshift.io "nosuch" not found\n',
      });
    },
  );

  it('with several names the found ones are printed as a List and the missing ones reported (printGeneric)', async () => {
    const r = await run(exportedFolder(), ['get', 'is', 'app', 'nosuch', '-o', 'name']);
    expect(r.stdout).toBe('imagestream.image.openshift.io/app\n');
    expect(r.stderr).toBe('Error from server (NotFound): imagestreams.image.openshift.io "nosuch" not found\n');
    expect(r.code).toBe(1);
    const y = await run(exportedFolder(), ['get', 'is', 'app', 'nosuch', '-o', 'yaml']);
    expect(y.stdout).toMatch(/^apiVersion: v1\nitems:\n- apiVersion: image\.openshift\.io\/v1\n/);
  });
});
