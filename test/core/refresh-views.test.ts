/**
 * `refresh` reads in full only the streams it may re-import a tag of (src/core/refresh-candidates.ts
 * `mayRefresh`, kept in the object index beside each stream): the flag must be exact — false
 * only where no selection (all tags, scheduled only, any filter) picks a tag of the stream, as
 * the tagImportable, scheduled and digest-pinned rules of openshift-controller-manager
 * pkg/image/controller/scheduled_image_controller.go decide — and a refresh with the index in
 * place must do and print what one without it does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayRefresh } from '../../src/core/refresh-candidates.js';
import { selectTags } from '../../src/core/refresh.js';
import type { ImageStream } from '../../src/domain/types.js';
import type { StoredObject } from '../../src/state/types.js';
import { fcParams } from '../helpers/fuzz.js';
import { EXAMPLE_LAYOUT, runCli, tempDir, testClock } from '../helpers/index.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const SOURCES = [
  'quay.io/acme/app:1',
  `quay.io/acme/app@${D('1')}`,
  `quay.io/acme/app@${D('2')}`,
  'not a pull spec',
  `oci:${EXAMPLE_LAYOUT}:1.0`,
];
const specTag = fc.record({
  name: fc.constantFrom('latest', 'v1', 'v2', 'prod'),
  kind: fc.constantFrom('DockerImage', 'ImageStreamTag', 'ImageStreamImage'),
  from: fc.constantFrom(...SOURCES),
  reference: fc.boolean(),
  scheduled: fc.boolean(),
  generation: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
});
const statusTag = fc.record({
  tag: fc.constantFrom('latest', 'v1', 'v2', 'prod'),
  generation: fc.integer({ min: 0, max: 3 }),
  image: fc.constantFrom(D('1'), D('2')),
});
const generated = fc
  .record({
    tags: fc.array(specTag, { maxLength: 5 }),
    status: fc.array(statusTag, { maxLength: 4 }),
    repo: fc.boolean(),
  })
  .map(
    (g) =>
      ({
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name: 'app' },
        spec: {
          ...(g.repo ? { dockerImageRepository: 'quay.io/acme/app' } : {}),
          tags: g.tags.map((t) => ({
            name: t.name,
            from: { kind: t.kind, name: t.from },
            ...(t.reference ? { reference: true } : {}),
            importPolicy: t.scheduled ? { scheduled: true } : {},
            ...(t.generation !== undefined ? { generation: t.generation } : {}),
          })),
        },
        status: {
          tags: g.status.map((s) => ({
            tag: s.tag,
            items: [
              {
                created: '2026-11-01T10:00:00Z',
                dockerImageReference: `quay.io/acme/app@${s.image}`,
                image: s.image,
                generation: s.generation,
              },
            ],
          })),
        },
      }) as unknown as ImageStream,
  );
const stored = (s: ImageStream) =>
  ({
    original: s,
    object: s,
    current: s,
    namespace: 'team',
    name: 'app',
    kind: 'ImageStream',
  }) as unknown as StoredObject<ImageStream>;

describe('mayRefresh', () => {
  it('is false exactly when no selection picks a tag and there is no repository to list', () => {
    fc.assert(
      fc.property(generated, (s) => {
        const selections = [{}, { scheduledOnly: true }, { match: () => true }];
        const picked = selections.some((sel) => selectTags([stored(s)], sel).length > 0);
        expect(mayRefresh(s)).toBe(picked || Boolean(s.spec?.dockerImageRepository));
        // Without a filter nothing is narrower: when that selection picks nothing, none does.
        expect(selectTags([stored(s)], {}).length > 0 || !picked).toBe(true);
      }),
      fcParams(Math.min(2000, fcParams().numRuns)),
    );
  });
});

const HOUR_AGO = new Date(Date.now() - 3600_000);
const pinned = (name: string) => `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ${name}
spec:
  tags:
  - name: v1
    from: {kind: DockerImage, name: "quay.io/acme/${name}@${D('1')}"}
    generation: 2
status:
  tags:
  - tag: v1
    items:
    - created: "2026-11-01T10:00:00Z"
      dockerImageReference: quay.io/acme/${name}@${D('1')}
      image: ${D('1')}
      generation: 2
`;
const following = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: hello
spec:
  tags:
  - name: "1.0"
    from: {kind: DockerImage, name: "oci:${EXAMPLE_LAYOUT}:1.0"}
`;

function folder(): string {
  const dir = tempDir('refresh-views');
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
    fs.utimesSync(path.join(dir, rel), HOUR_AGO, HOUR_AGO);
  };
  for (let i = 0; i < 30; i++) put(`ns-${i % 3}/s${i}.yaml`, pinned(`s${i}`));
  put('ns-1/hello.yaml', following);
  return dir;
}
const clock = testClock('2026-11-22T12:00:00Z');

describe('refresh with the views in the object index', () => {
  it('prints and writes what a refresh without the index does', async () => {
    const run = async (keepIndex: boolean) => {
      const dir = folder();
      await runCli(['get', 'is', '-A'], { dir, clock });
      const index = JSON.parse(fs.readFileSync(path.join(dir, '.isctl/cache/views-v1.json'), 'utf8')) as {
        files: Record<string, { views: [refresh: boolean, ...unknown[]][] }>;
      };
      // Only the stream following a tag is flagged: the 30 pinned and imported ones are not.
      expect(
        Object.entries(index.files)
          .filter(([, f]) => f.views[0][0])
          .map(([k]) => k),
      ).toEqual(['ns-1/hello.yaml']);
      if (!keepIndex) fs.rmSync(path.join(dir, '.isctl/cache'), { recursive: true });
      const dry = await runCli(['refresh', '-A', '--dry-run'], { dir, clock });
      const real = await runCli(['refresh', '-A', '-o', 'json'], { dir, clock });
      const again = await runCli(['refresh', '-A'], { dir, clock });
      return { dry, real, again, hello: fs.readFileSync(path.join(dir, 'ns-1/hello.yaml'), 'utf8') };
    };
    const withIndex = await run(true);
    const without = await run(false);
    expect(withIndex.dry.stdout).toContain('hello');
    expect(withIndex.hello).toContain('image: sha256:65cffdb47163fd448029de2e80f2ed31f6571e5c7b73151ef31bc40d6d8d2f9a');
    for (const k of ['dry', 'real', 'again'] as const)
      expect({ code: withIndex[k].code, stdout: withIndex[k].stdout, stderr: withIndex[k].stderr }).toEqual({
        code: without[k].code,
        stdout: without[k].stdout,
        stderr: without[k].stderr,
      });
    expect(withIndex.hello).toBe(without.hello);
  });

  // src/core/refresh.ts passes readFirst (src/state/store.ts) when every tag is unchanged.
  it('a refresh with nothing to record answers while another writer holds the folder lock', async () => {
    const dir = folder();
    expect((await runCli(['refresh', '-A'], { dir, clock })).code).toBe(0);
    const hello = fs.readFileSync(path.join(dir, 'ns-1/hello.yaml'), 'utf8');
    // A live process of this machine that is not this one (the runner that forked this worker) holds the lock.
    const holder = { hostname: os.hostname(), started: '2024-01-01T00:00:00Z', token: 'theirs', pid: process.ppid };
    fs.writeFileSync(path.join(dir, '.isctl/lock'), JSON.stringify(holder));
    // Without readFirst the refresh waits up to the lock's 60 s deadline; bounded here to 15 s.
    const r = await Promise.race([
      runCli(['refresh', '-A', '-o', 'json'], { dir, clock }),
      new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 15_000).unref()),
    ]);
    expect(r).not.toBe('waited');
    const done = r as Awaited<ReturnType<typeof runCli>>;
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const outcomes = (JSON.parse(done.stdout) as { outcomes: { stream: string; reason: string }[] }).outcomes;
    expect(outcomes.map((o) => `${o.stream} ${o.reason}`)).toEqual(['hello Unchanged']);
    expect(fs.readFileSync(path.join(dir, 'ns-1/hello.yaml'), 'utf8')).toBe(hello);
    fs.rmSync(path.join(dir, '.isctl/lock'));
  }, 30_000);

  it('re-imports a pinned stream again once its file changes so that it is no longer imported', async () => {
    const dir = folder();
    await runCli(['get', 'is', '-A'], { dir, clock });
    // The pin moves to the image of the OCI layout: the stream now has a tag to import.
    fs.writeFileSync(
      path.join(dir, 'ns-0/s0.yaml'),
      pinned('s0').replace(`"quay.io/acme/s0@${D('1')}"`, `"oci:${EXAMPLE_LAYOUT}:1.0"`),
    );
    const r = await runCli(['refresh', '-A', '-o', 'json'], { dir, clock });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'ns-0/s0.yaml'), 'utf8')).toContain(
      'image: sha256:65cffdb47163fd448029de2e80f2ed31f6571e5c7b73151ef31bc40d6d8d2f9a',
    );
  });
});
