import { describe, expect, it } from 'vitest';
import {
  digestOrImageMatch,
  findSpecTag,
  followTagReference,
  findStatusTag,
  joinImageStreamTag,
  latestTaggedImage,
  parseImageStreamImageName,
  parseImageStreamTagName,
  resolveReferenceForTagEvent,
  splitImageStreamTag,
  statusDockerImageRepository,
} from '../../src/domain/imagestream.js';
import type { ImageStream } from '../../src/domain/types.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

function stream(policy?: string, repo = 'image-registry.openshift-image-registry.svc:5000/ns/app'): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'app', namespace: 'ns' },
    spec: {
      tags: [
        {
          name: 'v1',
          from: { kind: 'DockerImage', name: 'quay.io/a/app:v1' },
          ...(policy ? { referencePolicy: { type: policy } } : {}),
        },
        { name: 'dup', from: { kind: 'DockerImage', name: 'first' } },
        { name: 'dup', from: { kind: 'DockerImage', name: 'second' } },
      ],
    },
    status: {
      dockerImageRepository: repo,
      tags: [
        {
          tag: 'v1',
          items: [
            { created: '2024-01-02T00:00:00Z', dockerImageReference: `quay.io/a/app@${D2}`, image: D2, generation: 2 },
            { created: '2024-01-01T00:00:00Z', dockerImageReference: `quay.io/a/app@${D1}`, image: D1, generation: 1 },
          ],
        },
        {
          tag: 'latest',
          items: [{ created: '2024-01-01T00:00:00Z', dockerImageReference: `x@${D1}`, image: D1, generation: 1 }],
        },
        { tag: 'empty', items: null },
      ],
    },
  };
}

describe('tag lookup', () => {
  it('finds spec and status tags; duplicate spec names resolve to the last, as the API does', () => {
    const s = stream();
    expect(findSpecTag(s, 'v1')?.from?.name).toBe('quay.io/a/app:v1');
    expect(findSpecTag(s, 'dup')?.from?.name).toBe('second');
    expect(findSpecTag(s, 'nope')).toBeUndefined();
    expect(findStatusTag(s, 'v1')?.items).toHaveLength(2);
  });
  it('latestTaggedImage is items[0]; empty tag means latest; null items mean none', () => {
    const s = stream();
    expect(latestTaggedImage(s, 'v1')?.image).toBe(D2);
    expect(latestTaggedImage(s, '')?.dockerImageReference).toBe(`x@${D1}`);
    expect(latestTaggedImage(s, 'empty')).toBeUndefined();
    expect(latestTaggedImage(s, 'missing')).toBeUndefined();
  });
});

describe('resolveReferenceForTagEvent', () => {
  const ev = { created: '', dockerImageReference: `quay.io/a/app@${D2}`, image: D2, generation: 2 };
  it.each([
    ['Source', undefined, `quay.io/a/app@${D2}`],
    [undefined, undefined, `quay.io/a/app@${D2}`],
    ['Local', undefined, `image-registry.openshift-image-registry.svc:5000/ns/app@${D2}`],
    ['Local', '', `quay.io/a/app@${D2}`],
  ])('policy %s (repo %s) → %s', (policy, repo, want) => {
    expect(resolveReferenceForTagEvent(stream(policy, repo ?? undefined), 'v1', ev)).toBe(want);
  });
  it('Local without an image ID falls back to the event reference', () => {
    expect(resolveReferenceForTagEvent(stream('Local'), 'v1', { ...ev, image: '' })).toBe(ev.dockerImageReference);
  });
});

describe('statusDockerImageRepository', () => {
  it('uses the internal registry, else spec.dockerImageRepository without tag', () => {
    expect(statusDockerImageRepository('ns', 'app', 'image-registry.openshift-image-registry.svc:5000')).toBe(
      'image-registry.openshift-image-registry.svc:5000/ns/app',
    );
    expect(statusDockerImageRepository('ns', 'app', '', { dockerImageRepository: 'quay.io/a/b:tag' })).toBe(
      'quay.io/a/b',
    );
    expect(statusDockerImageRepository('ns', 'app', '')).toBe('');
  });
});

describe('istag / isimage names', () => {
  it.each([
    ['app:v1', { name: 'app', tag: 'v1', ok: true }],
    ['app', { name: 'app', tag: 'latest', ok: false }],
    ['app:', { name: 'app', tag: 'latest', ok: true }],
  ])('splitImageStreamTag(%s)', (input, want) => expect(splitImageStreamTag(input)).toEqual(want));

  it('joins with latest for an empty tag', () => {
    expect(joinImageStreamTag('app', '')).toBe('app:latest');
    expect(joinImageStreamTag('app', 'v1')).toBe('app:v1');
  });

  it.each([
    ['app@sha256:abc', '"app@sha256:abc" is an image stream image, not an image stream tag'],
    ['app', 'expected exactly one : delimiter in the istag "app"'],
    ['a:b:c', 'expected exactly one : delimiter in the istag "a:b:c"'],
    [':v1', 'image stream tag name ":v1" must have a name and a tag'],
    ['app:', 'image stream tag name "app:" must have a name and a tag'],
  ])('parseImageStreamTagName(%s) fails: %s', (input, msg) => {
    expect(() => parseImageStreamTagName(input)).toThrow(msg);
  });
  it('parses a good istag name', () => expect(parseImageStreamTagName('app:v1')).toEqual({ name: 'app', tag: 'v1' }));

  it.each([
    ['app', 'expected exactly one @ in the isimage name "app"'],
    ['a@b@c', 'expected exactly one @ in the isimage name "a@b@c"'],
    ['@sha256:1', 'image stream image name "@sha256:1" must have a name and ID'],
  ])('parseImageStreamImageName(%s) fails: %s', (input, msg) => {
    expect(() => parseImageStreamImageName(input)).toThrow(msg);
  });
  it('parses a good isimage name', () =>
    expect(parseImageStreamImageName(`app@${D1}`)).toEqual({ name: 'app', id: D1 }));

  it('matches digests by full value or hex prefix', () => {
    expect(digestOrImageMatch(D1, D1)).toBe(true);
    expect(digestOrImageMatch(D1, '1111')).toBe(true);
    expect(digestOrImageMatch(D1, 'sha256:11')).toBe(true);
    expect(digestOrImageMatch(D1, '2222')).toBe(false);
    expect(digestOrImageMatch(D1, '')).toBe(false);
  });
});

describe('followTagReference (library-go TestFollowTagReference cases)', () => {
  const mk = (tags: { name: string; from?: { kind: string; name: string; namespace?: string } }[]): ImageStream => ({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'sameis', namespace: 'ns' },
    spec: { tags },
  });
  it('follows tag and sameis:tag forms to a terminating tag', () => {
    const s = mk([
      { name: 'a', from: { kind: 'ImageStreamTag', name: 'b' } },
      { name: 'b', from: { kind: 'ImageStreamTag', name: 'sameis:c' } },
      { name: 'c', from: { kind: 'DockerImage', name: 'x:1' } },
    ]);
    const r = followTagReference(s, 'a');
    expect(r).toMatchObject({ finalTag: 'c', multiple: true });
    expect(r.ref?.from?.name).toBe('x:1');
    expect(followTagReference(s, 'c')).toMatchObject({ finalTag: 'c', multiple: false });
  });
  it('reports missing, cross-stream, cross-namespace and circular references', () => {
    expect(
      followTagReference(mk([{ name: 'a', from: { kind: 'ImageStreamTag', name: 'missing' } }]), 'a'),
    ).toMatchObject({
      finalTag: 'missing',
      multiple: true,
      problem: 'not-found',
    });
    expect(
      followTagReference(mk([{ name: 'a', from: { kind: 'ImageStreamTag', name: 'other:b' } }]), 'a').problem,
    ).toBe('cross-stream');
    expect(
      followTagReference(mk([{ name: 'a', from: { kind: 'ImageStreamTag', name: 'b', namespace: 'other' } }]), 'a')
        .problem,
    ).toBe('cross-stream');
    const circ = mk([
      { name: 'a', from: { kind: 'ImageStreamTag', name: 'b' } },
      { name: 'b', from: { kind: 'ImageStreamTag', name: 'a' } },
    ]);
    expect(followTagReference(circ, 'a').problem).toBe('circular');
  });
});
