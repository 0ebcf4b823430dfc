import { describe, expect, it } from 'vitest';
import { eventKey, matchPushEvent, matchPushEvents, type StreamView } from '../../src/server/matcher.js';
import type { ImageStream, TagReference } from '../../src/domain/types.js';

function stream(
  namespace: string,
  name: string,
  tags: Record<string, string | Partial<TagReference>>,
  dockerImageRepository?: string,
): StreamView {
  const spec: ImageStream['spec'] = {
    tags: Object.entries(tags).map(([tag, src]) =>
      typeof src === 'string'
        ? { name: tag, from: { kind: 'DockerImage', name: src } }
        : ({ name: tag, ...src } as TagReference),
    ),
  };
  if (dockerImageRepository) spec.dockerImageRepository = dockerImageRepository;
  return {
    namespace,
    name,
    stream: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name }, spec },
  };
}

const streams: StreamView[] = [
  stream('default', 'nginx', {
    latest: 'nginx',
    stable: 'docker.io/library/nginx:1.27',
    pinned: `nginx@sha256:${'a'.repeat(64)}`,
  }),
  stream('default', 'web', { prod: 'index.docker.io/acme/web:1.4', canary: 'acme/web:1.5' }),
  stream('team', 'app', {
    '1.0': '127.0.0.1:5004/reglab/app:1.0',
    docker: '127.0.0.1:5004/reglab/app:docker',
    other: 'localhost:5004/reglab/app:1.0',
  }),
  stream('team', 'alias', {
    a: { from: { kind: 'ImageStreamTag', name: 'app:1.0' } },
    r: { from: { kind: 'DockerImage', name: '127.0.0.1:5004/reglab/app:1.0' }, reference: true },
  }),
  stream(
    'team',
    'all',
    { '1.0': 'quay.io/acme/api:1.0', '2.0': 'quay.io/acme/api:2.0', x: 'quay.io/acme/other:2.0' },
    'quay.io/acme/api',
  ),
  stream('team', 'bulk', {
    latest: 'ghcr.io/acme/tool:latest',
    '1.1': 'ghcr.io/acme/tool:1.1',
    '1.0': 'ghcr.io/acme/tool:1.0',
  }),
  stream('team', 'picked', { prod: 'ghcr.io/acme/tool:1.1', dev: 'ghcr.io/acme/tool:latest' }),
];

describe('matchPushEvent', () => {
  it('Docker Hub names are normalised (nginx == docker.io/library/nginx:latest)', () => {
    expect(matchPushEvent({ registryHost: 'docker.io', repository: 'library/nginx', tag: 'latest' }, streams)).toEqual([
      'default/nginx:latest',
    ]);
    expect(
      matchPushEvent({ registryHost: 'registry-1.docker.io', repository: 'library/nginx', tag: '1.27' }, streams),
    ).toEqual(['default/nginx:stable']);
    expect(matchPushEvent({ registryHost: 'docker.io', repository: 'nginx', tag: '1.27' }, streams)).toEqual([
      'default/nginx:stable',
    ]);
    expect(matchPushEvent({ registryHost: 'docker.io', repository: 'acme/web', tag: '1.4' }, streams)).toEqual([
      'default/web:prod',
    ]);
  });

  it('registry host must agree when the sender names one', () => {
    expect(matchPushEvent({ registryHost: '127.0.0.1:5004', repository: 'reglab/app', tag: '1.0' }, streams)).toEqual([
      'team/app:1.0',
    ]);
    expect(matchPushEvent({ registryHost: 'localhost:5004', repository: 'reglab/app', tag: '1.0' }, streams)).toEqual([
      'team/app:other',
    ]);
    expect(matchPushEvent({ registryHost: 'quay.io', repository: 'reglab/app', tag: '1.0' }, streams)).toEqual([]);
    expect(matchPushEvent({ repository: 'reglab/app', tag: '1.0' }, streams)).toEqual([
      'team/app:1.0',
      'team/app:other',
    ]);
  });

  it('skips digest-pinned sources, ImageStreamTag aliases and reference tags', () => {
    expect(matchPushEvent({ registryHost: 'docker.io', repository: 'library/nginx', tag: 'pinned' }, streams)).toEqual(
      [],
    );
  });

  it('a whole-repository stream (spec.dockerImageRepository) matches any tag of it, including a new one', () => {
    expect(matchPushEvent({ registryHost: 'quay.io', repository: 'acme/api', tag: '3.0' }, streams).sort()).toEqual([
      'team/all:1.0',
      'team/all:2.0',
      'team/all:3.0',
    ]);
    expect(matchPushEvent({ registryHost: 'quay.io', repository: 'acme/other', tag: '2.0' }, streams)).toEqual([
      'team/all:x',
    ]);
  });

  it('a stream shaped like import-image --all (tags named after their source tags) matches any tag of its repository', () => {
    expect(matchPushEvent({ registryHost: 'ghcr.io', repository: 'acme/tool', tag: '1.2' }, streams).sort()).toEqual([
      'team/bulk:1.0',
      'team/bulk:1.1',
      'team/bulk:1.2',
      'team/bulk:latest',
    ]);
    // Hand-picked tags of the same repository follow only their own source tag.
    expect(matchPushEvent({ registryHost: 'ghcr.io', repository: 'acme/tool', tag: '1.1' }, streams).sort()).toEqual([
      'team/bulk:1.0',
      'team/bulk:1.1',
      'team/bulk:latest',
      'team/picked:prod',
    ]);
  });

  it('unions several events and keys events for coalescing', () => {
    const events = [
      { registryHost: 'docker.io', repository: 'acme/web', tag: '1.5' },
      { registryHost: 'index.docker.io', repository: 'acme/web', tag: '1.5' },
      { registryHost: '127.0.0.1:5004', repository: 'reglab/app', tag: 'docker' },
    ];
    expect([...matchPushEvents(events, streams)]).toEqual(['default/web:canary', 'team/app:docker']);
    expect(eventKey(events[0])).toBe(eventKey(events[1]));
    expect(eventKey({ registryHost: 'docker.io', repository: 'nginx', tag: 'x' })).toBe('docker.io/library/nginx:x');
  });
});

describe('policy tags', () => {
  it('a push of any tag of the repository selects a tag that follows a version policy (it may move there)', () => {
    const views = [
      stream('team', 'app', {
        stable: {
          from: { kind: 'DockerImage', name: 'quay.io/org/app:1.2.6' },
          annotations: { 'isctl.io/policy': 'semver:~1.2' },
        },
        pinned: 'quay.io/org/app:1.2.6',
      }),
    ];
    expect(matchPushEvent({ registryHost: 'quay.io', repository: 'org/app', tag: '1.2.7' }, views)).toEqual([
      'team/app:stable',
    ]);
    expect(matchPushEvent({ registryHost: 'quay.io', repository: 'org/other', tag: '1.2.7' }, views)).toEqual([]);
  });
});
