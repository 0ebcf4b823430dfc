import { describe, expect, it } from 'vitest';
import { describeImageStream } from '../../src/output/describe-imagestream.js';
import { describeImage } from '../../src/output/describe-image.js';
import type { Image, ImageStream } from '../../src/domain/types.js';
import { arrows, expectGolden } from '../helpers/golden.js';
import { NOW, ago, dg, helpersTestStream, workedExampleImage, workedExampleStream } from '../fixtures/streams.js';

describe('describe is', () => {
  it('prints the worked example (an imported tag and an alias of it) byte for byte', () => {
    const want = arrows(
      [
        'Name:→→→myapp',
        'Namespace:→→myproject',
        'Created:→→5 minutes ago',
        'Labels:→→→<none>',
        'Annotations:→→openshift.io/image.dockerRepositoryCheck=2026-01-01T10:00:00Z',
        'Image Repository:→image-registry.openshift-image-registry.svc:5000/myproject/myapp',
        'Image Lookup:→→local=false',
        'Unique Images:→→1',
        'Tags:→→→2',
        '',
        'latest (stable)',
        '  tagged from quay.io/org/app:latest',
        '',
        `  * quay.io/org/app@${dg('0123')}`,
        '      5 minutes ago',
        '',
      ].join('\n'),
    );
    const got = describeImageStream(workedExampleStream(), NOW);
    expect(got).toBe(want);
    expectGolden('describe-is-worked-example.txt', got);
  });

  it('contains every substring oc helpers_test.go TestFormatImageStreamTags expects', () => {
    const got = describeImageStream(helpersTestStream(), NOW);
    for (const s of [
      'no spec tag',
      'tag without source image',
      'Unique Images:\t\t3',
      'Tags:\t\t\t6',
      '* registry:5000/foo/bar@sha256:4bd26',
      'registry:5000/foo/bar@sha256:062b80',
      'tagged from foo/bar:latest',
      'tagged from mysql/latest@sha256:e52c65',
      'updates automatically from registry mysql',
      'reference to registry mysql:2',
      'prefer registry pullthrough when referencing this tag',
      '~ importing latest image ...',
      '! error: Import failed (NotFound): Image not found due to error',
    ]) {
      expect(got).toContain(s);
    }
    expectGolden('describe-is-helpers-test.txt', got);
  });

  it('prints Tags: <none> for a stream without tags, and a description annotation apart', () => {
    const s: ImageStream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: {
        name: 'empty',
        namespace: 'ns',
        labels: { b: '2', a: '1' },
        annotations: { description: 'Line one\nLine two', x: 'y' },
      },
      spec: { lookupPolicy: { local: true } },
    };
    const want = arrows(
      [
        'Name:→→→empty',
        'Namespace:→→ns',
        'Labels:→→→a=1',
        '→→→b=2',
        'Description:→→Line one',
        '→→→Line two',
        'Annotations:→→x=y',
        'Image Repository:→<none>',
        'Image Lookup:→→local=true',
        'Tags:→→→<none>',
        '',
      ].join('\n'),
    );
    expect(describeImageStream(s, NOW)).toBe(want);
  });

  it('counts an image-less reference event as one extra unique image and prints tag-form ids', () => {
    const s: ImageStream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'r', namespace: 'ns' },
      spec: {
        tags: [
          { name: 'ref', from: { kind: 'DockerImage', name: 'quay.io/a/b:1' }, reference: true, generation: 1 },
          {
            name: 'v1',
            from: { kind: 'DockerImage', name: 'quay.io/a/b:v1' },
            generation: 1,
            annotations: { description: 'Desc', tags: 'a,b', supports: 'x,y', sampleRepo: 'https://e/x' },
          },
        ],
      },
      status: {
        dockerImageRepository: 'reg/ns/r',
        tags: [
          {
            tag: 'ref',
            items: [{ created: ago(120), dockerImageReference: 'quay.io/a/b:1', image: '', generation: 1 }],
          },
          {
            tag: 'v1',
            items: [{ created: ago(90), dockerImageReference: 'quay.io/a/b:v1', image: dg('e'), generation: 1 }],
          },
        ],
      },
    };
    const got = describeImageStream(s, NOW);
    expect(got).toContain('Unique Images:\t\t2\n');
    expect(got).toContain(arrows('  Desc\n  Tags: a, b\n  Supports: x, y\n  Example Repo: https://e/x\n\n'));
    expect(got).toContain(arrows(`  * quay.io/a/b:v1\n      2 hours ago→${dg('e')}\n`));
    expect(got).toContain('ref\n  reference to registry quay.io/a/b:1\n\n  * quay.io/a/b:1\n      2 hours ago\n');
    expectGolden('describe-is-reference-tags.txt', got);
  });
});

describe('describe istag / isimage (DescribeImage)', () => {
  it('prints the describe istag example byte for byte', () => {
    const want = arrows(
      [
        `Image Name:→${dg('0123')}`,
        `Docker Image:→quay.io/org/app@${dg('0123')}`,
        `Name:→→${dg('0123')}`,
        'Created:→5 minutes ago',
        'Annotations:→image.openshift.io/dockerLayersOrder=ascending',
        'Image Size:→28.4MB in 2 layers',
        `Layers:→→28.4MB→${dg('a')}`,
        `→→1.2kB→${dg('b')}`,
        'Image Created:→2 weeks ago',
        'Author:→→<none>',
        'Arch:→→amd64',
        'Entrypoint:→/docker-entrypoint.sh',
        'Command:→nginx -g daemon off;',
        'Working Dir:→<none>',
        'User:→→<none>',
        'Exposes Ports:→80/tcp',
        'Docker Labels:→maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>',
        'Environment:→PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '→→NGINX_VERSION=1.25.3',
        '',
      ].join('\n'),
    );
    const got = describeImage(workedExampleImage(), dg('0123'), NOW);
    expect(got).toBe(want);
    expectGolden('describe-istag-worked-example.txt', got);
  });

  function testImage(layers: [number, string][], size: number): Image {
    return {
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata: { name: 'test' },
      dockerImageLayers: layers.map(([s, n]) => ({ name: n, size: s, mediaType: '' })),
      dockerImageMetadata: { Id: '', Size: size, Created: ago(60) },
    };
  }

  it.each([
    ['name', testImage([], 0), [/Name:.+test/]],
    [
      'layers',
      testImage(
        [
          [3409, 'sha256:1234'],
          [1024, 'sha256:5678'],
        ],
        0,
      ),
      [/Layers:.+3.409kB\ssha256:1234/, /1.024kB\ssha256:5678/, /Image Size:.+0B in 2 layers/],
    ],
    [
      'size',
      testImage(
        [
          [3409, 'sha256:1234'],
          [1024, 'sha256:5678'],
        ],
        4430,
      ),
      [/Image Size:.+4.43kB in 2 layers/],
    ],
  ])('matches oc describer_test.go TestDescribeImage case %s', (_n, image, res) => {
    const got = describeImage(image, '', NOW);
    for (const re of res) expect(got).toMatch(re);
  });

  it('prints Layer Size and Manifests for a preserved manifest list', () => {
    const list: Image = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata: { name: dg('f') },
      dockerImageReference: `quay.io/a/b@${dg('f')}`,
      dockerImageMetadata: { Id: dg('f'), Created: ago(3) },
      dockerImageManifests: [
        { digest: 'sha256:1234', mediaType: '', manifestSize: 1, architecture: 'amd64', os: 'linux' },
        { digest: 'sha256:5678', mediaType: '', manifestSize: 1, architecture: 's390x', os: 'linux' },
      ],
    };
    const got = describeImage(list, '', NOW);
    expect(got).toMatch(/Manifests:\slinux\/amd64\ssha256:1234/);
    expect(got).toMatch(/linux\/s390x\ssha256:5678/);
    expect(got).toContain('Layer Size:\t0B\n');
    expect(got).toContain('Command:\t<none>\n');
    expectGolden('describe-isimage-manifest-list.txt', got);
  });
});

describe('describe: where the image came from and who signed it (isctl lines, only when recorded)', () => {
  const provenance = {
    source: 'quay.io/org/app',
    mirror: 'mirror.example/org/app',
    signature: {
      policy: '/etc/policy.json',
      scope: 'docker quay.io/org',
      signers: ['sigstore key sha256:ab (identity quay.io/org/app)'],
    },
  };
  it('describe istag adds Pulled From Mirror, Signature Policy and Signed By after Name', () => {
    const plain = describeImage(workedExampleImage(), dg('0123'), NOW);
    const got = describeImage(workedExampleImage(), dg('0123'), NOW, provenance);
    const lines = got.split('\n').map((l) => l.replace(/\t+/g, ' '));
    const name = lines.findIndex((l) => l.startsWith('Name: '));
    expect(lines.slice(name + 1, name + 4)).toEqual([
      'Pulled From Mirror: mirror.example/org/app',
      'Signature Policy: /etc/policy.json (docker quay.io/org)',
      'Signed By: sigstore key sha256:ab (identity quay.io/org/app)',
    ]);
    // Without a record the text is oc's, unchanged.
    expect(describeImage(workedExampleImage(), dg('0123'), NOW, undefined)).toBe(plain);
    expect(
      describeImage(workedExampleImage(), dg('0123'), NOW, {
        source: 'quay.io/org/app',
        mirror: 'm.example/x\u001b[2J',
      }),
    ).toContain('m.example/x\\x1b[2J');
  });
  it('describe is adds the lines under the current image only', () => {
    const stream = workedExampleStream();
    const current = stream.status?.tags?.[0]?.items?.[0]?.image ?? '';
    const got = describeImageStream(stream, NOW, new Map([[current, provenance]]));
    expect(got).toContain('      pulled from mirror mirror.example/org/app\n');
    expect(got).toContain('      signed by sigstore key sha256:ab (identity quay.io/org/app)\n');
    expect(describeImageStream(stream, NOW, new Map())).toBe(describeImageStream(stream, NOW));
  });
});
