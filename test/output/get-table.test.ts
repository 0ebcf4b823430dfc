import { describe, expect, it } from 'vitest';
import { printTagsUpToWidth, sortStatusTags, imageStreamRow } from '../../src/output/imagestream-table.js';
import {
  printImageStreams,
  printImageStreamTags,
  printImageStreamImages,
  parseOutputFormat,
  type PrintOptions,
} from '../../src/output/printer.js';
import type { ImageStream, ImageStreamImage, ImageStreamTag, NamedTagEventList } from '../../src/domain/types.js';
import { expectGolden } from '../helpers/golden.js';
import { NOW, ago, dg } from '../fixtures/streams.js';

const REPO = 'image-registry.openshift-image-registry.svc:5000';

function tags(names: string[], minutesAgo?: (i: number) => number | undefined): NamedTagEventList[] {
  return names.map((tag, i) => {
    const m = minutesAgo ? minutesAgo(i) : 10;
    return {
      tag,
      items:
        m === undefined
          ? null
          : [{ created: ago(m), dockerImageReference: `q/a@${dg('1')}`, image: dg('1'), generation: 1 }],
    };
  });
}

function stream(
  name: string,
  ns: string,
  statusTags: NamedTagEventList[],
  extra: Partial<ImageStream> = {},
): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, namespace: ns },
    spec: {},
    status: { dockerImageRepository: `${REPO}/${ns}/${name}`, tags: statusTags },
    ...extra,
  };
}

const table = (o: Partial<PrintOptions> = {}): PrintOptions => ({
  format: parseOutputFormat(undefined),
  now: NOW,
  ...o,
});

describe('SortStatusTags', () => {
  it('orders newest first, equal times by name, item-less tags last (sort_test.go)', () => {
    const t: NamedTagEventList[] = [
      {
        tag: 'other',
        items: [{ created: '2015-01-01T00:00:00Z', dockerImageReference: 'x', image: '', generation: 0 }],
      },
      {
        tag: 'latest',
        items: [{ created: '2015-01-01T00:00:00Z', dockerImageReference: 'x', image: '', generation: 0 }],
      },
      {
        tag: 'third',
        items: [{ created: '2015-01-01T00:00:00.6Z', dockerImageReference: 'x', image: '', generation: 0 }],
      },
      { tag: 'empty', items: null },
      {
        tag: 'newest',
        items: [{ created: '2016-01-01T00:00:00Z', dockerImageReference: 'x', image: '', generation: 0 }],
      },
    ];
    expect(sortStatusTags(t)).toEqual(['newest', 'third', 'latest', 'other', 'empty']);
  });
});

describe('printTagsUpToWidth (budget 40, margin 10)', () => {
  const same = () => 10;
  it.each([
    [['latest'], 'latest'],
    [['a'.repeat(50)], 'a'.repeat(50)],
    [['a'.repeat(50), 'b'], `${'a'.repeat(50)} + 1 more...`],
    // 8 tags of 4 chars fill the budget exactly; a short 9th is cut (remaining+len = -1 is not > margin).
    [
      ['t001', 't002', 't003', 't004', 't005', 't006', 't007', 't008', 't009'],
      't001,t002,t003,t004,t005,t006,t007,t008 + 1 more...',
    ],
    [
      ['t001', 't002', 't003', 't004', 't005', 't006', 't007', 't008', 't009', 't010', 't011'],
      't001,t002,t003,t004,t005,t006,t007,t008 + 3 more...',
    ],
    // a long tag that overshoots by 6 (≤ margin) while remaining+len = 18 > margin is kept.
    [['a'.repeat(20), 'b'.repeat(24), 'c'], `${'a'.repeat(20)},${'b'.repeat(24)} + 1 more...`],
    // remaining+len must exceed the margin: a long tag after a full line is cut.
    [
      ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb'],
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa + 1 more...',
    ],
  ])('%j → %s', (names, want) => expect(printTagsUpToWidth(tags(names as string[], same), 40)).toBe(want));

  it('counts tags without items as hidden tags when cut', () => {
    const t = [...tags(['a'.repeat(39)]), { tag: 'zz', items: null }];
    expect(printTagsUpToWidth(t, 40)).toBe(`${'a'.repeat(39)} + 1 more...`);
  });
});

describe('get is table', () => {
  it('prints the kubectl table layout example exactly', () => {
    const s = stream(
      'myapp',
      'myproject',
      tags(['latest', '1.25'], (i) => 5 + i),
    );
    const got = printImageStreams([s], table());
    const repo = 'image-registry.openshift-image-registry.svc:5000/myproject/myapp';
    expect(got).toBe(
      `NAME    IMAGE REPOSITORY${' '.repeat(repo.length + 3 - 16)}TAGS          UPDATED\n` +
        `myapp   ${repo}   latest,1.25   5 minutes ago\n`,
    );
    expectGolden('get-is-example.txt', got);
  });

  it('uses public repo over spec over status, blank UPDATED without events, and keeps trailing spaces', () => {
    const pub = stream(
      'pub',
      'ns',
      tags(['v1'], () => 60 * 3),
      {},
    );
    pub.status!.publicDockerImageRepository = 'default-route/ns/pub';
    const spec = stream('spec', 'ns', [], {});
    spec.spec.dockerImageRepository = 'quay.io/x/spec';
    const bare: ImageStream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'bare', namespace: 'ns' },
      spec: {},
    };
    const failed = stream('failed', 'ns', [
      { tag: 'broken', items: null, conditions: [{ type: 'ImportSuccess', status: 'False', generation: 1 }] },
    ]);
    const rows = [pub, spec, bare, failed].map((s) => imageStreamRow(s, NOW).cells);
    expect(rows).toEqual([
      ['pub', 'default-route/ns/pub', 'v1', '3 hours ago'],
      ['spec', 'quay.io/x/spec', '', ''],
      ['bare', '', '', ''],
      ['failed', `${REPO}/ns/failed`, 'broken', ''],
    ]);
    const got = printImageStreams([pub, spec, bare, failed], table());
    expectGolden('get-is-mixed.txt', got);
    expect(got.split('\n')[2]).toMatch(/^spec {5}quay\.io\/x\/spec {2,}$/);
  });

  it('abbreviates long tag lists with + N more... (newest first)', () => {
    const names = ['latest', '1.25', '1.25.3', '1.24', '1.24.0', 'stable', 'mainline', 'alpine', 'alpine-slim', 'perl'];
    const s = stream(
      'nginx',
      'web',
      tags(names, (i) => 10 + i),
    );
    const got = printImageStreams([s], table());
    expect(got.split('\n')[1]).toContain('   latest,1.25,1.25.3,1.24,1.24.0,stable + 4 more...   10 minutes ago');
    expectGolden('get-is-abbreviated-tags.txt', got);
  });

  it('adds NAMESPACE with -A, drops headers with --no-headers; wide adds nothing', () => {
    const a = stream(
      'a',
      'one',
      tags(['latest'], () => 60 * 24 * 20),
    );
    const b = stream(
      'b',
      'two',
      tags(['v1', 'v2', 'v3'], (i) => 1 + i),
    );
    expectGolden('get-is-all-namespaces.txt', printImageStreams([a, b], table({ allNamespaces: true })));
    const noHeaders = printImageStreams([a, b], table({ noHeaders: true }));
    expect(noHeaders.startsWith('a ')).toBe(true);
    expect(noHeaders).toContain('v1,v2,v3');
    expect(printImageStreams([a], table({ format: parseOutputFormat('wide') }))).toBe(printImageStreams([a], table()));
  });
});

function istag(name: string, ref: string, image: string, created: string): ImageStreamTag {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamTag',
    metadata: { name, namespace: 'ns', creationTimestamp: created },
    tag: null,
    generation: 1,
    lookupPolicy: { local: false },
    image: { apiVersion: 'image.openshift.io/v1', kind: 'Image', metadata: { name: image }, dockerImageReference: ref },
  };
}

describe('get istag / isimage tables', () => {
  it('istag: NAME IMAGE REFERENCE UPDATED, wide adds IMAGE NAME', () => {
    const items = [
      istag('myapp:latest', `quay.io/org/app@${dg('1')}`, dg('1'), ago(120)),
      istag('myapp:v1', `quay.io/org/app@${dg('2')}`, dg('2'), ago(60 * 24 * 3)),
    ];
    const got = printImageStreamTags(items, table());
    expect(got.split('\n')[0]).toBe(
      'NAME           IMAGE REFERENCE                                                                           UPDATED',
    );
    expectGolden('get-istag.txt', got);
    expectGolden('get-istag-wide.txt', printImageStreamTags(items, table({ format: parseOutputFormat('wide') })));
  });

  it('isimage: NAME UPDATED, wide adds IMAGE REFERENCE and IMAGE NAME', () => {
    const isi: ImageStreamImage = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamImage',
      metadata: { name: `myapp@${dg('1').slice(0, 19)}`, namespace: 'ns', creationTimestamp: ago(2) },
      image: {
        apiVersion: 'image.openshift.io/v1',
        kind: 'Image',
        metadata: { name: dg('1') },
        dockerImageReference: `quay.io/org/app@${dg('1')}`,
      },
    };
    const got = printImageStreamImages([isi], table());
    expect(got).toBe(`NAME${' '.repeat(24)}UPDATED\nmyapp@sha256:111111111111   2 minutes ago\n`);
    expectGolden('get-isimage-wide.txt', printImageStreamImages([isi], table({ format: parseOutputFormat('wide') })));
  });
});

describe('-o name|json|yaml|jsonpath', () => {
  const a = stream('a', 'ns', tags(['latest']));
  const b = stream('b', 'ns', []);
  it('name prints resource.group/name', () => {
    expect(printImageStreams([a, b], table({ format: parseOutputFormat('name') }))).toBe(
      'imagestream.image.openshift.io/a\nimagestream.image.openshift.io/b\n',
    );
    expect(
      printImageStreamTags([istag('a:latest', 'x', dg('1'), ago(1))], table({ format: parseOutputFormat('name') })),
    ).toBe('imagestreamtag.image.openshift.io/a:latest\n');
  });
  it('json of one named object is the object; of a listing a v1 List', () => {
    const one = JSON.parse(printImageStreams([a], table({ format: parseOutputFormat('json'), singleItem: true })));
    expect(one.kind).toBe('ImageStream');
    const list = printImageStreams([a, b], table({ format: parseOutputFormat('json') }));
    expect(JSON.parse(list)).toMatchObject({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
    expect(list.startsWith('{\n    "apiVersion": "v1",\n    "items": [\n')).toBe(true);
    expect(list.endsWith('\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')).toBe(
      true,
    );
  });
  it('yaml of a listing matches kubectl layout', () => {
    const y = printImageStreams([b], table({ format: parseOutputFormat('yaml') }));
    expectGolden('get-is-yaml-list.txt', y);
    expect(y).toContain('\nkind: List\nmetadata:\n  resourceVersion: ""\n');
    expect(y.startsWith('apiVersion: v1\nitems:\n- apiVersion: image.openshift.io/v1\n')).toBe(true);
  });
  it('jsonpath evaluates against the object or List', () => {
    const jp = (t: string, single = false) =>
      printImageStreams([a, b], table({ format: parseOutputFormat(`jsonpath=${t}`), singleItem: single }));
    expect(jp('{.items[*].metadata.name}')).toBe('a b');
    expect(jp('{range .items[*]}{.metadata.name}{"\\n"}{end}')).toBe('a\nb\n');
    expect(jp('{.items[?(@.metadata.name=="b")].status.dockerImageRepository}')).toBe(`${REPO}/ns/b`);
  });
  it('rejects an unknown -o format with the allowed list', () => {
    expect(() => parseOutputFormat('xml')).toThrow(
      'unable to match a printer suitable for the output format "xml", allowed formats are: json, jsonpath, name, wide, yaml',
    );
  });
});

describe('printers on empty objects (printer_test.go TestPrintersWithDeepCopy)', () => {
  it('print without failing; an unset time reads as Go saturation does', () => {
    const is = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: '' },
      spec: {},
    } as ImageStream;
    expect(imageStreamRow(is, NOW).cells).toEqual(['', '', '', '']);
    const ist = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamTag',
      metadata: { name: '' },
    } as unknown as ImageStreamTag;
    expect(printImageStreamTags([ist], table({ format: parseOutputFormat('wide') })).split('\n')[1]).toMatch(
      /^ +292 years ago {3}$/,
    );
    const isi = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamImage',
      metadata: { name: '' },
    } as unknown as ImageStreamImage;
    expect(printImageStreamImages([isi], table()).split('\n')[1]).toMatch(/^ +292 years ago$/);
  });
});
