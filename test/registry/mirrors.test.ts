/**
 * Mirror selection and the registries.conf subset of TOML, table-driven. The rules follow
 * containers/image pkg/sysregistriesv2/system_registries_v2.go (`refMatchingPrefix`,
 * `FindRegistry`, `PullSourcesFromReference`, `postProcessRegistries`) and its
 * system_registries_v2_test.go cases; mirror sets follow openshift/runtime-utils pkg/registries.
 */
import { describe, expect, it } from 'vitest';
import {
  parseRegistriesConf,
  planPull,
  refMatchingPrefix,
  rulesFromMirrorSets,
  type RegistryRule,
} from '../../src/registry/mirrors.js';
import { parseToml } from '../../src/registry/toml.js';

describe('refMatchingPrefix', () => {
  it.each([
    ['example.com/foo', 'example.com', 11],
    ['example.com', 'example.com', 11],
    ['example.com:5000/foo', 'example.com', 11], // upstream: "DON'T RELY ON" this, but it is so
    ['example.com/foo@sha256:abc', 'example.com/foo', 15],
    ['example.comx/foo', 'example.com', -1],
    ['example.co', 'example.com', -1],
    ['a.example.com/foo', '*.example.com', 13],
    ['a.b.example.com/foo', '*.example.com', 15],
    ['example.com/foo', '*.example.com', -1],
    ['other.com/a.example.com/foo', '*.example.com', -1],
    ['a.example.community/foo', '*.example.com', -1],
  ])('%s against %s → %i', (ref, prefix, want) => {
    expect(refMatchingPrefix(ref, prefix)).toBe(want);
  });
});

const conf = (text: string) => parseRegistriesConf(text, 'r.conf');
const plan = (rules: RegistryRule[], host: string, repository: string, byDigest = false) =>
  planPull(rules, { host, repository, byDigest, insecure: false });
const names = (p: ReturnType<typeof plan>) =>
  p.blocked
    ? p.message
    : p.sources.map(
        (s) => `${s.mirror ? 'mirror' : 'source'} ${s.host}/${s.repository}${s.insecure ? ' insecure' : ''}`,
      );

describe('planPull over registries.conf', () => {
  const rules = conf(`
unqualified-search-registries = ["docker.io", 'quay.io']   # ignored by imports

[[registry]]
prefix = "src.example.com/team"
location = "src.example.com/team"
[[registry.mirror]]
location = "m1.example.com/mirror/team"
insecure = true
[[registry.mirror]]
location = "m2.example.com/team"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "m3.example.com/team"
pull-from-mirror = "tag-only"

[[registry]]
prefix = "src.example.com"
location = "rewritten.example.com/all"
insecure = true

[[registry]]
location = "digests.example.com"
mirror-by-digest-only = true
[[registry.mirror]]
location = "dm.example.com"

[[registry]]
prefix = "*.wild.example.com"
[[registry.mirror]]
location = "wm.example.com/wild"

[[registry]]
location = "blocked.example.com"
blocked = true
[[registry.mirror]]
location = "never.example.com"
`);
  it.each([
    [
      'tag pull: all + tag-only mirrors in order, then the source',
      'src.example.com',
      'team/app',
      false,
      [
        'mirror m1.example.com/mirror/team/app insecure',
        'mirror m3.example.com/team/app',
        'source src.example.com/team/app',
      ],
    ],
    [
      'digest pull: all + digest-only mirrors',
      'src.example.com',
      'team/app',
      true,
      [
        'mirror m1.example.com/mirror/team/app insecure',
        'mirror m2.example.com/team/app',
        'source src.example.com/team/app',
      ],
    ],
    [
      'the longest prefix wins; a shorter one rewrites the location',
      'src.example.com',
      'other/app',
      false,
      ['source rewritten.example.com/all/other/app insecure'],
    ],
    [
      'prefix matches at a path boundary only',
      'src.example.com',
      'teamx/app',
      false,
      ['source rewritten.example.com/all/teamx/app insecure'],
    ],
    [
      'mirror-by-digest-only: a tag pull goes to the source',
      'digests.example.com',
      'app',
      false,
      ['source digests.example.com/app'],
    ],
    [
      'mirror-by-digest-only: a digest pull tries the mirror',
      'digests.example.com',
      'app',
      true,
      ['mirror dm.example.com/app', 'source digests.example.com/app'],
    ],
    [
      'wildcard: the host is kept, the mirror gets the path',
      'a.wild.example.com',
      'x/app',
      false,
      ['mirror wm.example.com/wild/x/app', 'source a.wild.example.com/x/app'],
    ],
    ['no rule: the source alone', 'elsewhere.example.com', 'app', false, ['source elsewhere.example.com/app']],
    [
      'blocked: refused, mirrors included',
      'blocked.example.com',
      'app',
      false,
      'registry blocked.example.com is blocked in r.conf',
    ],
  ] as const)('%s', (_name, host, repository, byDigest, want) => {
    expect(names(plan(rules, host, repository, byDigest))).toEqual(want);
  });
});

describe('mirror sets', () => {
  const sets = rulesFromMirrorSets([
    {
      kind: 'ImageDigestMirrorSet',
      metadata: { name: 'd' },
      spec: { imageDigestMirrors: [{ source: 'src.example.com/team', mirrors: ['dm.example.com/team'] }] },
    },
    {
      kind: 'ImageTagMirrorSet',
      metadata: { name: 't' },
      spec: {
        imageTagMirrors: [
          { source: 'src.example.com/team', mirrors: ['tm.example.com/team'] },
          { source: 'closed.example.com', mirrors: ['cm.example.com'], mirrorSourcePolicy: 'NeverContactSource' },
        ],
      },
    },
  ]);
  const insecureMirror = conf('[[registry]]\nlocation = "tm.example.com"\ninsecure = true\n');
  it.each([
    [
      'digest mirror for digest pulls',
      'src.example.com',
      'team/app',
      true,
      ['mirror dm.example.com/team/app', 'source src.example.com/team/app'],
    ],
    [
      'tag mirror for tag pulls; registries.conf makes the mirror insecure',
      'src.example.com',
      'team/app',
      false,
      ['mirror tm.example.com/team/app insecure', 'source src.example.com/team/app'],
    ],
    ['NeverContactSource: the source is left out', 'closed.example.com', 'app', false, ['mirror cm.example.com/app']],
    [
      'NeverContactSource and no mirror for this kind of pull: refused',
      'closed.example.com',
      'app',
      true,
      'closed.example.com/app is never pulled from its source (ImageTagMirrorSet/t: NeverContactSource) and no mirror serves a digest pull',
    ],
  ] as const)('%s', (_n, host, repository, byDigest, want) => {
    expect(names(plan([...sets, ...insecureMirror], host, repository, byDigest))).toEqual(want);
  });

  it('refuses a mirror set with a URL as source', () => {
    expect(() =>
      rulesFromMirrorSets([
        { kind: 'ImageTagMirrorSet', metadata: { name: 'x' }, spec: { imageTagMirrors: [{ source: 'https://a' }] } },
      ]),
    ).toThrow('ImageTagMirrorSet/x: spec.imageTagMirrors[0].source must be a host[/repository]');
  });
});

describe('registries.conf errors', () => {
  it.each([
    ['[[registry]]\nlocation = "a"\ninsecure = yes\n', 'invalid registries.conf r.conf:3: unexpected "y"'],
    ['[[registry]\n', 'r.conf:1: expected "]]" after the table name'],
    ['[[registry]]\nlocation = "a\n', 'r.conf:2: unterminated string'],
    ['[[registry]]\nlocation = "a"\nlocation = "b"\n', 'r.conf:3: key "location" is defined twice'],
    ['[[registry]]\nprefix = "a.example.com"\n', '[[registry]] #1: invalid location: cannot be empty'],
    ['[[registry]]\nlocation = "https://a"\n', "invalid location 'https://a': URI schemes are not supported"],
    [
      '[[registry]]\nprefix = "*.a.com"\nlocation = "b.com"\n',
      'location must be empty for the wildcard prefix *.a.com',
    ],
    ['[[registry]]\nlocation = "a"\ninsecure = "true"\n', '"insecure" must be true or false'],
    [
      '[[registry]]\nlocation = "a"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "all"\n',
      'cannot be set together with mirror-by-digest-only',
    ],
    [
      '[[registry]]\nlocation = "a"\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "sometimes"\n',
      'unsupported pull-from-mirror "sometimes"',
    ],
    [
      '[[registry]]\nlocation = "a"\ninsecure = true\n[[registry]]\nprefix = "a/b"\nlocation = "a"\n',
      "registry 'a' is defined multiple times with conflicting 'insecure' setting",
    ],
    ['[registries.search]\nregistries = ["a"]\n', 'version 1) is not supported'],
  ])('%j', (text, message) => {
    expect(() => conf(text)).toThrow(message);
  });
});

describe('parseToml', () => {
  it('reads the subset registries.conf uses', () => {
    expect(
      parseToml(
        [
          '# comment',
          'short-name-mode = "enforcing"',
          'count = 1_000',
          'list = [',
          '  "a", # first',
          "  'b\\c',",
          ']',
          'esc = "q\\"\\u00e9\\n"',
          '[aliases]',
          '"x" = "y"',
          '[[registry]]',
          'location = "r"',
          '[[registry.mirror]]',
          'location = "m1"',
          '[[registry.mirror]]',
          'location = "m2"',
          '[[registry]]',
          'location = "s"',
          '',
        ].join('\n'),
        'f',
      ),
    ).toEqual({
      'short-name-mode': 'enforcing',
      count: 1000,
      list: ['a', 'b\\c'],
      esc: 'q"é\n',
      aliases: { x: 'y' },
      registry: [{ location: 'r', mirror: [{ location: 'm1' }, { location: 'm2' }] }, { location: 's' }],
    });
  });
});
