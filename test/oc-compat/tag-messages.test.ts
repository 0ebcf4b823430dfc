/**
 * What `tag` prints and refuses, checked against openshift/oc pkg/cli/tag/tag.go (Complete,
 * Validate, Run) and the server calls it makes: openshift-apiserver
 * pkg/image/apiserver/registry/imagestreamtag/rest.go (Update, Delete).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, tempDir, testClock } from '../helpers/index.js';

const readState = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

const D1 = `sha256:${'1'.repeat(64)}`;
const clock = testClock('2026-11-22T12:00:00Z');

const SRC = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: src
  namespace: default
  generation: 1
spec:
  tags:
  - name: "1"
    from:
      kind: DockerImage
      name: quay.io/team/src:1
    generation: 1
status:
  tags:
  - tag: "1"
    items:
    - created: "2025-01-01T00:00:00Z"
      dockerImageReference: quay.io/team/src@${D1}
      image: ${D1}
      generation: 1
`;

function folder(): string {
  const dir = tempDir('oc-tag');
  fs.mkdirSync(path.join(dir, 'imagestreams/default'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'imagestreams/default/src.yaml'), SRC);
  return dir;
}
const run = (dir: string, argv: string[]) => runCli(['--dir', dir, ...argv], { clock });

describe('tag: the lookups oc makes come before its Validate checks', () => {
  it('`tag nope:x` with one argument reports the source stream NotFound (Complete gets the stream before Validate wants a destination)', async () => {
    // tag.go Complete: `len(args) < 2 && (len(args) < 1 && !o.deleteTag)` lets one argument through;
    // an ImageStreamTag source is pinned by ImageStreams(ns).Get, whose NotFound is returned as is.
    const r = await run(folder(), ['tag', 'nope:x']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): imagestreams.image.openshift.io "nope" not found\n',
    });
    // An existing source with no destination then fails Validate.
    const v = await run(folder(), ['tag', 'src:1']);
    expect(v.stderr).toBe('error: at least a destination is required\n');
    expect(v.code).toBe(1);
  });

  it('`tag -d s:t` on a missing stream reports the stream NotFound (imagestreamtag/rest.go Delete gets the stream first)', async () => {
    const r = await run(folder(), ['tag', '-d', 'nosuch:t']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): imagestreams.image.openshift.io "nosuch" not found\n',
    });
    // The stream exists, the tag does not: NotFound of the imagestreamtag (Delete: notFound).
    const t = await run(folder(), ['tag', '-d', 'src:nosuch']);
    expect(t.stderr).toBe('Error from server (NotFound): imagestreamtags.image.openshift.io "src:nosuch" not found\n');
  });

  it('a destination without :tag is named without its namespace (Run: SplitImageStreamTag of destNameAndTag)', async () => {
    // parseStreamName splits `other/foo` into namespace `other` and `foo`; the message quotes `foo`.
    const r = await run(folder(), ['tag', 'src:1', 'other/foo']);
    expect(r.stderr).toBe('error: "foo" must be of the form <stream_name>:<tag>\n');
    expect(r.code).toBe(1);
  });

  it('`tag -d --reference` deletes: Validate refuses only --scheduled and --insecure on delete', async () => {
    const dir = folder();
    const r = await run(dir, ['tag', '-d', '--reference', 'src:1']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Deleted tag default/src:1.');
    expect(r.code).toBe(0);
    const refused = await run(dir, ['tag', '-d', '--scheduled', 'src:1']);
    expect(refused.stderr).toBe('error: cannot set flags for importing images when deleting a tag\n');
    expect(refused.code).toBe(1);
  });
});

describe('tag SRC DEST with a registry that cannot be reached', () => {
  it('sets the tag, prints `Tag … set to …` and exits 0; the failed import is the ImportSuccess=False condition', async () => {
    // tag.go Run: ImageStreamTags.Update succeeds, so oc prints msg and returns nil; the import is
    // the image controller's, and its failure is recorded by imagestreamimport/rest.go setFailureCondition.
    const dir = folder();
    const r = await run(dir, ['tag', '127.0.0.1:1/team/app:1', 'app:1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Tag app:1 set to 127.0.0.1:1/team/app:1.');
    const stream = parse(readState(dir, 'imagestreams/default/app.yaml'));
    expect(stream.spec.tags[0].from).toEqual({ kind: 'DockerImage', name: '127.0.0.1:1/team/app:1' });
    expect(stream.status.tags[0].conditions[0]).toMatchObject({ type: 'ImportSuccess', status: 'False' });
    // describe shows the failure, as on a cluster (describer.go: `! error: Import failed (REASON): MSG`).
    const d = await run(dir, ['describe', 'is', 'app']);
    expect(d.stdout).toMatch(/\n {2}! error: Import failed \(InternalError\): .*127\.0\.0\.1:1/);
    // refresh retries it and reports it.
    const f = await run(dir, ['refresh', 'app']);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/^error: tag default\/app:1 failed: .*127\.0\.0\.1:1/);
  });
});

describe('tag: Run checks each destination when it reaches it, after the earlier ones are set (tag.go Run)', () => {
  it('several deletes: the ones before a missing tag are deleted and printed, then the NotFound', async () => {
    const dir = folder();
    const r = await run(dir, ['tag', '-d', 'src:1', 'src:nosuch']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('Deleted tag default/src:1.');
    expect(r.stderr).toBe('Error from server (NotFound): imagestreamtags.image.openshift.io "src:nosuch" not found\n');
    expect(parse(readState(dir, 'imagestreams/default/src.yaml')).spec.tags).toEqual([]);
  });

  it('a later DEST without :tag or with an invalid tag fails after the earlier one is set (SplitImageStreamTag, validateTag)', async () => {
    const dir = folder();
    const r = await run(dir, ['tag', 'src:1', 'a:1', 't']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(`Tag a:1 set to src@${D1}.`);
    expect(r.stderr).toBe('error: "t" must be of the form <stream_name>:<tag>\n');
    expect(parse(readState(dir, 'imagestreams/default/a.yaml')).spec.tags[0].from).toEqual({
      kind: 'ImageStreamImage',
      name: `src@${D1}`,
    });
    const bad = await run(folder(), ['tag', 'src:1', 'b:1', 'c:-bad']);
    expect(bad.stdout.split('\n')[0]).toBe(`Tag b:1 set to src@${D1}.`);
    expect(bad.stderr).toMatch(/^error: invalid tag "-bad" format, tags must start with an alphanumeric character/);
    expect(bad.code).toBe(1);
  });

  it("Complete's parseStreamName errors come before Validate's (an empty namespace before --scheduled on an image)", async () => {
    const r = await run(folder(), ['tag', '--scheduled', `src@${D1}`, '/x:1']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: invalid namespace "" for image stream "/x:1"\n' });
    const n = await run(folder(), ['tag', 'src:1', 'ns/']);
    expect(n).toEqual({ code: 1, stdout: '', stderr: 'error: invalid name "" for image stream "ns/"\n' });
  });

  it('what the API server refuses: a name nameAndTag cannot split (BadRequest), a stream name ValidateImageStreamName rejects', async () => {
    // oc sends ImageStreamTag.Name = "s:" as typed; imagestreamtag/rest.go nameAndTag → ParseImageStreamTagName fails.
    const dir = folder();
    expect(await run(dir, ['tag', 'src:1', 's:'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (BadRequest): ImageStreamTags must be retrieved with <name>:<tag>\n',
    });
    // update creates the missing stream; its validation (validation.go ValidateImageStreamName) refuses the name.
    expect(await run(dir, ['tag', 'src:1', 'UPPER:1'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'The ImageStream "UPPER" is invalid: metadata.name: Invalid value: "UPPER": ' +
        'must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"\n',
    });
    expect(fs.readdirSync(path.join(dir, 'imagestreams/default'))).toEqual(['src.yaml']);
  });

  it('--alias compares destinations with the current namespace (isCrossImageStream); a missing source: tagsChanged', async () => {
    // other/src:1 → src:4 passes Validate; strategy.go tagsChanged does not find other/src
    // (field.NotFound), validateTagsAndLimits wraps it, Validate makes it an InternalError.
    const dir = folder();
    const r = await run(dir, ['tag', '--alias', 'other/src:1', 'src:4']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'The ImageStream "src" is invalid: : Internal error: imagestreams "src" is invalid: ' +
        'spec.tags[4].from.name: Not found: "src:1"\n',
    });
    const cross = await run(dir, ['tag', '--alias', 'other/src:1', 'other/src:4']);
    expect(cross.stderr).toBe('error: cannot set alias across different Image Streams\n');
  });

  it('an image ID the source stream does not hold: ResolveImageID NotFound, wrapped by tagsChanged', async () => {
    const D2 = `sha256:${'2'.repeat(64)}`;
    const r = await run(folder(), ['tag', `src@${D2}`, 'd:1']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'The ImageStream "d" is invalid: : Internal error: imagestreams "d" is invalid: spec.tags[1].from.name: ' +
        `Invalid value: "src@${D2}": error generating tag event: imagestreamimage.image.openshift.io "${D2}" not found\n`,
    });
  });
});
