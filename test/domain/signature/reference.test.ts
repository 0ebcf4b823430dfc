/**
 * signedIdentity matching and policy scopes, table-driven from containers/image
 * signature/policy_reference_match_test.go (prmExactMatchTestTable, prmRepositoryMatchTestTable,
 * TestPMMMatchRepoDigestOrExactMatchesDockerReference) and docker/policyconfiguration/naming_test.go.
 */
import { describe, expect, it } from 'vitest';
import {
  matchesSignedIdentity,
  parseNormalizedNamed,
  policyScopes,
  referenceString,
  type SignedIdentity,
} from '../../../src/domain/signature/reference.js';

const fullRHELRef = 'registry.access.redhat.com/rhel7/rhel:7.2.3';
const untaggedRHELRef = 'registry.access.redhat.com/rhel7/rhel';
const digestSuffix = '@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const digestSuffixOther = '@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

type Row = [a: string, b: string, result: boolean];
const exactTable: Row[] = [
  ['busybox:latest', 'busybox:latest', true],
  [fullRHELRef, fullRHELRef, true],
  [`busybox${digestSuffix}`, `busybox${digestSuffix}`, true],
  ['library/busybox:latest', 'busybox:latest', true],
  ['docker.io/library/busybox:latest', 'busybox:latest', true],
  [`library/busybox${digestSuffix}`, `busybox${digestSuffix}`, true],
  ['busybox:latest', 'busybox:notlatest', false],
  ['busybox:latest', 'notbusybox:latest', false],
  ['busybox:latest', 'hostname/library/busybox:notlatest', false],
  ['hostname/library/busybox:latest', 'busybox:notlatest', false],
  ['busybox:latest', fullRHELRef, false],
  [`busybox${digestSuffix}`, `notbusybox${digestSuffix}`, false],
  ['busybox:latest', `busybox${digestSuffix}`, false],
  [`busybox${digestSuffix}`, `busybox${digestSuffixOther}`, false],
  ['busybox', 'busybox:latest', false],
  ['busybox', `busybox${digestSuffix}`, false],
  ['busybox', 'busybox', false],
  [`busybox:latest${digestSuffix}`, `busybox:latest${digestSuffix}`, true],
  [`busybox:latest${digestSuffix}`, `busybox:latest${digestSuffixOther}`, false],
  [`busybox:latest${digestSuffix}`, `busybox:notlatest${digestSuffix}`, false],
  [`busybox:latest${digestSuffix}`, `busybox${digestSuffix}`, false],
  [`busybox:latest${digestSuffix}`, 'busybox:latest', false],
  ['UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', 'busybox:latest', false],
  ['', 'UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', false],
  ['INVALID', 'INVALID', false],
];
const repositoryTable: Row[] = [
  ['busybox:latest', 'busybox:latest', true],
  [fullRHELRef, fullRHELRef, true],
  [`busybox${digestSuffix}`, `busybox${digestSuffix}`, true],
  ['library/busybox:latest', 'busybox:latest', true],
  ['docker.io/library/busybox:latest', 'busybox:latest', true],
  [`library/busybox${digestSuffix}`, `busybox${digestSuffix}`, true],
  ['busybox:latest', 'busybox:notlatest', true],
  [`${fullRHELRef}tagsuffix`, fullRHELRef, true],
  ['library/busybox:latest', 'busybox:notlatest', true],
  ['busybox:latest', 'library/busybox:notlatest', true],
  ['docker.io/library/busybox:notlatest', 'busybox:latest', true],
  ['busybox:notlatest', 'docker.io/library/busybox:latest', true],
  ['busybox:latest', `busybox${digestSuffix}`, true],
  [`busybox${digestSuffix}`, `busybox${digestSuffixOther}`, true],
  ['busybox', 'busybox:notlatest', true],
  [fullRHELRef, untaggedRHELRef, true],
  ['busybox', `busybox${digestSuffix}`, true],
  ['library/busybox', 'busybox', true],
  ['docker.io/library/busybox', 'busybox', true],
  ['busybox:latest', 'notbusybox:latest', false],
  ['hostname/library/busybox:latest', 'busybox:notlatest', false],
  ['busybox:latest', fullRHELRef, false],
  [`busybox${digestSuffix}`, `notbusybox${digestSuffix}`, false],
  [`busybox:latest${digestSuffix}`, `busybox:latest${digestSuffix}`, true],
  [`busybox:latest${digestSuffix}`, `busybox:latest${digestSuffixOther}`, true],
  [`busybox:latest${digestSuffix}`, `busybox:notlatest${digestSuffix}`, true],
  [`busybox:latest${digestSuffix}`, `busybox${digestSuffix}`, true],
  [`busybox:latest${digestSuffix}`, 'busybox:latest', true],
  ['UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', 'busybox:latest', false],
  ['', 'UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', false],
  ['INVALID', 'INVALID', false],
];

const m = (id: SignedIdentity, image: string, sig: string) => matchesSignedIdentity(id, image, sig);
// The Go tests skip image references ParseNormalizedNamed refuses (testImageAndSig).
const parses = (s: string) => {
  try {
    parseNormalizedNamed(s);
    return true;
  } catch {
    return false;
  }
};

describe('parseNormalizedNamed (distribution/reference)', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox'],
    ['library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['index.docker.io/foo/bar', 'docker.io/foo/bar'],
    ['localhost/app', 'localhost/app'],
    ['127.0.0.1:5000/team/app:1.0', '127.0.0.1:5000/team/app:1.0'],
    [`quay.io/a/b:t${digestSuffix}`, `quay.io/a/b:t${digestSuffix}`],
  ])('%s → %s', (input, want) => {
    expect(referenceString(parseNormalizedNamed(input))).toBe(want);
  });
  it.each(['', 'UPPERCASE_IS_INVALID_IN_DOCKER_REFERENCES', 'a'.repeat(64), 'docker.io/X', 'x:'])('refuses %j', (s) => {
    expect(() => parseNormalizedNamed(s)).toThrow();
  });
});

describe('signedIdentity (policy_reference_match_test.go)', () => {
  it.each(exactTable)('matchExact %s vs %s → %s (both ways)', (a, b, want) => {
    if (parses(a)) expect(m({ type: 'matchExact' }, a, b)).toBe(want);
    if (parses(b)) expect(m({ type: 'matchExact' }, b, a)).toBe(want);
  });
  it.each(repositoryTable)('matchRepository %s vs %s → %s (both ways)', (a, b, want) => {
    if (parses(a)) expect(m({ type: 'matchRepository' }, a, b)).toBe(want);
    if (parses(b)) expect(m({ type: 'matchRepository' }, b, a)).toBe(want);
  });
  it.each(exactTable)('exactReference %s vs %s → %s', (a, b, want) => {
    expect(m({ type: 'exactReference', dockerReference: a }, 'unused:x', b)).toBe(want);
    expect(m({ type: 'exactReference', dockerReference: b }, 'unused:x', a)).toBe(want);
  });
  it.each(repositoryTable)('exactRepository %s vs %s → %s', (a, b, want) => {
    expect(m({ type: 'exactRepository', dockerRepository: a }, 'unused:x', b)).toBe(want);
    expect(m({ type: 'exactRepository', dockerRepository: b }, 'unused:x', a)).toBe(want);
  });

  const rde: SignedIdentity = { type: 'matchRepoDigestOrExact' };
  it('matchRepoDigestOrExact accepts what matchExact accepts and rejects what matchRepository rejects', () => {
    for (const [a, b, want] of exactTable.filter((r) => r[2])) {
      if (parses(a)) expect(m(rde, a, b), `${a} vs ${b}`).toBe(want);
      if (parses(b)) expect(m(rde, b, a), `${b} vs ${a}`).toBe(want);
    }
    for (const [a, b, want] of repositoryTable.filter((r) => !r[2])) {
      if (parses(a)) expect(m(rde, a, b), `${a} vs ${b}`).toBe(want);
      if (parses(b)) expect(m(rde, b, a), `${b} vs ${a}`).toBe(want);
    }
  });
  it.each<Row>([
    ['busybox:latest', 'busybox:notlatest', false],
    [`${fullRHELRef}tagsuffix`, fullRHELRef, false],
    ['library/busybox:latest', 'busybox:notlatest', false],
    ['busybox:latest', 'library/busybox:notlatest', false],
    ['docker.io/library/busybox:notlatest', 'busybox:latest', false],
    ['busybox:notlatest', 'docker.io/library/busybox:latest', false],
    ['busybox', 'busybox:latest', false],
    ['busybox:latest', 'busybox', false],
    ['busybox', `busybox${digestSuffix}`, false],
    [`busybox${digestSuffix}`, 'busybox', false],
    [fullRHELRef, untaggedRHELRef, false],
    ['busybox', 'busybox', false],
    ['busybox:latest', `busybox${digestSuffix}`, false],
    [`busybox${digestSuffix}`, 'busybox:latest', true],
    [`busybox${digestSuffix}`, `busybox${digestSuffixOther}`, true],
    [`busybox:latest${digestSuffix}`, 'busybox:latest', false],
    [`busybox:latest${digestSuffix}`, 'busybox:notlatest', false],
    ['busybox:latest', `busybox:latest${digestSuffix}`, false],
    [`busybox:latest${digestSuffix}`, `busybox:latest${digestSuffixOther}`, false],
    [`busybox:latest${digestSuffix}`, `busybox:notlatest${digestSuffixOther}`, false],
  ])('matchRepoDigestOrExact image %s, signature %s → %s', (image, sig, want) => {
    expect(m(rde, image, sig)).toBe(want);
  });

  // policy_reference_match.go prmRemapIdentity: the prefix is rewritten, then matchRepoDigestOrExact.
  it.each<[string, string, string, string, boolean]>([
    ['mirror.example/ns', 'quay.io/ns', 'mirror.example/ns/app:1', 'quay.io/ns/app:1', true],
    ['mirror.example/ns', 'quay.io/ns', 'mirror.example/ns/app:1', 'mirror.example/ns/app:1', false],
    ['mirror.example/ns', 'quay.io/ns', 'mirror.example/nsx/app:1', 'mirror.example/nsx/app:1', true],
    ['mirror.example/ns', 'quay.io/ns', 'mirror.example/nsx/app:1', 'quay.io/nsx/app:1', false],
    ['mirror.example', 'quay.io', `mirror.example/a/b${digestSuffix}`, 'quay.io/a/b:anything', true],
    ['mirror.example/ns/app', 'quay.io/other/app', 'mirror.example/ns/app:1', 'quay.io/other/app:1', true],
  ])('remapIdentity %s → %s: image %s, signature %s → %s', (prefix, signedPrefix, image, sig, want) => {
    expect(m({ type: 'remapIdentity', prefix, signedPrefix }, image, sig)).toBe(want);
  });
});

describe('policy scopes (docker/policyconfiguration/naming.go)', () => {
  it('most specific first: reference, repository, namespaces, host, wildcards without the port', () => {
    expect(policyScopes(parseNormalizedNamed('example.com:8443/ns1/ns2/repo:tag'))).toEqual([
      'example.com:8443/ns1/ns2/repo:tag',
      'example.com:8443/ns1/ns2/repo',
      'example.com:8443/ns1/ns2',
      'example.com:8443/ns1',
      'example.com:8443',
      '*.com',
    ]);
    expect(policyScopes(parseNormalizedNamed('busybox'))).toEqual([
      'docker.io/library/busybox',
      'docker.io/library/busybox',
      'docker.io/library',
      'docker.io',
      '*.io',
    ]);
    expect(policyScopes(parseNormalizedNamed(`a.b.example.com/r${digestSuffix}`))[0]).toBe(
      `a.b.example.com/r${digestSuffix}`,
    );
    expect(policyScopes(parseNormalizedNamed('a.b.example.com/r:1')).slice(-3)).toEqual([
      '*.b.example.com',
      '*.example.com',
      '*.com',
    ]);
  });
});
