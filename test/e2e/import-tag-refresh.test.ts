/**
 * import-image, tag and refresh end to end against a real Distribution registry (Debian's
 * docker-registry), with `skopeo inspect` as the independent oracle for digests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startRegistry, pushImage, skopeoRawDigest, type TestRegistry, MULTI_ARCH } from '../helpers/registry/index.js';
import { runCli, tempDir, testClock } from '../helpers/index.js';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
}, 60_000);
afterAll(async () => {
  await reg?.stop();
});

const streamFile = (dir: string, name: string, ns = 'default') => path.join(dir, 'imagestreams', ns, `${name}.yaml`);
const load = (file: string) => parse(fs.readFileSync(file, 'utf8'));
const items = (file: string, tag: string) => load(file).status.tags.find((t: { tag: string }) => t.tag === tag).items;

describe('import-image', () => {
  it('imports a tag, records a new digest first, and writes nothing when the digest is unchanged', async () => {
    const dir = tempDir();
    const clock = testClock('2026-11-22T10:00:00Z');
    await pushImage(reg, 'team/app', '1', { seed: 'a' });
    const d1 = await skopeoRawDigest(reg, 'team/app:1');

    const first = await runCli(
      ['--dir', dir, 'import-image', 'app:1', '--from', `${reg.host}/team/app:1`, '--confirm', '--insecure'],
      { clock },
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.startsWith('imagestream.image.openshift.io/app imported\n\nName:\t\t\tapp\n')).toBe(true);
    expect(first.stdout).toContain(`Image Name:\tapp:1\nDocker Image:\t${reg.host}/team/app@${d1}\nName:\t\t${d1}\n`);
    const file = streamFile(dir, 'app');
    expect(items(file, '1')).toEqual([
      { created: '2026-11-22T10:00:00Z', dockerImageReference: `${reg.host}/team/app@${d1}`, image: d1, generation: 1 },
    ]);
    expect(load(file).spec.tags[0]).toMatchObject({
      name: '1',
      from: { kind: 'DockerImage', name: `${reg.host}/team/app:1` },
      importPolicy: { insecure: true },
    });

    await pushImage(reg, 'team/app', '1', { seed: 'b' });
    const d2 = await skopeoRawDigest(reg, 'team/app:1');
    expect(d2).not.toBe(d1);
    clock.advance(3600_000);
    const second = await runCli(['--dir', dir, 'import-image', 'app:1'], { clock });
    expect(second.code).toBe(0);
    expect(items(file, '1').map((i: { image: string; generation: number }) => [i.image, i.generation])).toEqual([
      [d2, 2],
      [d1, 1],
    ]);
    // The diff shows exactly the new event being added at the head of the history.
    expect(second.stdout).toMatch(
      new RegExp(
        `\\n\\+ +- created: "2026-11-22T11:00:00Z"\\n\\+ +dockerImageReference: ${reg.host}/team/app@${d2}\\n`,
      ),
    );

    const before = fs.readFileSync(file, 'utf8');
    const mtime = fs.statSync(file).mtimeMs;
    clock.advance(3600_000);
    const third = await runCli(['--dir', dir, 'import-image', 'app:1'], { clock });
    expect(third.code).toBe(0);
    expect(third.stdout).not.toContain('--- a/');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
  });

  it('imports a multi-arch index: Legacy records the linux/amd64 child, PreserveOriginal the index', async () => {
    const dir = tempDir();
    const pushed = await pushImage(reg, 'team/multi', '1', { multiArch: true, platforms: MULTI_ARCH, seed: 'm' });
    const indexDigest = await skopeoRawDigest(reg, 'team/multi:1');
    expect(pushed.digest).toBe(indexDigest);
    const amd64 = pushed.images.find((i) => i.platform.architecture === 'amd64')!.manifest.digest;
    expect(await skopeoRawDigest(reg, `team/multi@${amd64}`)).toBe(amd64);

    const legacy = await runCli([
      '--dir',
      dir,
      'import-image',
      'multi:legacy',
      '--from',
      `${reg.host}/team/multi:1`,
      '--confirm',
      '--insecure',
    ]);
    expect(legacy.code).toBe(0);
    expect(items(streamFile(dir, 'multi'), 'legacy')[0].image).toBe(amd64);
    expect(legacy.stdout).toContain('Arch:\t\tamd64');

    const preserve = await runCli([
      '--dir',
      dir,
      'import-image',
      'multi:all',
      '--from',
      `${reg.host}/team/multi:1`,
      '--insecure',
      '--import-mode',
      'PreserveOriginal',
    ]);
    expect(preserve.code).toBe(0);
    const stream = load(streamFile(dir, 'multi'));
    expect(stream.status.tags.find((t: { tag: string }) => t.tag === 'all').items[0].image).toBe(indexDigest);
    expect(stream.spec.tags.find((t: { name: string }) => t.name === 'all').importPolicy.importMode).toBe(
      'PreserveOriginal',
    );
    expect(preserve.stdout).toContain('Manifests:');
    expect(preserve.stdout).toContain(`linux/amd64\t${amd64}`);
  });

  it('records a failing tag as ImportSuccess=False, keeps its history, exits 1 after printing', async () => {
    const dir = tempDir();
    await pushImage(reg, 'team/gone', '1', { seed: 'g' });
    const d = await skopeoRawDigest(reg, 'team/gone:1');
    expect(
      (
        await runCli([
          '--dir',
          dir,
          'import-image',
          'gone:1',
          '--from',
          `${reg.host}/team/gone:1`,
          '--confirm',
          '--insecure',
        ])
      ).code,
    ).toBe(0);
    // Point the tag at a tag that does not exist, as a user editing the file would.
    const file = streamFile(dir, 'gone');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace(`${reg.host}/team/gone:1`, `${reg.host}/team/gone:missing`),
    );
    const r = await runCli(['--dir', dir, 'import-image', 'gone:1']);
    expect(r.code).toBe(1);
    expect(r.stdout.startsWith('imagestream.image.openshift.io/gone imported with errors\n')).toBe(true);
    expect(r.stderr).toContain(
      `error: tag missing failed: dockerimage.image.openshift.io "${reg.host}/team/gone:missing" not found`,
    );
    expect(r.stderr).toContain('error: imported completed with errors');
    const tag = load(file).status.tags[0];
    expect(tag.items.map((i: { image: string }) => i.image)).toEqual([d]);
    expect(tag.conditions).toMatchObject([{ type: 'ImportSuccess', status: 'False', reason: 'NotFound' }]);
  });

  it('--all imports in PrioritizeTags order up to the limit and names the rest', async () => {
    const dir = tempDir();
    for (const t of ['latest', '1.0', '1.1', '1.1.5', 'v2.0', 'beta'])
      await pushImage(reg, 'team/many', t, { seed: `many-${t}` });
    const r = await runCli([
      '--dir',
      dir,
      'import-image',
      'many',
      '--from',
      `${reg.host}/team/many`,
      '--all',
      '--confirm',
      '--insecure',
      '--max-tags',
      '4',
    ]);
    expect(r.code).toBe(0);
    const headers = [...r.stdout.matchAll(/^Image Name:\t(.*)$/gm)].map((m) => m[1]);
    expect(headers).toEqual(['many:latest', 'many:v2.0', 'many:1.1', 'many:1.0']);
    expect(r.stdout).toContain(
      'info: The remote repository contained 2 additional tags which were not imported: 1.1.5, beta\n',
    );
    expect(load(streamFile(dir, 'many')).spec.tags.map((t: { name: string }) => t.name)).toEqual([
      '1.0',
      '1.1',
      'latest',
      'v2.0',
    ]);
  });

  it('refuses a new stream without --confirm and changes nothing', async () => {
    const dir = tempDir();
    const r = await runCli(['--dir', dir, 'import-image', 'nope', '--from', `${reg.host}/team/app:1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: no image stream named "nope" exists, pass --confirm to create and import');
    expect(fs.readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual([]);
  });
});

describe('tag', () => {
  it('handles each source form with oc messages', async () => {
    const dir = tempDir();
    await pushImage(reg, 'team/web', '1', { seed: 'w1' });
    const d = await skopeoRawDigest(reg, 'team/web:1');

    const docker = await runCli(['--dir', dir, 'tag', `${reg.host}/team/web:1`, 'web:prod', '--insecure']);
    expect(docker.stdout.split('\n')[0]).toBe(`Tag web:prod set to ${reg.host}/team/web:1.`);
    expect(docker.code).toBe(0);
    const file = streamFile(dir, 'web');
    expect(items(file, 'prod')[0].image).toBe(d); // a DockerImage tag is imported right away

    const pinned = await runCli(['--dir', dir, 'tag', 'web:prod', 'web:stable']);
    expect(pinned.stdout.split('\n')[0]).toBe(`Tag web:stable set to web@${d}.`);
    const stable = load(file).spec.tags.find((t: { name: string }) => t.name === 'stable');
    expect(stable.from).toEqual({ kind: 'ImageStreamImage', name: `web@${d}` });
    expect(items(file, 'stable')[0].image).toBe(d);

    const alias = await runCli(['--dir', dir, 'tag', 'web:prod', 'web:live', '--alias']);
    expect(alias.stdout.split('\n')[0]).toBe('Tag web:live set up to track web:prod.');
    expect(load(file).spec.tags.find((t: { name: string }) => t.name === 'live').from).toEqual({
      kind: 'ImageStreamTag',
      name: 'web:prod',
    });

    const scheduled = await runCli([
      '--dir',
      dir,
      'tag',
      `${reg.host}/team/web:1`,
      'web:nightly',
      '--scheduled',
      '--insecure',
    ]);
    expect(scheduled.stdout.split('\n')[0]).toBe(`Tag web:nightly set to import ${reg.host}/team/web:1 periodically.`);

    const ref = await runCli(['--dir', dir, 'tag', `${reg.host}/team/web:1`, 'web:ref', '--reference']);
    expect(ref.code).toBe(0);
    expect(items(file, 'ref')[0]).toMatchObject({ dockerImageReference: `${reg.host}/team/web:1`, image: '' });

    // A new image on prod: the alias follows it, the pinned copy does not.
    await pushImage(reg, 'team/web', '1', { seed: 'w2' });
    const d2 = await skopeoRawDigest(reg, 'team/web:1');
    const re = await runCli(['--dir', dir, 'import-image', 'web:prod']);
    expect(re.code).toBe(0);
    expect(items(file, 'prod')[0].image).toBe(d2);
    expect(items(file, 'live')[0].image).toBe(d2);
    expect(items(file, 'stable')[0].image).toBe(d);

    const del = await runCli(['--dir', dir, 'tag', '-d', 'web:ref']);
    expect(del.stdout.split('\n')[0]).toBe('Deleted tag default/web:ref.');
    expect(load(file).spec.tags.some((t: { name: string }) => t.name === 'ref')).toBe(false);
    expect(load(file).status.tags.some((t: { tag: string }) => t.tag === 'ref')).toBe(false);

    const missing = await runCli(['--dir', dir, 'tag', '-d', 'web:nothere']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'Error from server (NotFound): imagestreamtags.image.openshift.io "web:nothere" not found\n',
    );

    const noImage = await runCli(['--dir', dir, 'tag', 'web:nothere', 'web:x']);
    expect(noImage.stderr).toBe(
      'error: "web:nothere" is not currently pointing to an image, cannot use it as the source of a tag\n',
    );
  });
});

describe('refresh', () => {
  it('--exit-code is 0 with nothing new, 1 after a push, and the summary names old and new digests', async () => {
    const dir = tempDir();
    await pushImage(reg, 'team/cron', 'stable', { seed: 'c1' });
    const d1 = await skopeoRawDigest(reg, 'team/cron:stable');
    expect(
      (await runCli(['--dir', dir, 'tag', `${reg.host}/team/cron:stable`, 'cron:stable', '--insecure', '--scheduled']))
        .code,
    ).toBe(0);

    const quiet = await runCli(['--dir', dir, 'refresh', '--exit-code']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('1 tag checked, 0 changed, 0 failed\n');

    await pushImage(reg, 'team/cron', 'stable', { seed: 'c2' });
    const d2 = await skopeoRawDigest(reg, 'team/cron:stable');
    const dry = await runCli(['--dir', dir, 'refresh', '--exit-code', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(items(streamFile(dir, 'cron'), 'stable')[0].image).toBe(d1); // dry run wrote nothing

    const changed = await runCli(['--dir', dir, 'refresh', '--exit-code', '--scheduled-only']);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain(`default/cron:stable ${d1.slice(0, 19)} -> ${d2.slice(0, 19)}\n`);
    expect(items(streamFile(dir, 'cron'), 'stable').map((i: { image: string }) => i.image)).toEqual([d2, d1]);

    const json = await runCli(['--dir', dir, 'refresh', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      changed: false,
      outcomes: [{ stream: 'cron', tag: 'stable', status: 'unchanged', newDigest: d2 }],
    });
  });

  it('a stream with spec.dockerImageRepository picks up new tags of that repository', async () => {
    const dir = tempDir();
    await pushImage(reg, 'team/repo', 'v1', { seed: 'r1' });
    fs.writeFileSync(
      path.join(dir, 'repo.yaml'),
      `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: repo\n` +
        `  annotations:\n    openshift.io/image.insecureRepository: "true"\nspec:\n` +
        `  dockerImageRepository: ${reg.host}/team/repo\n`,
    );
    const first = await runCli(['--dir', dir, 'refresh']);
    expect(first.code).toBe(0);
    expect(
      load(path.join(dir, 'repo.yaml')).spec.tags.map((t: { name: string; from: { name: string } }) => [
        t.name,
        t.from.name,
      ]),
    ).toEqual([['v1', `${reg.host}/team/repo:v1`]]);

    await pushImage(reg, 'team/repo', 'v2', { seed: 'r2' });
    const d2 = await skopeoRawDigest(reg, 'team/repo:v2');
    const second = await runCli(['--dir', dir, 'refresh', '--exit-code']);
    expect(second.code).toBe(1);
    expect(items(path.join(dir, 'repo.yaml'), 'v2')[0].image).toBe(d2);
    expect(second.stdout).toContain('2 tags checked, 1 changed, 0 failed');
  });
});
