/**
 * What the API server records when `tag` sets a tag, checked against the upstream code:
 * openshift-apiserver pkg/image/apiserver/registry/imagestream/strategy.go `tagsChanged` and
 * internal/imageutil `ResolveImageID`, imagestreamtag/rest.go `update` (which creates a missing
 * stream through `rest.FillObjectMetaSystemFields`), and openshift/oc pkg/cli/tag/tag.go.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readState, runCli, tempDir, testClock } from '../helpers/index.js';

const INTERNAL = 'image-registry.openshift-image-registry.svc:5000';
const D1 = `sha256:${'1'.repeat(64)}`;

function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

/** A stream `src` in `ns` whose tag `1` was recorded long ago, pointing into the internal registry. */
function sourceStream(ns: string, ref = `${INTERNAL}/${ns}/src@${D1}`): string {
  return `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: src
  namespace: ${ns}
  creationTimestamp: "2025-01-01T00:00:00Z"
  generation: 1
spec:
  lookupPolicy:
    local: false
  tags:
  - name: "1"
    from:
      kind: DockerImage
      name: quay.io/team/src:1
    generation: 1
status:
  dockerImageRepository: ${INTERNAL}/${ns}/src
  tags:
  - tag: "1"
    items:
    - created: "2025-01-01T00:00:00Z"
      dockerImageReference: ${ref}
      image: ${D1}
      generation: 1
`;
}

const stream = (dir: string, name: string, ns = 'default') =>
  parse(readState(dir, `imagestreams/${ns}/${name}.yaml`)) as {
    metadata: Record<string, unknown>;
    spec: { tags: { name: string; generation: number }[] };
    status: { tags: { tag: string; items: Record<string, unknown>[] | null; conditions?: unknown[] }[] };
  };
const items = (dir: string, name: string, tag: string) =>
  stream(dir, name).status.tags.find((t) => t.tag === tag)?.items;

describe('tag from an ImageStreamTag records a new event (strategy.go tagsChanged → ResolveImageID)', () => {
  it('the event is created now, and a reference into the source stream of the internal registry is rewritten to the destination', async () => {
    // oc pins `src:1` to `src@<image>` (tag.go Complete); tagsChanged then calls ResolveImageID,
    // which returns a new TagEvent{Created: metav1.Now(), DockerImageReference, Image}; and since the
    // tag is not --reference, a pull spec <internal registry>/<src ns>/<src name> becomes the
    // destination stream's repository (tagsChanged, "alter it to point to this stream").
    const dir = tempDir('oc-tag');
    write(dir, 'imagestreams/default/src.yaml', sourceStream('default'));
    const clock = testClock('2026-11-22T12:00:00Z');
    const r = await runCli(['--dir', dir, 'tag', 'src:1', 'dst:prod'], { clock });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(items(dir, 'dst', 'prod')).toEqual([
      {
        created: '2026-11-22T12:00:00Z',
        dockerImageReference: `${INTERNAL}/default/dst@${D1}`,
        image: D1,
        generation: 1,
      },
    ]);
  });

  it('across namespaces the source namespace is replaced too; an external pull spec is kept as it is', async () => {
    const dir = tempDir('oc-tag');
    write(dir, 'imagestreams/other/src.yaml', sourceStream('other'));
    const clock = testClock('2026-11-22T12:00:00Z');
    expect((await runCli(['--dir', dir, 'tag', 'other/src:1', 'dst:prod'], { clock })).code).toBe(0);
    expect(items(dir, 'dst', 'prod')?.[0]).toMatchObject({
      created: '2026-11-22T12:00:00Z',
      dockerImageReference: `${INTERNAL}/default/dst@${D1}`,
    });

    const ext = tempDir('oc-tag');
    write(ext, 'imagestreams/default/src.yaml', sourceStream('default', `quay.io/team/src@${D1}`));
    expect((await runCli(['--dir', ext, 'tag', `src@${D1}`, 'dst:prod'], { clock })).code).toBe(0);
    expect(items(ext, 'dst', 'prod')).toEqual([
      { created: '2026-11-22T12:00:00Z', dockerImageReference: `quay.io/team/src@${D1}`, image: D1, generation: 1 },
    ]);
  });

  it('a SOURCE without namespace tagged into another namespace is read from the current one (Run: From.Namespace = o.namespace)', async () => {
    // tag.go Run: `len(o.ref.Namespace) == 0 && o.destNamespace[i] != o.namespace` → From.Namespace
    // = o.namespace; tagsChanged then resolves the image in that stream, not in the destination's.
    const dir = tempDir('oc-tag');
    write(dir, 'imagestreams/other/src.yaml', sourceStream('other'));
    const clock = testClock('2026-11-22T12:00:00Z');
    const r = await runCli(['--dir', dir, '-n', 'other', 'tag', 'src:1', 'default/dst:prod'], { clock });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(`Tag default/dst:prod set to src@${D1}.`);
    expect(stream(dir, 'dst').spec.tags[0]).toMatchObject({
      from: { kind: 'ImageStreamImage', name: `src@${D1}`, namespace: 'other' },
    });
    expect(items(dir, 'dst', 'prod')).toEqual([
      {
        created: '2026-11-22T12:00:00Z',
        dockerImageReference: `${INTERNAL}/default/dst@${D1}`,
        image: D1,
        generation: 1,
      },
    ]);
  });

  it('--reference keeps the source pull spec (tagsChanged rewrites only when !tagRef.Reference)', async () => {
    const dir = tempDir('oc-tag');
    write(dir, 'imagestreams/default/src.yaml', sourceStream('default'));
    const clock = testClock('2026-11-22T12:00:00Z');
    expect((await runCli(['--dir', dir, 'tag', '--reference', 'src:1', 'dst:prod'], { clock })).code).toBe(0);
    expect(items(dir, 'dst', 'prod')?.[0]).toMatchObject({
      created: '2026-11-22T12:00:00Z',
      dockerImageReference: `${INTERNAL}/default/src@${D1}`,
    });
  });
});

describe('a stream created by tag or import-image is created as create imagestream creates one', () => {
  it('tag into a new stream writes creationTimestamp (imagestreamtag/rest.go update → FillObjectMetaSystemFields)', async () => {
    const dir = tempDir('oc-tag');
    write(dir, 'imagestreams/default/src.yaml', sourceStream('default'));
    const clock = testClock('2026-11-22T12:00:00Z');
    expect((await runCli(['--dir', dir, 'tag', 'src:1', 'dst:prod'], { clock })).code).toBe(0);
    const created = await runCli(['--dir', dir, 'create', 'imagestream', 'plain'], { clock });
    expect(created.code).toBe(0);
    const meta = stream(dir, 'dst').metadata;
    // The same metadata, in the same order, as `create imagestream` writes (PrepareForCreate: generation 1).
    expect(meta).toEqual({ ...stream(dir, 'plain').metadata, name: 'dst' });
    expect(meta).toEqual({
      name: 'dst',
      namespace: 'default',
      creationTimestamp: '2026-11-22T12:00:00Z',
      generation: 1,
    });
  });

  it('tag of a registry image into a new stream: generation 1 from the create, 2 after the import the image controller makes', async () => {
    // imagestreamtag/rest.go creates the stream (PrepareForCreate: generation 1); the stream has no
    // dockerRepositoryCheck annotation, so openshift-controller-manager imagestream_controller.go
    // needsImport/handleImageStream posts an ImageStreamImport; imagestreamimport/rest.go records it
    // with nextGeneration = 2 and ensureSpecTag resets the tag generation, which prepareForUpdate
    // turns into generation 2. An unreachable registry takes the same path (setFailureCondition).
    const dir = tempDir('oc-tag');
    const clock = testClock('2026-11-22T12:00:00Z');
    const r = await runCli(['--dir', dir, 'tag', '127.0.0.1:1/team/app:1', 'app:1'], { clock });
    expect(r.stdout.split('\n')[0]).toBe('Tag app:1 set to 127.0.0.1:1/team/app:1.');
    const s = stream(dir, 'app');
    expect(s.metadata).toMatchObject({ creationTimestamp: '2026-11-22T12:00:00Z', generation: 2 });
    expect(s.spec.tags[0].generation).toBe(2);
  });

  it('import-image --confirm into a new stream writes creationTimestamp (imagestreamimport/rest.go → internalStreams.Create)', async () => {
    const dir = tempDir('oc-import');
    const clock = testClock('2026-11-22T12:00:00Z');
    await runCli(['--dir', dir, 'import-image', 'app:1', '--from', '127.0.0.1:1/team/app:1', '--confirm'], { clock });
    expect(stream(dir, 'app').metadata).toMatchObject({
      name: 'app',
      namespace: 'default',
      creationTimestamp: '2026-11-22T12:00:00Z',
      generation: 1,
    });
  });
});
