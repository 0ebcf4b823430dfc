/**
 * Mirrors end to end: a source registry nobody can reach (127.0.0.1 on a closed port) served by a
 * running Distribution registry configured as its mirror, through registries.conf
 * (containers-registries.conf(5)) and through an ImageTagMirrorSet in the state folder
 * (config.openshift.io/v1). skopeo, reading the same registries.conf, is the oracle for the digest.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, pushImage, startRegistry, type TestRegistry } from '../helpers/registry/index.js';
import { runCli, tempDir } from '../helpers/index.js';

const run = promisify(execFile);
let mirror: TestRegistry;
let src: string;

beforeAll(async () => {
  mirror = await startRegistry({ mode: 'plain' });
  // A port that was free a moment ago and that nothing listens on: connections are refused.
  src = `127.0.0.1:${await freePort()}`;
  await pushImage(mirror, 'mirrored/team/app', '1.0', { seed: 'mirrored' });
}, 60_000);
afterAll(async () => {
  await mirror?.stop();
});

const streamOf = (dir: string) => parse(fs.readFileSync(path.join(dir, 'imagestreams', 'default', 'app.yaml'), 'utf8'));

function writeConf(dir: string, text: string): string {
  const file = path.join(dir, 'registries.conf');
  fs.writeFileSync(file, text);
  return file;
}

async function skopeoDigest(conf: string, ref: string, home: string): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--no-tags', '--registries-conf', conf, `docker://${ref}`], {
    env: { ...process.env, HOME: home },
  });
  return (JSON.parse(stdout) as { Digest: string }).Digest;
}

describe('mirrors', () => {
  it('registries.conf: an unreachable source is imported from its mirror, recorded under the source name', async () => {
    const dir = tempDir();
    const conf = writeConf(
      dir,
      [
        '# the source is down; its content is mirrored',
        '[[registry]]',
        `prefix = "${src}/team"`,
        `location = "${src}/team"`,
        'insecure = true',
        '',
        '[[registry.mirror]]',
        `location = "${mirror.host}/mirrored/team"`,
        'insecure = true',
        '',
      ].join('\n'),
    );
    const expected = await skopeoDigest(conf, `${src}/team/app:1.0`, dir);
    const r = await runCli(
      ['--registries-conf', conf, '-v=6', 'import-image', 'app:1.0', '--from', `${src}/team/app:1.0`, '--confirm'],
      { dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mirrors: ${src}/team/app answered by mirror ${mirror.host}/mirrored/team/app`);
    // Nothing was sent to the source: the mirror answered first.
    expect(r.stderr).not.toContain(`//${src}/`);
    const item = streamOf(dir).status.tags[0].items[0];
    expect(item.image).toBe(expected);
    expect(item.dockerImageReference).toBe(`${src}/team/app@${expected}`);
    // describe says which mirror answered (the stream records only the source).
    const istag = await runCli(['describe', 'istag', 'app:1.0'], { dir });
    expect(istag.stdout.split('\n').map((l) => l.replace(/\t+/g, ' '))).toContain(
      `Pulled From Mirror: ${mirror.host}/mirrored/team/app`,
    );
    const is = await runCli(['describe', 'is', 'app'], { dir });
    expect(is.stdout).toContain(`  * ${src}/team/app@${expected}\n`);
    expect(is.stdout).toContain(`      pulled from mirror ${mirror.host}/mirrored/team/app\n`);

    // refresh -o json names the mirror that answered (a new image makes the tag import again).
    await pushImage(mirror, 'mirrored/team/app', '1.0', { seed: 'mirrored-2' });
    const after = await skopeoDigest(conf, `${src}/team/app:1.0`, dir);
    const env = { CONTAINERS_REGISTRIES_CONF: conf };
    const refreshed = await runCli(['refresh', '-o', 'json'], { dir, env });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    const outcome = JSON.parse(refreshed.stdout).outcomes[0];
    expect(outcome).toMatchObject({ status: 'changed', newDigest: after, mirror: `${mirror.host}/mirrored/team/app` });
    await pushImage(mirror, 'mirrored/team/app', '1.0', { seed: 'mirrored' });
  });

  it('an ImageTagMirrorSet in the state folder serves tag imports of its source', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'itms.yaml'),
      [
        'apiVersion: config.openshift.io/v1',
        'kind: ImageTagMirrorSet',
        'metadata:',
        '  name: team-mirror',
        'spec:',
        '  imageTagMirrors:',
        `  - source: ${src}/team`,
        '    mirrors:',
        `    - ${mirror.host}/mirrored/team`,
        '    mirrorSourcePolicy: NeverContactSource',
        '',
      ].join('\n'),
    );
    // The same mapping for skopeo (the mirror set has no insecure field: plain HTTP needs it here
    // and, for isctl, registries.conf marks the mirror host insecure).
    const conf = writeConf(
      dir,
      [
        '[[registry]]',
        `location = "${mirror.host}"`,
        'insecure = true',
        '[[registry]]',
        `prefix = "${src}/team"`,
        `location = "${src}/team"`,
        '[[registry.mirror]]',
        `location = "${mirror.host}/mirrored/team"`,
        'insecure = true',
        '',
      ].join('\n'),
    );
    const expected = await skopeoDigest(conf, `${src}/team/app:1.0`, dir);
    const onlyInsecure = writeConf(dir, `[[registry]]\nlocation = "${mirror.host}"\ninsecure = true\n`);
    const r = await runCli(
      ['--registries-conf', onlyInsecure, 'import-image', 'app:1.0', '--from', `${src}/team/app:1.0`, '--confirm'],
      { dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const item = streamOf(dir).status.tags[0].items[0];
    expect(item.image).toBe(expected);
    expect(item.dockerImageReference).toBe(`${src}/team/app@${expected}`);
  });

  it('a blocked registry is refused, its mirrors included', async () => {
    const dir = tempDir();
    const conf = writeConf(
      dir,
      [
        '[[registry]]',
        `location = "${src}"`,
        'blocked = true',
        '[[registry.mirror]]',
        `location = "${mirror.host}/mirrored"`,
        'insecure = true',
        '',
      ].join('\n'),
    );
    const r = await runCli(
      ['--registries-conf', conf, '-v=6', 'import-image', 'app:1.0', '--from', `${src}/team/app:1.0`, '--confirm'],
      { dir },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: tag 1.0 failed: cannot import ${src}/team/app: registry ${src} is blocked in ${conf}`,
    );
    // No request at all, to the mirror or the source.
    expect(r.stderr).not.toMatch(/ (GET|HEAD) http/);
    // As the API server records a failed import: the tag is kept with ImportSuccess=False and no image.
    const tag = streamOf(dir).status.tags[0];
    expect(tag.items).toBeNull();
    expect(tag.conditions[0]).toMatchObject({ type: 'ImportSuccess', status: 'False', reason: 'Blocked' });
  });

  it('a registries.conf that is not valid TOML is reported at its line', async () => {
    const dir = tempDir();
    const conf = writeConf(dir, '[[registry]]\nlocation = "a.example.com"\ninsecure = yes\n');
    const r = await runCli(
      ['--registries-conf', conf, 'import-image', 'app:1.0', '--from', `${src}/team/app:1.0`, '--confirm'],
      { dir },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${conf}:3:`);
  });
});
