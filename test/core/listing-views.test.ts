/**
 * The listing views (src/core/listing-views.ts): `get is` / `get is -A` as a table or `-o name`
 * print the views the object index keeps for unchanged files instead of parsing them, so every
 * view must print exactly what its stream prints. Checked row by row over every ImageStream of
 * the corpus (openshift-apiserver pkg/image/printers/internalversion/printer.go printImageStream
 * is what both go through), then through the CLI: cold (the index is written), warm (views
 * read back) and with the cache deleted must agree, and an index whose views are damaged or
 * were made by other views is not used.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LISTING_VIEWS, type StoredViews, imageStreamView, streamViews } from '../../src/core/listing-views.js';
import { mayRefresh, refreshSources } from '../../src/core/refresh-candidates.js';
import { decorateImageStream } from '../../src/core/get.js';
import { parseLabelSelector } from '../../src/core/selector.js';
import type { ImageStream } from '../../src/domain/types.js';
import { imageStreamRow } from '../../src/output/imagestream-table.js';
import { resourceName } from '../../src/output/serialize.js';
import { parseStateFile } from '../../src/state/parse.js';
import type { StoredObject } from '../../src/state/types.js';
import { CORPUS } from '../fixtures/corpus.js';
import { fcParams } from '../helpers/fuzz.js';
import { runCli, tempDir } from '../helpers/index.js';

const INDEX = '.isctl/cache/objects-v1.json';
const VIEWS = '.isctl/cache/views-v1.json';
const HOUR_AGO = new Date(Date.now() - 3600_000);
const NOW = new Date('2026-11-22T12:00:00Z');

function corpusFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? corpusFiles(p) : /\.(ya?ml|json)$/i.test(d.name) ? [p] : [];
  });
}

/** Every ImageStream of the corpus that loads cleanly, with its file. */
function corpusStreams(): { file: string; stream: ImageStream }[] {
  return corpusFiles(CORPUS).flatMap((file) =>
    parseStateFile(path.relative(CORPUS, file), fs.readFileSync(file, 'utf8'))
      .objects.filter((o) => o.object.kind === 'ImageStream')
      .map((o) => ({ file, stream: o.object as ImageStream })),
  );
}

const asStored = (s: ImageStream, namespace: string) =>
  ({ original: s, object: s, namespace }) as unknown as StoredObject<ImageStream>;

/** What a view must print as its stream does: the row with and without an internal registry, `-o name`, labels. */
function expectSamePrint(stream: ImageStream, what: string): void {
  const views = LISTING_VIEWS.of(stream) as StoredViews;
  expect(views, what).toBeDefined();
  // The views survive the index: JSON, and their shape passes the check applied when they are read back.
  const stored = JSON.parse(JSON.stringify(views)) as StoredViews;
  expect(LISTING_VIEWS.check('ImageStream', stored), what).toBe(true);
  // Read back, they are the listing view and the refresh flag of the stream.
  expect(streamViews(stored).listing, what).toEqual(imageStreamView(stream));
  expect(streamViews(stored).refresh).toBe(mayRefresh(stream));
  // …and the repositories a refresh connects to ahead (none when no refresh would look at it).
  expect(streamViews(stored).sources, what).toEqual(mayRefresh(stream) ? refreshSources(stream) : []);
  const back = streamViews(stored).listing;
  for (const registry of ['', 'image-registry.openshift-image-registry.svc:5000']) {
    const full = decorateImageStream(asStored(stream, 'team'), registry);
    const fromView = decorateImageStream(asStored(back, 'team'), registry);
    expect(imageStreamRow(fromView, NOW), what).toEqual(imageStreamRow(full, NOW));
    expect(resourceName(fromView)).toBe(resourceName(full));
  }
  for (const key of Object.keys(stream.metadata.labels ?? {})) {
    expect(parseLabelSelector(`${key}=${stream.metadata.labels![key]}`)(back.metadata.labels), what).toBe(true);
    expect(parseLabelSelector(`!${key}`)(back.metadata.labels), what).toBe(false);
  }
}

const word = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,12}$/);
const created = fc.oneof(
  fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2026-11-22T11:59:59Z'), noInvalidDate: true })
    .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
  fc.constant(''),
  fc.constant('not a time'),
);
const item = fc.record(
  { created, dockerImageReference: word, image: word, generation: fc.nat(5) },
  { requiredKeys: ['dockerImageReference', 'image', 'generation'] },
);
/** Streams as a folder may hold them: tags with and without items, repeated tags, both repositories or none. */
const generatedStream: fc.Arbitrary<ImageStream> = fc
  .record({
    name: word,
    labels: fc.option(fc.dictionary(word, word, { maxKeys: 3 }), { nil: undefined }),
    specRepo: fc.option(fc.constantFrom('quay.io/acme/app', 'registry.example:5000/team/app:latest', 'bad::ref'), {
      nil: undefined,
    }),
    statusRepo: fc.option(fc.constantFrom('', '172.30.1.1:5000/team/app'), { nil: undefined }),
    publicRepo: fc.option(fc.constantFrom('', 'default-route.example/team/app'), { nil: undefined }),
    tags: fc.option(
      fc.array(
        fc.record({
          tag: fc.constantFrom('latest', 'v1', 'v1.1', 'a-very-long-tag-name-1234567890', 'x'),
          items: fc.array(item, { maxLength: 3 }),
        }),
        { maxLength: 12 },
      ),
      { nil: undefined },
    ),
    withSpec: fc.boolean(),
  })
  .map((g) => {
    const s = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: g.name, ...(g.labels ? { labels: g.labels } : {}) },
    } as ImageStream;
    if (g.withSpec || g.specRepo) s.spec = { ...(g.specRepo ? { dockerImageRepository: g.specRepo } : {}) };
    if (g.statusRepo !== undefined || g.publicRepo !== undefined || g.tags)
      s.status = {
        ...(g.statusRepo !== undefined ? { dockerImageRepository: g.statusRepo } : {}),
        ...(g.publicRepo !== undefined ? { publicDockerImageRepository: g.publicRepo } : {}),
        ...(g.tags ? { tags: g.tags } : {}),
      } as ImageStream['status'];
    return s;
  });

describe('refreshSources', () => {
  const stream = (tags: object[], extra: object = {}) =>
    ({
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 's' },
      spec: { tags },
      ...extra,
    }) as ImageStream;
  const tag = (name: string, from: string, importPolicy: object = {}) => ({
    name,
    from: { kind: 'DockerImage', name: from },
    importPolicy,
  });
  it('one repository per registry, of the tags a refresh would import over verified TLS', () => {
    const s = stream([
      tag('a', 'quay.example/team/app:1'),
      tag('b', 'quay.example/team/other:2'),
      tag('c', 'ghcr.example/x/y:3'),
      tag('d', 'insecure.example:5000/z:1', { insecure: true }),
      { name: 'e', from: { kind: 'ImageStreamTag', name: 's:a' } },
    ]);
    expect(refreshSources(s)).toEqual(['quay.example/team/app', 'ghcr.example/x/y']);
  });
  it('none for a stream annotated insecure, nor for tags pinned by digest and imported', () => {
    const insecure = stream([tag('a', 'quay.example/team/app:1')], {});
    insecure.metadata.annotations = { 'openshift.io/image.insecureRepository': 'true' };
    expect(refreshSources(insecure)).toEqual([]);
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinned = stream([tag('a', `quay.example/team/app@${digest}`)], {
      status: {
        dockerImageRepository: '',
        tags: [
          {
            tag: 'a',
            items: [{ image: digest, generation: 1, created: '2024-01-01T00:00:00Z', dockerImageReference: 'x' }],
          },
        ],
      },
    });
    expect(refreshSources(pinned)).toEqual([]);
  });
});

describe('listing views', () => {
  const streams = corpusStreams();

  it('print the row, the -o name line and the label match of their stream, for every stream of the corpus', () => {
    expect(streams.length).toBeGreaterThan(40);
    expect(streams.filter((s) => (s.stream.status?.tags ?? []).length > 0).length).toBeGreaterThan(1);
    for (const { file, stream } of streams) expectSamePrint(stream, file);
  });

  it('print what their stream prints, for generated streams (newest items, empty and odd times, repeated tags)', () => {
    fc.assert(
      fc.property(generatedStream, (s) => expectSamePrint(s, JSON.stringify(s))),
      fcParams(Math.min(2000, fcParams().numRuns)),
    );
  });

  it('are smaller than the stream: a view keeps the newest item of each status tag, and of it only the time', () => {
    const big = streams.find((s) => (s.stream.status?.tags ?? []).length > 0)!.stream;
    const view = imageStreamView(big);
    expect(view.status!.tags!.length).toBe(big.status!.tags!.length);
    expect(
      view.status!.tags!.every(
        (t) => (t.items ?? []).length <= 1 && Object.keys(t.items?.[0] ?? {}).join() === 'created',
      ),
    ).toBe(true);
    expect(view.spec).toEqual(
      big.spec?.dockerImageRepository ? { dockerImageRepository: big.spec.dockerImageRepository } : {},
    );
    expect(JSON.stringify(view).length).toBeLessThan(JSON.stringify(big).length / 2);
    // As stored: a flat array, without the field names.
    expect(JSON.stringify(LISTING_VIEWS.of(big)).length).toBeLessThan(JSON.stringify(view).length * 0.7);
  });

  function corpusFolder(): string {
    const dir = tempDir('listing-views');
    for (const [i, { file }] of [...new Map(streams.map((s) => [s.file, s])).values()].entries()) {
      const rel = path.join(`ns-${i % 3}`, path.basename(file));
      fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
      fs.copyFileSync(file, path.join(dir, rel));
      fs.utimesSync(path.join(dir, rel), HOUR_AGO, HOUR_AGO);
    }
    return dir;
  }
  type CacheFile<E> = { views?: unknown; files: Record<string, E> };
  const index = (dir: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, INDEX), 'utf8')) as CacheFile<{ objects: string[][] }>;
  const viewsFile = (dir: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, VIEWS), 'utf8')) as CacheFile<{ views: unknown[] }>;
  const LISTINGS = [
    ['get', 'is', '-A'],
    ['get', 'is', '-A', '-o', 'name'],
    ['get', 'is', '-n', 'ns-1', '-o', 'wide', '--no-headers'],
    ['get', 'is', '-A', '-l', 'app'],
  ];
  const outputs = async (dir: string) => {
    const out: string[] = [];
    for (const args of LISTINGS) {
      const r = await runCli(args, { dir });
      out.push(`${r.code}\n${r.stdout}\n${r.stderr}`);
    }
    return out;
  };

  it('through the CLI: cold, warm (views read back) and without the cache print the same', async () => {
    const dir = corpusFolder();
    const cold = await outputs(dir);
    // Some corpus files define the same objects with metadata.namespace: reported, exit 1, listed once.
    expect(cold[0]).toMatch(/^[01]\nNAMESPACE\s+NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED\n/);
    const idx = index(dir);
    const vf = viewsFile(dir);
    expect(vf.views).toBe(LISTING_VIEWS.id);
    // The objects file names the views file it was written with.
    expect((idx.views as { id: string }).id).toBe(LISTING_VIEWS.id);
    const recorded = Object.entries(idx.files).flatMap(([rel, f]) =>
      f.objects.map((o, i) => ({ kind: o[0], view: vf.files[rel]?.views[i] })),
    );
    expect(recorded.filter((o) => o.kind === 'ImageStream').length).toBe(streams.length);
    expect(recorded.every((o) => (o.kind === 'ImageStream') === (o.view !== null && o.view !== undefined))).toBe(true);
    expect(await outputs(dir)).toEqual(cold);
    fs.rmSync(path.join(dir, '.isctl/cache'), { recursive: true });
    expect(await outputs(dir)).toEqual(cold);
  });

  it('a damaged view, or views of other views, are not used: the file is read again', async () => {
    const dir = corpusFolder();
    const cold = await outputs(dir);
    const idx = index(dir);
    const vf = viewsFile(dir);
    const [file] = Object.entries(idx.files).find(([, f]) => f.objects[0]?.[0] === 'ImageStream')!;
    const entry = vf.files[file];
    // Wrong shapes a JSON edit (or a bug) could leave: tags that are not a list, a name that is not a string.
    for (const damage of [
      (v: StoredViews) => v.map((x, i) => (i === 6 ? [null, null, 'latest'] : x)),
      (v: StoredViews) => v.map((x, i) => (i === 2 ? 42 : x)),
      (v: StoredViews) => v.map((x, i) => (i === 0 ? 'yes' : x)),
      (v: StoredViews) => v.slice(1),
      (v: StoredViews) => v.map((x, i) => (i === 4 ? { app: 1 } : x)),
      () => 'ImageStream',
    ]) {
      const copy = structuredClone(vf);
      copy.files[file].views[0] = damage(entry.views[0] as StoredViews);
      fs.writeFileSync(path.join(dir, VIEWS), JSON.stringify(copy));
      // Rewritten in place: the objects file no longer vouches for it, and everything is recorded again.
      expect(await outputs(dir)).toEqual(cold);
      expect(viewsFile(dir).files[file]).toEqual(entry);
    }
    // Views of another isctl (another id), or none at all (a cache from before views): recorded again.
    fs.writeFileSync(path.join(dir, VIEWS), JSON.stringify({ ...vf, views: 'other-views-0' }));
    expect(await outputs(dir)).toEqual(cold);
    expect(viewsFile(dir)).toEqual(vf);
    fs.rmSync(path.join(dir, VIEWS));
    expect(await outputs(dir)).toEqual(cold);
    expect(viewsFile(dir)).toEqual(vf);
  });

  it('only listings read or write the views file; a stream a non-listing command changed is recorded at the next listing', async () => {
    const dir = corpusFolder();
    // A folder name is not a namespace: the stream is in the default namespace.
    const ns = 'default';
    const name = 'zz-app';
    const text = `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\nspec: {}\n`;
    fs.writeFileSync(path.join(dir, 'ns-0', `${name}.yaml`), text);
    fs.utimesSync(path.join(dir, 'ns-0', `${name}.yaml`), HOUR_AGO, HOUR_AGO);
    // Some corpus files repeat objects (reported, exit 1): what matters is the stream and the cache.
    const d = await runCli(['describe', 'is', name, '-n', ns], { dir });
    expect(d.stdout).toMatch(new RegExp(`^Name:\\s+${name}$`, 'm'));
    expect(fs.existsSync(path.join(dir, INDEX))).toBe(true);
    expect(fs.existsSync(path.join(dir, VIEWS))).toBe(false);
    const cold = await outputs(dir);
    const before = fs.readFileSync(path.join(dir, VIEWS), 'utf8');
    const t = await runCli(['tag', '--reference', 'quay.io/acme/fresh:1', `${name}:fresh-tag`, '-n', ns], { dir });
    expect(t.stdout).toContain('Tag zz-app:fresh-tag set to quay.io/acme/fresh:1.');
    expect(fs.readFileSync(path.join(dir, VIEWS), 'utf8')).toBe(before);
    const after = await outputs(dir);
    expect(after).not.toEqual(cold);
    expect(after[0]).toMatch(/^default\s+zz-app\s+\S+\s+fresh-tag/m);
    expect(fs.readFileSync(path.join(dir, VIEWS), 'utf8')).not.toBe(before);
    // Recorded: the same listing again, with the cache deleted, prints the same.
    fs.rmSync(path.join(dir, '.isctl/cache'), { recursive: true });
    expect(await outputs(dir)).toEqual(after);
  });

  it('an edited stream is listed as it is now, not as its view was', async () => {
    const dir = corpusFolder();
    await outputs(dir);
    const [file] = Object.entries(index(dir).files).find(([, f]) => f.objects[0]?.[0] === 'ImageStream')!;
    const name = index(dir).files[file].objects[0][2];
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const json = file.endsWith('.json');
    // A label added in the file: the next listing selects the stream by it.
    const edited = json
      ? JSON.stringify({ ...JSON.parse(text), metadata: { ...JSON.parse(text).metadata, labels: { fresh: 'yes' } } })
      : text.replace(/^metadata:\n/m, 'metadata:\n  labels:\n    fresh: "yes"\n');
    expect(edited).not.toBe(text);
    fs.writeFileSync(path.join(dir, file), edited);
    const r = await runCli(['get', 'is', '-A', '-l', 'fresh=yes', '-o', 'name'], { dir });
    expect(r.stdout).toBe(`imagestream.image.openshift.io/${name}\n`);
  });
});
