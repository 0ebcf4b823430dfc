/**
 * Policy tags end to end against a real Distribution registry (Debian's docker-registry), with
 * `skopeo inspect` as the digest oracle: semver ranges as Masterminds/semver reads them
 * (constraints.go), Flux's numerical and alphabetical orders (fluxcd/image-reflector-controller
 * internal/policy), a cooldown counted from isctl's own first sight of a digest, and tag lists
 * paged with a `Link: <…>; rel="next"` header (distribution spec, "Listing Tags").
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  startPagingProxy,
  startRegistry,
  pushImage,
  pushManifest,
  skopeoRawDigest,
  type PagingProxy,
  type TestRegistry,
} from '../helpers/registry/index.js';
import { runCli as isctl, tempDir, testClock } from '../helpers/index.js';

const tempFolder = (): string => tempDir('policy-e2e');

let reg: TestRegistry;
let proxy: PagingProxy;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
  proxy = await startPagingProxy(reg.url, { pageSize: 100 });
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await reg?.stop();
});

const streamFile = (dir: string, name: string) => path.join(dir, 'imagestreams', 'default', `${name}.yaml`);
const load = (file: string) => parse(fs.readFileSync(file, 'utf8'));
const spec = (file: string, tag: string) => load(file).spec.tags.find((t: { name: string }) => t.name === tag);
const status = (file: string, tag: string) => load(file).status.tags.find((t: { tag: string }) => t.tag === tag);

const DC = `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: " "
  triggers:
  - type: ImageChange
    imageChangeParams:
      automatic: true
      containerNames: [web]
      from: {kind: ImageStreamTag, name: "app:stable"}
`;

describe('semver policy with a cooldown, refresh and a DeploymentConfig rollout', () => {
  it('picks 1.2.5 for ~1.2, moves to 1.2.6 on refresh, holds back a fresh 1.2.7 under --min-age and says why', async () => {
    const dir = tempFolder();
    const clock = testClock('2026-11-22T10:00:00Z');
    for (const [i, t] of ['1.0.0', '1.2.0', '1.2.5', '1.3.0-rc.1', '2.0.0'].entries()) {
      await pushImage(reg, 'team/app', t, { seed: `app-${i}` });
    }
    fs.writeFileSync(path.join(dir, 'web-dc.yaml'), DC);
    const d125 = await skopeoRawDigest(reg, 'team/app:1.2.5');

    const tagged = await isctl(
      ['--dir', dir, 'tag', `${reg.host}/team/app`, 'app:stable', '--policy', 'semver:~1.2', '--insecure'],
      { clock },
    );
    expect(tagged.stderr).toBe('');
    expect(tagged.code).toBe(0);
    expect(tagged.stdout).toContain(`Tag app:stable set to ${reg.host}/team/app:1.2.5 (semver:~1.2 picked 1.2.5).`);
    const file = streamFile(dir, 'app');
    expect(spec(file, 'stable')).toMatchObject({
      from: { kind: 'DockerImage', name: `${reg.host}/team/app:1.2.5` },
      annotations: { 'isctl.io/policy': 'semver:~1.2' },
      importPolicy: { insecure: true },
    });
    expect(status(file, 'stable').items.map((i: { image: string }) => i.image)).toEqual([d125]);
    const dcAfterTag = parse(fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8'));
    expect(dcAfterTag.spec.template.spec.containers[0].image).toBe(`${reg.host}/team/app@${d125}`);
    const versionAfterTag = dcAfterTag.status.latestVersion;

    // A new patch release: refresh moves the tag (spec and history) and rolls the DeploymentConfig out.
    await pushImage(reg, 'team/app', '1.2.6', { seed: 'app-126' });
    const d126 = await skopeoRawDigest(reg, 'team/app:1.2.6');
    clock.advance(60_000);
    const moved = await isctl(['--dir', dir, 'refresh'], { clock });
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('default/app:stable 1.2.5 -> 1.2.6 ');
    expect(spec(file, 'stable').from.name).toBe(`${reg.host}/team/app:1.2.6`);
    expect(status(file, 'stable').items.map((i: { image: string }) => i.image)).toEqual([d126, d125]);
    const dc = parse(fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8'));
    expect(dc.spec.template.spec.containers[0].image).toBe(`${reg.host}/team/app@${d126}`);
    expect(dc.status.latestVersion).toBe(versionAfterTag + 1);
    expect(moved.stdout).toContain('deploymentconfig/web: rolled out version');

    // A cooldown: 1.2.7 is newer, but isctl has only just seen it.
    const cooled = await isctl(['--dir', dir, 'set', 'policy', 'app:stable', '--min-age', '1h'], { clock });
    expect(cooled.code).toBe(0);
    expect(spec(file, 'stable').annotations).toEqual({ 'isctl.io/policy': 'semver:~1.2', 'isctl.io/min-age': '1h' });
    await pushImage(reg, 'team/app', '1.2.7', { seed: 'app-127' });
    const d127 = await skopeoRawDigest(reg, 'team/app:1.2.7');
    clock.advance(60_000);
    const json = await isctl(['--dir', dir, '-o', 'json', 'refresh'], { clock });
    expect(json.code).toBe(0);
    const outcome = JSON.parse(json.stdout).outcomes.find((o: { tag: string }) => o.tag === 'stable');
    expect(outcome).toMatchObject({
      reason: 'HeldBack',
      status: 'unchanged',
      newDigest: d126,
      policy: {
        policy: 'semver:~1.2',
        chosen: '1.2.6',
        heldBack: {
          tag: '1.2.7',
          reason: 'MinAge',
          digest: d127,
          until: '2026-11-22T11:02:00Z',
          minAgeRemaining: '1h0m0s',
          minAgeRemainingSeconds: 3600,
        },
      },
    });
    expect(spec(file, 'stable').from.name).toBe(`${reg.host}/team/app:1.2.6`);
    expect(load(file).metadata.annotations['isctl.io/first-seen']).toContain(
      `"1.2.7":{"digest":"${d127}","firstSeen":"2026-11-22T10:02:00Z"}`,
    );

    // The text form says it in one line; describe shows the policy, the choice and what waits.
    clock.advance(30 * 60_000);
    const text = await isctl(['--dir', dir, 'refresh'], { clock });
    expect(text.stdout).toContain(
      'default/app:stable held back 1.2.7: first seen 2026-11-22T10:02:00Z, younger than --min-age 1h (30m0s remaining); stays at 1.2.6\n',
    );
    const described = await isctl(['--dir', dir, 'describe', 'is', 'app'], { clock });
    expect(described.stdout).toMatch(/policy:\s+semver:~1\.2 \(--min-age 1h\)\n/);
    expect(described.stdout).toMatch(/chosen:\s+1\.2\.6\n/);
    expect(described.stdout).toMatch(
      /held back:\s+1\.2\.7: first seen 2026-11-22T10:02:00Z, younger than --min-age 1h \(30m0s remaining\)\n/,
    );

    // Once the cooldown is over the tag moves.
    clock.advance(31 * 60_000);
    const later = await isctl(['--dir', dir, 'refresh'], { clock });
    expect(later.stdout).toContain('default/app:stable 1.2.6 -> 1.2.7 ');
    expect(status(file, 'stable').items.map((i: { image: string }) => i.image)).toEqual([d127, d126, d125]);
    expect(load(file).metadata.annotations?.['isctl.io/held-back']).toBeUndefined();

    // No matching tag: ImportSuccess=False with NoMatchingTag, history kept, from untouched.
    const none = await isctl(['--dir', dir, 'set', 'policy', 'app:stable', '--policy', 'semver:~9'], { clock });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error: tag app:stable failed: no tag satisfies semver:~9');
    const st = status(file, 'stable');
    expect(st.items).toHaveLength(3);
    expect(st.conditions).toEqual([
      expect.objectContaining({ type: 'ImportSuccess', status: 'False', reason: 'NoMatchingTag' }),
    ]);
    expect(spec(file, 'stable').from.name).toBe(`${reg.host}/team/app:1.2.7`);
    const jsonNone = await isctl(['--dir', dir, '-o', 'json', 'refresh'], { clock });
    expect(JSON.parse(jsonNone.stdout).outcomes.find((o: { tag: string }) => o.tag === 'stable')).toMatchObject({
      status: 'failed',
      reason: 'NoMatchingTag',
      error: { reason: 'NoMatchingTag' },
    });
  });

  it('refuses bad input before anything is written', async () => {
    const dir = tempFolder();
    const cases: [string[], RegExp][] = [
      [['--policy', 'semver:~1.2.'], /--policy: invalid semver range "~1\.2\.": improper constraint/],
      [['--policy', 'numerical:up'], /--policy: unknown order "up" for numerical/],
      [['--policy', 'numerical:asc', '--tag-filter', '('], /--tag-filter: invalid regular expression/],
      [
        ['--policy', 'numerical:asc', '--tag-filter', '^b-(?P<n>[0-9]+)$', '--tag-extract', '$num'],
        /--tag-extract: \$num is not a group of --tag-filter \(its named groups: n\)/,
      ],
      [['--policy', 'semver:*', '--min-age', 'soon'], /--min-age: invalid duration "soon"/],
      [['--tag-filter', '^v'], /--tag-filter needs --policy/],
    ];
    for (const [flags, message] of cases) {
      const r = await isctl(['--dir', dir, 'tag', `${reg.host}/team/app`, 'app:x', '--insecure', ...flags]);
      expect(r.code, flags.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    const tagged = await isctl([
      '--dir',
      dir,
      'tag',
      `${reg.host}/team/app:1.0.0`,
      'app:x',
      '--policy',
      'semver:*',
      '--insecure',
    ]);
    expect(tagged.code).toBe(1);
    expect(tagged.stderr).toContain('drop ":1.0.0"');
    const nothing = await isctl([
      '--dir',
      dir,
      'tag',
      `${reg.host}/team/app`,
      'app:x',
      '--policy',
      'semver:~9',
      '--insecure',
    ]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('no tag satisfies semver:~9');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('numerical and alphabetical policies', () => {
  it('numerical:asc over build-9, build-10, build-100 picks build-100; alphabetical:asc over dates picks the later', async () => {
    const dir = tempFolder();
    for (const t of ['build-9', 'build-10', 'build-100']) await pushImage(reg, 'team/builds', t, { seed: t });
    for (const t of ['2026-01-03', '2026-02-01']) await pushImage(reg, 'team/dated', t, { seed: t });
    const num = await isctl([
      '--dir',
      dir,
      'tag',
      `${reg.host}/team/builds`,
      'builds:main',
      '--insecure',
      '--policy',
      'numerical:asc',
      '--tag-filter',
      '^build-(?P<n>[0-9]+)$',
      '--tag-extract',
      '$n',
    ]);
    expect(num.stderr).toBe('');
    expect(spec(streamFile(dir, 'builds'), 'main').from.name).toBe(`${reg.host}/team/builds:build-100`);
    expect(status(streamFile(dir, 'builds'), 'main').items[0].image).toBe(
      await skopeoRawDigest(reg, 'team/builds:build-100'),
    );

    const alpha = await isctl([
      '--dir',
      dir,
      'tag',
      `${reg.host}/team/dated`,
      'dated:latest',
      '--insecure',
      '--policy',
      'alphabetical:asc',
    ]);
    expect(alpha.stderr).toBe('');
    expect(spec(streamFile(dir, 'dated'), 'latest').from.name).toBe(`${reg.host}/team/dated:2026-02-01`);

    // Without the filter a numerical policy meets a tag that is not a number and fails, as Flux does.
    await pushImage(reg, 'team/builds', 'latest', { seed: 'latest' });
    const failing = await isctl([
      '--dir',
      dir,
      'set',
      'policy',
      'builds:main',
      '--policy',
      'numerical:asc',
      '--tag-filter',
      '',
      '--tag-extract',
      '',
    ]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('tag "build-10" is not a number');
  });
});

describe('tag lists over pages', () => {
  it('reads every page of a repository of more than 1,000 tags, once per run for all its policy tags', async () => {
    const dir = tempFolder();
    const base = await pushImage(reg, 'team/many', '0.0.0', { seed: 'many' });
    const m = base.images[0].manifest;
    // 1,050 versions 0.0.x and one 9.0.0: the registry lists tags in lexical order, so the
    // highest version is on the eleventh page of 100.
    for (let i = 1; i < 1050; i += 25) {
      const batch = Array.from({ length: Math.min(25, 1050 - i) }, (_, k) => `0.0.${i + k}`);
      await Promise.all(batch.map((t) => pushManifest(reg, 'team/many', t, m.bytes, m.mediaType)));
    }
    await pushImage(reg, 'team/many', '9.0.0', { seed: 'many-9' });
    const d9 = await skopeoRawDigest(reg, 'team/many:9.0.0');

    for (const t of ['a', 'b']) {
      const r = await isctl([
        '--dir',
        dir,
        'tag',
        `${proxy.host}/team/many`,
        `many:${t}`,
        '--insecure',
        '--policy',
        'semver:*',
      ]);
      expect(r.stderr).toBe('');
    }
    expect(spec(streamFile(dir, 'many'), 'a').from.name).toBe(`${proxy.host}/team/many:9.0.0`);
    expect(status(streamFile(dir, 'many'), 'a').items[0].image).toBe(d9);

    proxy.requests.length = 0;
    const r = await isctl(['--dir', dir, '-o', 'json', 'refresh', 'many']);
    expect(r.code).toBe(0);
    const lists = proxy.requests.filter((q) => q.includes('/tags/list'));
    // Eleven pages, requested once for both tags: the first page, then each Link target.
    expect(lists).toHaveLength(11);
    const lexical = [...Array.from({ length: 1050 }, (_, i) => `0.0.${i}`), '9.0.0'].sort();
    expect(lists[0]).toBe('GET /v2/team/many/tags/list?n=1000');
    expect(lists[1]).toBe(`GET /v2/team/many/tags/list?n=100&last=${lexical[99]}`);
    expect(lists[10]).toBe(`GET /v2/team/many/tags/list?n=100&last=${lexical[999]}`);
    const outcomes = JSON.parse(r.stdout).outcomes;
    expect(outcomes.map((o: { tag: string; reason: string }) => [o.tag, o.reason])).toEqual([
      ['a', 'Unchanged'],
      ['b', 'Unchanged'],
    ]);
    // Unchanged: one HEAD per chosen tag besides the list.
    expect(proxy.requests.filter((q) => q.startsWith('HEAD '))).toHaveLength(2);
  }, 120_000);
});
