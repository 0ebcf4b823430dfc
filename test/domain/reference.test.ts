/**
 * The library-go pull-spec grammar (pkg/image/reference), table-driven with the vectors of
 * openshift/library-go pkg/image/reference/reference_test.go TestParse plus the error texts.
 */
import { describe, expect, it } from 'vitest';
import {
  parseDockerImageReference,
  exact,
  withDigest,
  registryLocation,
  mostSpecific,
} from '../../src/domain/reference.js';
import { parsePullSpec, pullSpecWithDigest } from '../../src/domain/pullspec.js';
import { InvalidReferenceError } from '../../src/domain/errors.js';

const D = 'sha256:3c87c572822935df60f0f5d3665bd376841a7fcfeb806b5f212de6a00e9a7b25';
const a = (n: number) => 'a'.repeat(n);
const b = (n: number) => 'b'.repeat(n);

type Row = [from: string, registry: string, namespace: string, name: string, tag: string, id: string];
const valid: Row[] = [
  ['foo', '', '', 'foo', '', ''],
  ['foo:tag', '', '', 'foo', 'tag', ''],
  [D, '', '', 'sha256', D.slice(7), ''],
  [`foo@${D}`, '', '', 'foo', '', D],
  ['bar/foo', '', 'bar', 'foo', '', ''],
  ['bar/foo:tag', '', 'bar', 'foo', 'tag', ''],
  [`bar/foo@${D}`, '', 'bar', 'foo', '', D],
  ['bar/foo/baz', '', 'bar', 'foo/baz', '', ''],
  ['bar/library/baz', '', 'bar', 'library/baz', '', ''],
  ['bar/foo/baz:tag', '', 'bar', 'foo/baz', 'tag', ''],
  [`bar/foo/baz@${D}`, '', 'bar', 'foo/baz', '', D],
  ['bar:5000/foo/baz', 'bar:5000', 'foo', 'baz', '', ''],
  ['bar:5000/library/baz', 'bar:5000', 'library', 'baz', '', ''],
  ['bar:5000/baz', 'bar:5000', '', 'baz', '', ''],
  ['bar:5000/foo/baz:tag', 'bar:5000', 'foo', 'baz', 'tag', ''],
  [`bar:5000/foo/baz@${D}`, 'bar:5000', 'foo', 'baz', '', D],
  ['myregistry.io/foo', 'myregistry.io', '', 'foo', '', ''],
  ['localhost/bar', 'localhost', '', 'bar', '', ''],
  ['docker.io/library/myapp', 'docker.io', 'library', 'myapp', '', ''],
  ['docker.io/myapp', 'docker.io', '', 'myapp', '', ''],
  ['docker.io/user/myapp', 'docker.io', 'user', 'myapp', '', ''],
  ['docker.io/user/project/myapp', 'docker.io', 'user', 'project/myapp', '', ''],
  ['index.docker.io/bar', 'index.docker.io', '', 'bar', '', ''],
  [`bar:5000/${a(63)}/${b(182)}:tag`, 'bar:5000', a(63), b(182), 'tag', ''],
  [`docker.io/library/${b(231)}:tag`, 'docker.io', 'library', b(231), 'tag', ''],
  [`docker.io/${b(231)}:tag`, 'docker.io', '', b(231), 'tag', ''],
  ['quay.io', 'quay.io', '', '', '', ''],
  ['quay.io/org', 'quay.io', '', 'org', '', ''],
  ['localhost:5000', 'localhost:5000', '', '', '', ''],
  ['localhost:5000/org', 'localhost:5000', '', 'org', '', ''],
  ['bar/foo/baz/biz', '', 'bar', 'foo/baz/biz', '', ''],
  ['wildfly:15.0', '', '', 'wildfly', '15.0', ''],
  ['myregistry/myteam/image:tag', '', 'myregistry', 'myteam/image', 'tag', ''],
  [`quay.io/ns/app:v1@${D}`, 'quay.io', 'ns', 'app', 'v1', D],
  ['Registry.Example.com:443/ns/app:UPPER_tag', 'Registry.Example.com:443', 'ns', 'app', 'UPPER_tag', ''],
];

const rejected: [from: string, message: RegExp][] = [
  [`bar:5000/${a(63)}/${b(183)}:tag`, /must not be more than 255 characters/],
  [`docker.io/${b(246)}:tag`, /must not be more than 255 characters/],
  ['registry.io/foo/bar/:Tag', /invalid reference format/],
  ['https://bar:5000/foo/baz', /invalid reference format/],
  [`http://bar:5000/foo/baz@${D}`, /invalid reference format/],
  ['registry:3000/integration/imageStream:success', /repository name must be lowercase/],
  [
    'registry:5000/integration/test-image-stream@sha256:00000000000000000000000000000001',
    /invalid checksum digest length/,
  ],
  ['abc@badid', /invalid reference format/],
  ['index.docker.io/mysql@sha256:bad', /invalid reference format/],
  [`@${D}`, /invalid reference format/],
  [':tag', /invalid reference format/],
  ['bar/foo/baz////biz', /invalid reference format/],
  ['//foo/baz/biz', /invalid reference format/],
  ['ftp://baz/baz/biz', /invalid reference format/],
  ['', /must have at least one component/],
  [`foo@md5:${'0'.repeat(32)}`, /unsupported digest algorithm/],
  [`foo:${'t'.repeat(129)}`, /invalid reference format/],
];

describe('parseDockerImageReference', () => {
  it.each(valid)('parses %s', (from, registry, namespace, name, tag, id) => {
    expect(parseDockerImageReference(from)).toEqual({ registry, namespace, name, tag, id });
  });

  it.each(rejected)('rejects %j', (from, message) => {
    let err: unknown;
    try {
      parseDockerImageReference(from);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidReferenceError);
    expect((err as InvalidReferenceError).message).toMatch(message);
    // The message quotes the spec so the user sees which input was wrong.
    if (from.length < 100) expect((err as InvalidReferenceError).message).toContain(`"${from}"`);
  });

  it('accepts sha384 and sha512 digests of the right length', () => {
    expect(parseDockerImageReference(`foo@sha384:${'a'.repeat(96)}`).id).toBe(`sha384:${'a'.repeat(96)}`);
    expect(parseDockerImageReference(`foo@sha512:${'a'.repeat(128)}`).id).toBe(`sha512:${'a'.repeat(128)}`);
  });
});

describe('what is recorded and where requests go', () => {
  it.each([
    ['nginx:1.25', `nginx@${D}`],
    ['quay.io/ns/app:v1', `quay.io/ns/app@${D}`],
    ['docker.io/library/nginx', `docker.io/library/nginx@${D}`],
    [`quay.io/ns/app:v1@${`sha256:${'1'.repeat(64)}`}`, `quay.io/ns/app@${D}`],
  ])('%s is recorded as %s (no docker.io/library/ insertion)', (from, want) => {
    expect(withDigest(parseDockerImageReference(from), D)).toBe(want);
    expect(pullSpecWithDigest(parsePullSpec(from), D)).toBe(want);
  });

  it.each([
    ['nginx', { host: 'registry-1.docker.io', repository: 'library/nginx', reference: 'latest' }],
    ['docker.io/user/app:1', { host: 'registry-1.docker.io', repository: 'user/app', reference: '1' }],
    ['index.docker.io/nginx', { host: 'registry-1.docker.io', repository: 'library/nginx', reference: 'latest' }],
    ['quay.io/org', { host: 'quay.io', repository: 'org', reference: 'latest' }],
    [`127.0.0.1:5000/a/b/c:t@${D}`, { host: '127.0.0.1:5000', repository: 'a/b/c', reference: D }],
    [
      'myregistry/myteam/image:tag',
      { host: 'registry-1.docker.io', repository: 'myregistry/myteam/image', reference: 'tag' },
    ],
  ])('%s is fetched from %j', (from, want) => {
    expect(registryLocation(parseDockerImageReference(from))).toEqual(want);
  });

  it('exact and mostSpecific print only what was given', () => {
    const r = parseDockerImageReference(`quay.io/ns/app:v1@${D}`);
    expect(exact(mostSpecific(r))).toBe(`quay.io/ns/app@${D}`);
    expect(exact(parseDockerImageReference('foo'))).toBe('foo');
  });
});

describe('oci: specs', () => {
  it.each([
    ['oci:./image:1.0', { path: './image', tag: '1.0', digest: '' }],
    ['oci:/abs/path', { path: '/abs/path', tag: '', digest: '' }],
    [`oci:../hello-oci@${D}`, { path: '../hello-oci', tag: '', digest: D }],
    ['oci:dir/with:colon/x:multi', { path: 'dir/with:colon/x', tag: 'multi', digest: '' }],
  ])('%s', (raw, want) => {
    expect(parsePullSpec(raw)).toMatchObject({ transport: 'oci', ...want });
  });
  it('rejects an empty path', () => {
    expect(() => parsePullSpec('oci:')).toThrow(/needs a path/);
  });
});
