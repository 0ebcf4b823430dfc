/**
 * `import-image` against a real Distribution registry, checked against openshift/oc
 * pkg/cli/importimage/importimage.go (importAll, newImageStream, Run) and openshift-apiserver
 * pkg/image/apiserver/registry/imagestreamimport/rest.go (Create, importSuccessful), whose
 * ImageStreamImport validation is pkg/image/apis/image/validation ValidateImageStreamImport.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pushImage, skopeoRawDigest, startRegistry, type TestRegistry } from '../helpers/registry/index.js';
import { runCli, tempDir, testClock } from '../helpers/index.js';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
}, 60_000);
afterAll(async () => {
  await reg?.stop();
});

const load = (dir: string, name: string) =>
  parse(fs.readFileSync(path.join(dir, 'imagestreams/default', `${name}.yaml`), 'utf8'));
/**
 * An empty stream marked for the plain-HTTP test registry, as the image controller and a repository
 * import read it (openshift.io/image.insecureRepository; --insecure applies to one command only).
 */
function insecureStream(dir: string, name: string): void {
  fs.mkdirSync(path.join(dir, 'imagestreams/default'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'imagestreams/default', `${name}.yaml`),
    `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\n  annotations:\n    openshift.io/image.insecureRepository: "true"\n`,
  );
}
const specTags = (dir: string, name: string) => (load(dir, name).spec.tags ?? []).map((t: { name: string }) => t.name);

describe('import-image prints what the API server returns', () => {
  it('an image new to the folder has its Created: line (the Image imagestreamimport/rest.go creates now)', async () => {
    const dir = tempDir('oc-import');
    const clock = testClock('2026-11-22T10:00:00Z');
    await pushImage(reg, 'created/app', '1', { seed: 'created' });
    const digest = await skopeoRawDigest(reg, 'created/app:1');
    const r = await runCli(
      ['import-image', 'app:1', '--from', `${reg.host}/created/app:1`, '--confirm', '--insecure'],
      {
        dir,
        clock,
      },
    );
    expect(r.code).toBe(0);
    // describer.go DescribeImage: formatMeta prints `Created:` when the Image has a creationTimestamp.
    expect(r.stdout).toContain(
      `Image Name:\tapp:1\nDocker Image:\t${reg.host}/created/app@${digest}\nName:\t\t${digest}\nCreated:\tLess than a second ago\n`,
    );
    // Importing it again an hour later: the same Image, created an hour ago.
    clock.advance(3600_000);
    const again = await runCli(['import-image', 'app:1'], { dir, clock });
    expect(again.stdout).toContain(`Name:\t\t${digest}\nCreated:\tAbout an hour ago\n`);
  });
});

describe("import-image --dry-run prints the importer's Image", () => {
  it('without a Created: line: nothing created it (imagestreamimport/rest.go Create returns before createImages)', async () => {
    const dir = tempDir('oc-import');
    const clock = testClock('2026-11-22T10:00:00Z');
    await pushImage(reg, 'dryrun/app', '1', { seed: 'dryrun' });
    const digest = await skopeoRawDigest(reg, 'dryrun/app:1');
    const from = ['--from', `${reg.host}/dryrun/app:1`, '--insecure'];
    expect((await runCli(['import-image', 'app:1', ...from, '--confirm'], { dir, clock })).code).toBe(0);
    const dry = await runCli(['import-image', 'app:1', '--dry-run'], { dir, clock });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      `imagestream.image.openshift.io/app imported (dry run)\n\nImage Name:\tapp:1\n` +
        `Docker Image:\t${reg.host}/dryrun/app@${digest}\nName:\t\t${digest}\nAnnotations:\t`,
    );
    expect(dry.stdout).not.toContain('Created:\tLess than a second ago');
  });
});

describe('import-image --all from a repository', () => {
  it('--from REPO --all --confirm leaves the stream importing REPO: a later --all and refresh see its new tags', async () => {
    // importimage.go importAll/newImageStream set spec.dockerImageRepository = --from on the stream
    // oc prints; imagestreamimport/rest.go points each imported tag at REPO:tag "for later imports".
    const dir = tempDir('oc-import');
    const clock = testClock('2026-11-22T10:00:00Z');
    const repo = `${reg.host}/grows/app`;
    await pushImage(reg, 'grows/app', '1', { seed: 'g1' });
    await pushImage(reg, 'grows/app', '2', { seed: 'g2' });
    insecureStream(dir, 'app');
    const first = await runCli(['import-image', 'app', '--from', repo, '--all', '--confirm'], { dir, clock });
    expect(first.code).toBe(0);
    const stream = load(dir, 'app');
    expect(stream.spec.dockerImageRepository).toBe(repo);
    expect(stream.spec.tags.map((t: { from: { name: string } }) => t.from.name)).toEqual([`${repo}:1`, `${repo}:2`]);

    await pushImage(reg, 'grows/app', '3', { seed: 'g3' });
    const again = await runCli(['import-image', 'app', '--all'], { dir, clock });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Image Name:\tapp:3\n');
    expect(specTags(dir, 'app')).toEqual(['1', '2', '3']);
    // The same --from again needs no --confirm: it is the stream's import spec (importAll: from == spec).
    const same = await runCli(['import-image', 'app', '--from', repo, '--all'], { dir, clock });
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);

    await pushImage(reg, 'grows/app', '4', { seed: 'g4' });
    const refreshed = await runCli(['refresh', 'app'], { dir, clock });
    expect(refreshed.code).toBe(0);
    expect(specTags(dir, 'app')).toEqual(['1', '2', '3', '4']);
  });

  it('--all --insecure --confirm marks the stream insecure, so a later --all and refresh reach the plain-HTTP registry', async () => {
    // importimage.go Run (the path that saves the stream) sets openshift.io/image.insecureRepository
    // when --insecure is given; the image controller reads it for spec.dockerImageRepository.
    const dir = tempDir('oc-import');
    const clock = testClock('2026-11-22T10:00:00Z');
    const repo = `${reg.host}/insecure-all/app`;
    await pushImage(reg, 'insecure-all/app', '1', { seed: 'ia1' });
    const first = await runCli(['import-image', 'app', '--from', repo, '--all', '--confirm', '--insecure'], {
      dir,
      clock,
    });
    expect(first.code).toBe(0);
    expect(load(dir, 'app').metadata.annotations['openshift.io/image.insecureRepository']).toBe('true');
    await pushImage(reg, 'insecure-all/app', '2', { seed: 'ia2' });
    const refreshed = await runCli(['refresh', 'app'], { dir, clock });
    expect(refreshed.stderr).toBe('');
    expect(refreshed.code).toBe(0);
    expect(specTags(dir, 'app')).toEqual(['1', '2']);
  });

  it('prints the additional-tags info line whenever the limit left tags out, on the first import and from spec.dockerImageRepository', async () => {
    // importimage.go Run: `info: The remote repository contained %d additional tags which were not
    // imported: %s` from Status.Repository.AdditionalTags (importer.go: tags past MaximumTags).
    const dir = tempDir('oc-import');
    const clock = testClock('2026-11-22T10:00:00Z');
    for (let i = 0; i < 60; i++) await pushImage(reg, 'many/app', `t${String(i).padStart(2, '0')}`, { seed: 'many' });
    const repo = `${reg.host}/many/app`;
    const extra = Array.from({ length: 10 }, (_, i) => `t${50 + i}`).join(', ');
    const line = `\ninfo: The remote repository contained 10 additional tags which were not imported: ${extra}\n`;
    insecureStream(dir, 'many');
    const first = await runCli(['import-image', 'many', '--from', repo, '--all', '--confirm'], { dir, clock });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(line);
    const again = await runCli(['import-image', 'many', '--all'], { dir, clock });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(line);
  }, 120_000);
});

describe('import-image refuses an invalid --from before anything is written (ValidateImageStreamImport)', () => {
  it.each([
    ['foo::bar', 'invalid reference format'],
    ['UPPER/App:1', 'repository name must be lowercase'],
  ])('%s', async (from, reason) => {
    const dir = tempDir('oc-import');
    const r = await runCli(['import-image', 'bad', '--from', from, '--confirm'], { dir });
    // field.Invalid(spec.images[0].from.name, …) in an Invalid ImageStreamImport, as kubectl prints it.
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `The ImageStreamImport "bad" is invalid: spec.images[0].from.name: Invalid value: "${from}": ${reason}\n`,
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a pull spec with user:password@ is refused as well, without repeating it, and nothing is written', async () => {
    const dir = tempDir('oc-import');
    const r = await runCli(['import-image', 'bad', '--from', 'user:s3cret@host/a:1', '--confirm'], { dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: |^The ImageStreamImport "bad" is invalid: /);
    expect(r.stderr).not.toContain('s3cret');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('with --all the repository is validated (spec.repository.from.name)', async () => {
    const dir = tempDir('oc-import');
    const r = await runCli(['import-image', 'bad', '--from', 'foo::bar', '--all', '--confirm'], { dir });
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'The ImageStreamImport "bad" is invalid: spec.repository.from.name: Invalid value: "foo::bar": invalid reference format\n',
    });
    const tagged = await runCli(['import-image', 'bad', '--from', 'quay.io/a/b:1', '--all', '--confirm'], { dir });
    expect(tagged.stderr).toBe(
      'The ImageStreamImport "bad" is invalid: spec.repository.from.name: Invalid value: ' +
        '"quay.io/a/b:1": you must specify an image repository, not a tag or ID\n',
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
