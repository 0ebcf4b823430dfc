/**
 * registries.d (containers-registries.d(5)) as containers/image docker/registries_d.go reads it;
 * the cases follow docker/registries_d_test.go (`TestRegistryConfigurationSignatureTopLevel`,
 * `TestLoadAndMergeConfig`, `TestRegistriesDirPath`, `TestLookasideStorageURL`,
 * `TestBuiltinDefaultLookasideStorageDir`) and its fixtures/registries.d files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configuredLookaside,
  loadRegistriesD,
  lookasideBase,
  lookasideScopes,
  mergeRegistriesD,
  registriesDDir,
  type LookasideRef,
  useSigstoreAttachments,
} from '../../src/registry/registries-d.js';
import { lookasideSignatureURL } from '../../src/registry/lookaside.js';
import { tempDir } from '../helpers/index.js';

/** `host/repo[:tag]` as the tests of registries_d_test.go write them. */
function ref(s: string): LookasideRef {
  // A colon after the last slash is a tag; before it, a port.
  const colon = s.lastIndexOf(':');
  return colon > s.lastIndexOf('/') ? { name: s.slice(0, colon), tag: s.slice(colon + 1) } : { name: s };
}

const internetUser = [
  'default-docker:',
  '    lookaside: file:///mnt/companywide/signatures/for/other/repositories',
  'docker:',
  '    docker.io/contoso:',
  '        lookaside: https://lookaside.contoso.com/fordocker',
  '    docker.io/centos:',
  '        lookaside: https://lookaside.centos.org/',
  '    docker.io/centos/mybetaproduct:',
  '        lookaside: http://localhost:9999/mybetaWIP/lookaside',
  '        lookaside-staging: file:///srv/mybetaWIP/lookaside',
  '    docker.io/centos/mybetaproduct:latest:',
  '        lookaside: https://lookaside.centos.org/',
  '',
].join('\n');
const internalExample = [
  'docker:',
  '    example.com:',
  '        lookaside: https://lookaside.example.com',
  '    registry.test.example.com:',
  '        lookaside: http://registry.test.example.com/lookaside',
  '    registry.test.example.com:8888:',
  '        lookaside: http://registry.test.example.com:8889/lookaside',
  '        lookaside-staging: https://registry.test.example.com:8889/lookaside/specialAPIserverWhichDoesNotExist',
  '    localhost:',
  '        lookaside: file:///home/mitr/mydevelopment1',
  '    localhost:8080:',
  '        lookaside: file:///home/mitr/mydevelopment2',
  '',
].join('\n');

describe('scope matching (registries_d_test.go TestRegistryConfigurationSignatureTopLevel)', () => {
  const scopes = [
    'localhost',
    'localhost:5000',
    'example.com',
    'example.com/ns1',
    'example.com/ns1/ns2',
    'example.com/ns1/ns2/repo',
    'example.com/ns1/ns2/repo:notlatest',
  ];
  const config = mergeRegistriesD([
    {
      file: 'all.yaml',
      text: [
        'default-docker:',
        '  lookaside: =default',
        'docker:',
        ...scopes.flatMap((s) => [`  ${s}:`, `    lookaside: ${s}`]),
        '',
      ].join('\n'),
    },
  ]);
  it.each([
    ['example.com/ns1/ns2/repo:notlatest', 'example.com/ns1/ns2/repo:notlatest'],
    ['example.com/ns1/ns2/repo:unmatched', 'example.com/ns1/ns2/repo'],
    ['example.com/ns1/ns2/notrepo:notlatest', 'example.com/ns1/ns2'],
    ['example.com/ns1/notns2/repo:notlatest', 'example.com/ns1'],
    ['example.com/notns1/ns2/repo:notlatest', 'example.com'],
    ['unknown.example.com/busybox', '=default'],
    ['localhost:5000/busybox', 'localhost:5000'],
    ['localhost/busybox', 'localhost'],
    ['localhost:9999/busybox', '=default'],
  ])('%s uses %s', (input, expected) => {
    expect(configuredLookaside(config, ref(input))?.url).toBe(expected);
  });

  it('nothing matched and no default-docker: no configured lookaside', () => {
    const c = mergeRegistriesD([{ file: 'a.yaml', text: 'docker:\n  unmatched:\n    lookaside: a\n' }]);
    expect(configuredLookaside(c, ref('thisisnotmatched/busybox'))).toBeUndefined();
  });

  it('the scopes, most specific first, then *.domain wildcards without the port (policyconfiguration/naming.go)', () => {
    expect(lookasideScopes({ name: 'quay.example.com:8443/ns/app', tag: '1.0' })).toEqual([
      'quay.example.com:8443/ns/app:1.0',
      'quay.example.com:8443/ns/app',
      'quay.example.com:8443/ns',
      'quay.example.com:8443',
      '*.example.com',
      '*.com',
    ]);
    expect(lookasideScopes({ name: 'quay.io/ns/app', digest: `sha256:${'a'.repeat(64)}` })[0]).toBe(
      `quay.io/ns/app@sha256:${'a'.repeat(64)}`,
    );
    const wild = mergeRegistriesD([
      { file: 'w.yaml', text: "docker:\n  '*.example.com':\n    lookaside: file:///w\n" },
    ]);
    expect(configuredLookaside(wild, ref('quay.example.com/ns/app:1'))?.url).toBe('file:///w');
  });

  it('a scope without a lookaside falls through to the next; sigstore is the old name of lookaside', () => {
    const c = mergeRegistriesD([
      {
        file: 'a.yaml',
        text: [
          'docker:',
          '  example.com/ns/app:',
          '    use-sigstore-attachments: true',
          '  example.com/ns:',
          '    sigstore: https://old.example.com/sigs',
          '  example.com:',
          '    lookaside: https://new.example.com/sigs',
          '    sigstore: https://old.example.com/ignored',
          '',
        ].join('\n'),
      },
    ]);
    expect(configuredLookaside(c, ref('example.com/ns/app:1'))).toEqual({
      url: 'https://old.example.com/sigs',
      scope: 'example.com/ns',
      file: 'a.yaml',
    });
    expect(configuredLookaside(c, ref('example.com/other/app:1'))?.url).toBe('https://new.example.com/sigs');
    expect(useSigstoreAttachments(c, ref('example.com/ns/app:1'))).toBe(true);
    expect(useSigstoreAttachments(c, ref('example.com/other/app:1'))).toBe(false);
  });

  it('use-sigstore-attachments: the most specific scope that says true or false decides', () => {
    const c = mergeRegistriesD([
      {
        file: 'a.yaml',
        text: [
          'default-docker:',
          '  use-sigstore-attachments: true',
          'docker:',
          '  example.com/ns:',
          '    use-sigstore-attachments: false',
          '',
        ].join('\n'),
      },
    ]);
    expect(useSigstoreAttachments(c, ref('example.com/ns/app:1'))).toBe(false);
    expect(useSigstoreAttachments(c, ref('example.com/other/app:1'))).toBe(true);
  });
});

describe('the folder (registries_d_test.go TestLoadAndMergeConfig, TestRegistriesDirPath)', () => {
  it('merges every *.yaml file; other files are not read', async () => {
    const dir = tempDir('registries-d');
    fs.writeFileSync(path.join(dir, 'internet-user.yaml'), internetUser);
    fs.writeFileSync(path.join(dir, 'internal-example.com.yaml'), internalExample);
    fs.writeFileSync(path.join(dir, 'emptyConfig.yaml'), '{}');
    fs.writeFileSync(path.join(dir, 'invalid-but.notyaml'), 'this is invalid');
    const c = await loadRegistriesD(dir, true);
    expect(c.defaultDocker?.lookaside).toBe('file:///mnt/companywide/signatures/for/other/repositories');
    expect(Object.fromEntries([...c.docker].map(([k, v]) => [k, v.lookaside]))).toEqual({
      'docker.io/contoso': 'https://lookaside.contoso.com/fordocker',
      'docker.io/centos': 'https://lookaside.centos.org/',
      'docker.io/centos/mybetaproduct': 'http://localhost:9999/mybetaWIP/lookaside',
      'docker.io/centos/mybetaproduct:latest': 'https://lookaside.centos.org/',
      'example.com': 'https://lookaside.example.com',
      'registry.test.example.com': 'http://registry.test.example.com/lookaside',
      'registry.test.example.com:8888': 'http://registry.test.example.com:8889/lookaside',
      localhost: 'file:///home/mitr/mydevelopment1',
      'localhost:8080': 'file:///home/mitr/mydevelopment2',
    });
    expect(c.docker.get('docker.io/centos/mybetaproduct')?.lookasideStaging).toBe('file:///srv/mybetaWIP/lookaside');
  });

  it('a folder that does not exist is no configuration, unless it was named', async () => {
    const dir = path.join(tempDir('registries-d'), 'thisdoesnotexist');
    expect(await loadRegistriesD(dir, false)).toEqual({ docker: new Map(), missing: true });
    await expect(loadRegistriesD(dir, true)).rejects.toThrow(
      `cannot read the registries.d folder ${dir}: no such folder`,
    );
  });

  it('a scope or default-docker defined in two files is an error naming both', async () => {
    const dup = (a: string, b: string) => [
      { file: '0.yaml', text: a },
      { file: '1.yaml', text: b },
    ];
    expect(() =>
      mergeRegistriesD(dup('default-docker:\n lookaside: file:///a\n', 'default-docker:\n lookaside: file:///b\n')),
    ).toThrow('"default-docker" defined both in 0.yaml and 1.yaml');
    expect(() =>
      mergeRegistriesD(
        dup('docker:\n example.com:\n  lookaside: file:///a\n', 'docker:\n example.com:\n  lookaside: file:///b\n'),
      ),
    ).toThrow('"docker" namespace "example.com" defined both in 0.yaml and 1.yaml');
  });

  it('invalid YAML names the file, line and column', async () => {
    const dir = tempDir('registries-d');
    fs.writeFileSync(path.join(dir, '0.yaml'), 'docker:\n  example.com:\n    lookaside: [unclosed\n');
    await expect(loadRegistriesD(dir, true)).rejects.toThrow(
      new RegExp(`^${path.join(dir, '0.yaml')}:\\d+:\\d+: invalid YAML`),
    );
    expect(() => mergeRegistriesD([{ file: 'x.yaml', text: '}' }])).toThrow(/^x\.yaml:1:1: invalid YAML/);
    expect(() => mergeRegistriesD([{ file: 'x.yaml', text: 'docker: [a]\n' }])).toThrow(
      'x.yaml: "docker" must be a mapping of scopes',
    );
    expect(() =>
      mergeRegistriesD([{ file: 'x.yaml', text: 'docker:\n a:\n  use-sigstore-attachments: "yes"\n' }]),
    ).toThrow('x.yaml: docker.a.use-sigstore-attachments must be true or false');
  });

  it('--registries-d, else ~/.config/containers/registries.d when it exists, else /etc/containers/registries.d', async () => {
    const home = tempDir('registries-d-home');
    expect(await registriesDDir('/given', { HOME: home })).toBe('/given');
    expect(await registriesDDir(undefined, { HOME: home })).toBe('/etc/containers/registries.d');
    fs.mkdirSync(path.join(home, '.config/containers/registries.d'), { recursive: true });
    expect(await registriesDDir(undefined, { HOME: home })).toBe(path.join(home, '.config/containers/registries.d'));
  });
});

describe('signature URLs (TestLookasideStorageURL, TestBuiltinDefaultLookasideStorageDir)', () => {
  const md = `sha256:${'0123456789abcdef'.repeat(4)}`;
  const mapped = `sha256=${'0123456789abcdef'.repeat(4)}`;
  it.each([
    ['file:///tmp', 1, `file:///tmp@${mapped}/signature-1`],
    ['file:///tmp', 2, `file:///tmp@${mapped}/signature-2`],
    ['https://localhost:5555/root', 1, `https://localhost:5555/root@${mapped}/signature-1`],
    ['http://localhost:5555/root', 2, `http://localhost:5555/root@${mapped}/signature-2`],
  ])('%s, signature %i', (base, index, expected) => {
    expect(lookasideSignatureURL(new URL(base), md, index).href).toBe(expected);
  });
  it('refuses a digest that could leave the folder', () => {
    expect(() => lookasideSignatureURL(new URL('file:///tmp'), 'sha256:../hello', 1)).toThrow(
      /invalid checksum digest/,
    );
  });

  it('the repository path is appended to the configured URL or to the built-in default folder', () => {
    const c = mergeRegistriesD([
      { file: 'a.yaml', text: 'docker:\n  example.com:\n    lookaside: https://sigs.example.com/base\n' },
    ]);
    const d = { euid: 1000, home: '/home/u' };
    expect(lookasideBase(c, ref('example.com/ns/app:1'), d).url.href).toBe('https://sigs.example.com/base/ns/app');
    expect(lookasideBase(c, ref('other.example/ns/app:1'), d).url.href).toBe(
      'file:///home/u/.local/share/containers/sigstore/ns/app',
    );
    expect(lookasideBase(c, ref('other.example/ns/app:1'), { euid: 0, home: '/root' }).url.href).toBe(
      'file:///var/lib/containers/sigstore/ns/app',
    );
    const bad = mergeRegistriesD([
      { file: 'a.yaml', text: 'docker:\n  example.com:\n    lookaside: ":emptyscheme"\n' },
    ]);
    expect(() => lookasideBase(bad, ref('example.com/ns/app:1'), d)).toThrow(
      'a.yaml: invalid signature storage URL ":emptyscheme" (scope example.com)',
    );
  });
});
