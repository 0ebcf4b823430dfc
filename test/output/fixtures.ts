/** Objects for printer tests, built from the cases in ../shared/reference/oc-cli.md §3-§5. */
import type { Image, ImageStream } from '../../src/domain/types.js';

/** The fixed clock of every printer test. */
export const NOW = new Date('2026-01-01T10:05:00Z');

/** `t` minutes before NOW as RFC 3339. */
export function ago(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A 64-hex digest made of one repeated character. */
export function dg(c: string): string {
  return `sha256:${c.repeat(64).slice(0, 64)}`;
}

/** oc-cli.md §4.5: `myapp` with `latest` imported from quay.io and `stable` an alias of it. */
export function workedExampleStream(): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: 'myapp',
      namespace: 'myproject',
      creationTimestamp: ago(5),
      annotations: { 'openshift.io/image.dockerRepositoryCheck': '2026-01-01T10:00:00Z' },
    },
    spec: {
      lookupPolicy: { local: false },
      tags: [
        { name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/org/app:latest' }, generation: 1 },
        { name: 'stable', from: { kind: 'ImageStreamTag', name: 'latest' }, generation: 1 },
      ],
    },
    status: {
      dockerImageRepository: 'image-registry.openshift-image-registry.svc:5000/myproject/myapp',
      tags: [
        {
          tag: 'latest',
          items: [
            {
              created: ago(5),
              dockerImageReference: `quay.io/org/app@${dg('0123')}`,
              image: dg('0123'),
              generation: 1,
            },
          ],
        },
      ],
    },
  };
}

/** oc helpers_test.go TestFormatImageStreamTags, with the times taken relative to NOW. */
export function helpersTestStream(): ImageStream {
  const d4bd = 'sha256:4bd26aef1ce78b4f05ede83496276f11e3343441574ca1ce89dffd146c708c16';
  const d062 = 'sha256:062b80555a5dd7f5d58e78b266785a399277ff8c3e402ce5fa5d8571788e6bad';
  const de52 = 'sha256:e52c6534db85036dabac5e71ff14e720db94def2d90f986f3548425ea27b3719';
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'helpers' },
    spec: {
      tags: [
        { name: 'spec1', from: { kind: 'ImageStreamTag', namespace: 'foo', name: 'bar:latest' } },
        { name: 'spec2', from: { kind: 'ImageStreamImage', namespace: 'mysql', name: `latest@${de52}` } },
        {
          name: 'spec3',
          from: { kind: 'DockerImage', name: 'mysql' },
          importPolicy: { scheduled: true },
          generation: 3,
          referencePolicy: { type: 'Local' },
        },
        { name: 'spec4', from: { kind: 'DockerImage', name: 'mysql:2' }, reference: true },
        { name: 'spec5' },
      ],
    },
    status: {
      tags: [
        {
          tag: 'default',
          items: [
            {
              created: ago(60 * 24 * 3),
              dockerImageReference: `registry:5000/foo/bar@${d4bd}`,
              image: d4bd,
              generation: 0,
            },
            {
              created: ago(60 * 24 * 4 + 143),
              dockerImageReference: `registry:5000/foo/bar@${d062}`,
              image: d062,
              generation: 0,
            },
          ],
        },
        {
          tag: 'spec1',
          items: [
            {
              created: ago(60 * 24 * 3),
              dockerImageReference: `registry:5000/foo/bar@${d4bd}`,
              image: d4bd,
              generation: 0,
            },
          ],
        },
        {
          tag: 'spec2',
          items: [{ created: ago(60 * 24 * 3), dockerImageReference: 'mysql:latest', image: de52, generation: 0 }],
        },
        {
          tag: 'spec3',
          conditions: [
            {
              type: 'ImportSuccess',
              status: 'False',
              reason: 'NotFound',
              message: 'Image not found due to error',
              generation: 0,
              lastTransitionTime: ago(20),
            },
          ],
          items: [{ created: ago(60 * 24 * 3), dockerImageReference: 'mysql:latest', image: de52, generation: 2 }],
        },
      ],
    },
  };
}

/** The nginx-like image of the §4.5 `describe istag` example. */
export function workedExampleImage(): Image {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'Image',
    metadata: {
      name: dg('0123'),
      creationTimestamp: ago(5),
      annotations: { 'image.openshift.io/dockerLayersOrder': 'ascending' },
    },
    dockerImageReference: `quay.io/org/app@${dg('0123')}`,
    dockerImageMetadata: {
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/1.0',
      Id: dg('c0'),
      Created: ago(60 * 24 * 15),
      Architecture: 'amd64',
      Size: 28_400_000,
      Config: {
        Entrypoint: ['/docker-entrypoint.sh'],
        Cmd: ['nginx', '-g', 'daemon off;'],
        ExposedPorts: { '80/tcp': {} },
        Labels: { maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>' },
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NGINX_VERSION=1.25.3'],
      },
    },
    dockerImageMetadataVersion: '1.0',
    dockerImageLayers: [
      { name: dg('a'), size: 28_400_000, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
      { name: dg('b'), size: 1200, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    ],
    dockerImageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  };
}
