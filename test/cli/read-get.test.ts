import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/domain/image.js';
import { openStateStore } from '../../src/state/store.js';
import { runCli, tempDir, testClock } from '../helpers/index.js';

const NOW = '2026-01-01T10:05:00Z';
const clock = testClock(NOW);
let dir: string;
let manifestDigest: string;
let configDigest: string;

const config = Buffer.from(
  JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '2025-12-17T10:05:00Z',
    config: { Env: ['PATH=/usr/bin', 'APP=1'], Cmd: ['run'], ExposedPorts: { '8080/tcp': {} }, Labels: { a: 'b' } },
    rootfs: { type: 'layers', diff_ids: [] },
  }),
);

function manifestFor(cfg: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfg, size: config.length },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'a'.repeat(64)}`, size: 3409 },
      ],
    }),
  );
}

beforeAll(async () => {
  dir = tempDir('read');
  configDigest = digestOf(config);
  const manifest = manifestFor(configDigest);
  manifestDigest = digestOf(manifest);
  const blobs = openStateStore(dir).blobs;
  await blobs.put(configDigest, config);
  await blobs.put(manifestDigest, manifest);
  await blobs.flush();
  const other = `sha256:${'2'.repeat(64)}`;
  fs.writeFileSync(
    path.join(dir, 'streams.yaml'),
    `# two streams in one file
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: myapp
  creationTimestamp: "2026-01-01T10:00:00Z"
spec:
  tags:
  - name: latest
    from: {kind: DockerImage, name: "quay.io/org/app:latest"}
    generation: 1
  - name: stable
    from: {kind: ImageStreamTag, name: latest}
    generation: 1
status:
  dockerImageRepository: ""
  tags:
  - tag: latest
    items:
    - created: "2026-01-01T10:00:00Z"
      dockerImageReference: quay.io/org/app@${manifestDigest}
      image: ${manifestDigest}
      generation: 1
---
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: other
  labels: {team: b, tier: "2"}
spec:
  lookupPolicy: {local: true}
  tags:
  - name: v2
    from: {kind: DockerImage, name: "quay.io/org/other:v2"}
    referencePolicy: {type: Local}
status:
  tags:
  - tag: v2
    items:
    - created: "2025-12-31T10:05:00Z"
      dockerImageReference: quay.io/org/other@${other}
      image: ${other}
      generation: 1
`,
  );
  fs.mkdirSync(path.join(dir, 'ci'));
  fs.writeFileSync(
    path.join(dir, 'ci', 'tools.json'),
    JSON.stringify(
      {
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name: 'tools', namespace: 'ci' },
        spec: {},
      },
      null,
      2,
    ),
  );
});

const run = (argv: string[]) => runCli(['--dir', dir, ...argv], { clock });
const REG = 'image-registry.openshift-image-registry.svc:5000';

describe('isctl get', () => {
  it('get is prints the oc table with decorated repositories and ages', async () => {
    const r = await run(['get', 'is']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `NAME    IMAGE REPOSITORY${' '.repeat(`${REG}/default/myapp`.length + 3 - 16)}TAGS     UPDATED`,
        `myapp   ${REG}/default/myapp   latest   5 minutes ago`,
        `other   ${REG}/default/other   v2       24 hours ago`,
        '',
      ].join('\n'),
    );
  });

  it('global options work after the command; -A adds NAMESPACE; --no-headers drops the header', async () => {
    const r = await run(['get', 'is', '-A', '--no-headers']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^ci {8}tools {3}image-registry/);
    expect(r.stdout).toContain('default   myapp   ');
  });

  it('-o name, json of one object, yaml List of all', async () => {
    expect((await run(['get', 'is', '-o', 'name'])).stdout).toBe(
      'imagestream.image.openshift.io/myapp\nimagestream.image.openshift.io/other\n',
    );
    const one = JSON.parse((await run(['get', 'is', 'myapp', '-o', 'json'])).stdout);
    expect(one).toMatchObject({
      kind: 'ImageStream',
      metadata: { name: 'myapp', namespace: 'default' },
      status: { dockerImageRepository: `${REG}/default/myapp` },
    });
    const y = (await run(['get', 'is', '-o', 'yaml'])).stdout;
    expect(y).toMatch(/^apiVersion: v1\nitems:\n- apiVersion: image.openshift.io\/v1\n/);
    expect(y.endsWith('kind: List\nmetadata:\n  resourceVersion: ""\n')).toBe(true);
  });

  it('jsonpath over the List', async () => {
    const r = await run([
      'get',
      'is',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.spec.lookupPolicy.local}{"\\n"}{end}',
    ]);
    expect(r.stdout).toBe('myapp=\nother=true\n');
  });

  it('get istag lists tags with images, applying the Local reference policy', async () => {
    const r = await run(['get', 'istag', '-o', 'wide']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +IMAGE REFERENCE +UPDATED +IMAGE NAME$/);
    expect(lines[1]).toMatch(
      new RegExp(`^myapp:latest +quay.io/org/app@${manifestDigest} +5 minutes ago +${manifestDigest}$`),
    );
    expect(lines[2]).toMatch(new RegExp(`^other:v2 +${REG}/default/other@sha256:2{64} +24 hours ago`));
  });

  it('get isimage by digest prefix; get isimage without a name fails', async () => {
    const prefix = manifestDigest.slice(0, 19);
    const r = await run(['get', 'isimage', `myapp@${prefix}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`NAME                        UPDATED\nmyapp@${prefix}   5 minutes ago\n`);
    const none = await run(['get', 'isimage']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('the server does not allow this method on the requested resource');
  });

  it('names that do not exist: NotFound on stderr, the rest printed, exit 1', async () => {
    const r = await run(['get', 'is', 'myapp', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('myapp');
    expect(r.stderr).toBe('Error from server (NotFound): imagestreams.image.openshift.io "nope" not found\n');
    const t = await run(['get', 'istag', 'myapp:nope', 'gone:latest', 'bad']);
    expect(t.stderr).toBe(
      'Error from server (NotFound): imagestreamtags.image.openshift.io "myapp:nope" not found\n' +
        'Error from server (NotFound): imagestreams.image.openshift.io "gone" not found\n' +
        // openshift-apiserver's imagestreamtag REST answers BadRequest for a name without ':'.
        'Error from server (BadRequest): ImageStreamTags must be retrieved with <name>:<tag>\n',
    );
  });

  it.each([
    ['team=b', 'imagestream.image.openshift.io/other\n'],
    ['team!=b', 'imagestream.image.openshift.io/myapp\n'],
    ['team in (a,b),tier>1', 'imagestream.image.openshift.io/other\n'],
    ['!team', 'imagestream.image.openshift.io/myapp\n'],
    ['team notin (b)', 'imagestream.image.openshift.io/myapp\n'],
    ['tier', 'imagestream.image.openshift.io/other\n'],
  ])('-l %s', async (sel, want) => {
    const r = await run(['get', 'is', '-l', sel, '-o', 'name']);
    expect(r.stdout).toBe(want);
    expect(r.code).toBe(0);
  });

  it('-l applies to istag listings; a selector with names or bad syntax is refused', async () => {
    expect((await run(['get', 'istag', '-l', 'team=b', '-o', 'name'])).stdout).toBe(
      'imagestreamtag.image.openshift.io/other:v2\n',
    );
    const both = await run(['get', 'is', 'myapp', '-l', 'team=b']);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe('error: name cannot be provided when a selector is specified\n');
    const bad = await run(['get', 'is', '-l', 'a=b=c']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unable to parse requirement');
    const none = await run(['get', 'is', '-l', 'team=zzz']);
    expect(none.stderr).toBe('No resources found in default namespace.\n');
  });

  it('an empty namespace says No resources found (objects without a namespace belong to the one of the command)', async () => {
    const d = tempDir('read-ns');
    fs.writeFileSync(
      path.join(d, 'a.yaml'),
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: a\n  namespace: ci\nspec: {}\n',
    );
    const r = await runCli(['--dir', d, 'get', 'is', '-n', 'empty'], { clock });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No resources found in empty namespace.\n');
  });

  // kubectl checkErr: DefaultErrorExitCode 1 for these as for every error (cmd/util/helpers.go).
  it('unknown -o and resource types are usage errors', async () => {
    const o = await run(['get', 'is', '-o', 'xml']);
    expect(o.code).toBe(1);
    expect(o.stderr).toContain('unable to match a printer suitable for the output format "xml"');
    const t = await run(['get', 'pods']);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain(`the server doesn't have a resource type "pods"`);
  });
});

describe('isctl describe', () => {
  it('describe is prints the oc layout with tabs (alias folded into the target header)', async () => {
    const r = await run(['describe', 'is', 'myapp']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Name:\t\t\tmyapp',
        'Namespace:\t\tdefault',
        'Created:\t\t5 minutes ago',
        'Labels:\t\t\t<none>',
        'Annotations:\t\t<none>',
        `Image Repository:\t${REG}/default/myapp`,
        'Image Lookup:\t\tlocal=false',
        'Unique Images:\t\t1',
        'Tags:\t\t\t2',
        '',
        'latest (stable)',
        '  tagged from quay.io/org/app:latest',
        '',
        `  * quay.io/org/app@${manifestDigest}`,
        '      5 minutes ago',
        '',
      ].join('\n'),
    );
  });

  it('describe with a prefix describes every match; several names are separated by a blank line', async () => {
    const p = await run(['describe', 'is', 'my']);
    expect(p.code).toBe(0);
    expect(p.stdout.startsWith('Name:\t\t\tmyapp\n')).toBe(true);
    expect(p.stdout.endsWith('5 minutes ago\n\n')).toBe(true);
    const two = await run(['describe', 'is', 'myapp', 'other']);
    expect(two.stdout).toContain('      5 minutes ago\n\n\nName:\t\t\tother\n');
  });

  it('describe istag rebuilds the image from the blob store', async () => {
    const r = await run(['describe', 'istag', 'myapp:latest']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `Image Name:\t${manifestDigest}`,
        `Docker Image:\tquay.io/org/app@${manifestDigest}`,
        `Name:\t\t${manifestDigest}`,
        'Created:\t5 minutes ago',
        'Annotations:\timage.openshift.io/dockerLayersOrder=ascending',
        `Image Size:\t${(config.length + 3409) / 1000}kB in 1 layers`,
        `Layers:\t\t3.409kB\tsha256:${'a'.repeat(64)}`,
        'Image Created:\t2 weeks ago',
        'Author:\t\t<none>',
        'Arch:\t\tamd64',
        'Command:\trun',
        'Working Dir:\t<none>',
        'User:\t\t<none>',
        'Exposes Ports:\t8080/tcp',
        'Docker Labels:\ta=b',
        'Environment:\tPATH=/usr/bin',
        '\t\tAPP=1',
        '',
      ].join('\n'),
    );
  });

  it('describe istag without stored image metadata explains what to do', async () => {
    const r = await run(['describe', 'istag', 'other:v2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unable to read image metadata of other:v2');
    expect(r.stderr).toContain("hint: run 'isctl import-image other:v2'");
  });

  it('describe isimage by prefix', async () => {
    const r = await run(['describe', 'isimage', `myapp@${manifestDigest.slice(7, 19)}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Docker Image:\tquay.io/org/app@${manifestDigest}\n`);
  });
});

describe('problem files', () => {
  it('read commands print what loaded, report the broken file with line and column, and exit 1', async () => {
    const d = tempDir('read-bad');
    fs.writeFileSync(
      path.join(d, 'good.yaml'),
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: good\nspec: {}\n',
    );
    fs.writeFileSync(
      path.join(d, 'bad.yaml'),
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: [unclosed\n',
    );
    const r = await runCli(['--dir', d, 'get', 'is'], { clock });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('good');
    expect(r.stderr).toMatch(/^error: bad\.yaml:\d+:\d+: /);
    const desc = await runCli(['--dir', d, 'describe', 'is', 'good'], { clock });
    expect(desc.code).toBe(1);
    expect(desc.stdout).toContain('Name:\t\t\tgood\n');
  });
});
