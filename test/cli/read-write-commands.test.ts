import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { folderContents, readState, runCli, tempDir, testClock } from '../helpers/index.js';

const clock = testClock('2026-01-01T10:05:00Z');
const at = (dir: string) => (argv: string[], stdin?: NodeJS.ReadableStream) =>
  runCli(['--dir', dir, ...argv], { clock, ...(stdin ? { stdin } : {}) });
import { CORPUS } from '../fixtures/corpus.js';

/** Every file of a folder (relative path → content), hidden folders included, lock files apart. */
const snapshotFolder = (dir: string) => folderContents(dir, (name) => name.endsWith('.lock'));

describe('create imagestream', () => {
  it('creates an empty stream at the default path, then refuses a second one and a bad name', async () => {
    const dir = tempDir('create');
    const run = at(dir);
    const r = await run(['create', 'imagestream', 'myapp']);
    expect(r).toMatchObject({ code: 0, stdout: 'imagestream.image.openshift.io/myapp created\n', stderr: '' });
    const text = readState(dir, 'imagestreams/default/myapp.yaml');
    expect(text).toContain('name: myapp');
    expect(text).toContain('generation: 1');
    expect(text).toMatch(/creationTimestamp: "?2026-01-01T10:05:00Z"?\n/);
    const again = await run(['create', 'is', 'myapp']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('imagestreams.image.openshift.io "myapp" already exists');
    const bad = await run(['create', 'is', 'My_App']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'The ImageStream "My_App" is invalid: metadata.name: Invalid value: "My_App": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"\n',
    );
    expect((await run(['get', 'is', 'myapp', '-o', 'name'])).stdout).toBe('imagestream.image.openshift.io/myapp\n');
  });

  it('--dry-run writes nothing', async () => {
    const dir = tempDir('create-dry');
    const r = await at(dir)(['create', 'is', 'x', '--dry-run']);
    expect(r.stdout).toBe('imagestream.image.openshift.io/x created (dry run)\n');
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });
});

const EXISTING = `# hand-written, keep me
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: web   # the web tier
  generation: 3
  annotations:
    openshift.io/image.dockerRepositoryCheck: "2026-01-01T09:00:00Z"
spec:
  tags:
    - name: "1.0"
      from: { kind: DockerImage, name: quay.io/org/web:1.0 }
      generation: 3
status:
  dockerImageRepository: ""
  tags:
    - tag: "1.0"
      items:
        - created: "2026-01-01T09:00:00Z"
          dockerImageReference: quay.io/org/web@sha256:${'1'.repeat(64)}
          image: sha256:${'1'.repeat(64)}
          generation: 3
`;

const APPLIED = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: web
  labels: {team: a}
spec:
  tags:
  - name: "1.0"
    from: {kind: DockerImage, name: quay.io/org/web:1.0}
  - name: "2.0"
    from: {kind: DockerImage, name: quay.io/org/web:2.0}
---
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: api
spec:
  tags:
  - name: latest
    from: {kind: DockerImage, name: quay.io/org/api:latest}
    generation: 7
status:
  tags: [{tag: latest, items: null}]
`;

describe('apply -f', () => {
  it('creates new streams, configures existing ones in place (status kept), then reports unchanged', async () => {
    const dir = tempDir('apply');
    fs.writeFileSync(path.join(dir, 'web.yaml'), EXISTING);
    const input = path.join(tempDir('apply-in'), 'in.yaml');
    fs.writeFileSync(input, APPLIED);
    const run = at(dir);
    const r = await run(['apply', '-f', input]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'imagestream.image.openshift.io/web configured\nimagestream.image.openshift.io/api created\n',
    );
    const web = readState(dir, 'web.yaml');
    expect(web).toContain('# hand-written, keep me');
    expect(web).toContain('name: web   # the web tier');
    expect(web).toContain('team: a');
    expect(web).toContain('openshift.io/image.dockerRepositoryCheck'); // system annotation kept
    expect(web).toContain('dockerImageReference: quay.io/org/web@sha256:'); // status kept
    expect(web).toMatch(/generation: 4\n/); // spec changed → metadata.generation + 1
    const webJson = JSON.parse((await run(['get', 'is', 'web', '-o', 'json'])).stdout);
    expect(webJson.metadata.generation).toBe(4);
    expect(webJson.spec.tags.map((t: { name: string; generation: number }) => [t.name, t.generation])).toEqual([
      ['1.0', 3],
      ['2.0', 4],
    ]);
    const api = JSON.parse((await run(['get', 'is', 'api', '-o', 'json'])).stdout);
    expect(api.metadata).toMatchObject({ name: 'api', namespace: 'default', generation: 1 });
    expect(api.spec.tags[0].generation).toBe(1);
    expect(api.status).toEqual({
      dockerImageRepository: 'image-registry.openshift-image-registry.svc:5000/default/api',
    });
    const before = snapshotFolder(dir);
    const again = await run(['apply', '-f', input]);
    expect(again.stdout).toBe(
      'imagestream.image.openshift.io/web unchanged\nimagestream.image.openshift.io/api unchanged\n',
    );
    expect(snapshotFolder(dir)).toEqual(before);
  });

  it('refuses an invalid object naming file and field, and writes nothing', async () => {
    const dir = tempDir('apply-bad');
    const run = at(dir);
    const f = path.join(dir, 'in.yaml');
    fs.writeFileSync(
      f,
      `${APPLIED}---\napiVersion: image.openshift.io/v1\nkind: ImageStream\n` +
        `metadata: {name: broken}\nspec:\n  tags:\n  - name: x\n` +
        `    from: {kind: DockerImage, name: "Bad@ref"}\n`,
    );
    const before = snapshotFolder(dir);
    const r = await runCli(['--dir', dir, 'apply', '-f', 'in.yaml'], { clock, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'in.yaml: The ImageStream "broken" is invalid: spec.tags[0].from.name: Invalid value: "Bad@ref": invalid reference format\n',
    );
    expect(snapshotFolder(dir)).toEqual(before);
    const syntax = path.join(dir, 'syntax.yaml');
    fs.writeFileSync(syntax, 'kind: ImageStream\nmetadata: {name: [x\n');
    const s = await run(['apply', '-f', syntax]);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/syntax\.yaml:\d+:\d+: /);
  });

  it('reads - from stdin and folders', async () => {
    const dir = tempDir('apply-stdin');
    const r = await at(dir)(['apply', '-f', '-'], Readable.from([APPLIED]));
    expect(r.stdout).toBe('imagestream.image.openshift.io/web created\nimagestream.image.openshift.io/api created\n');
    const src = tempDir('apply-dir');
    fs.writeFileSync(
      path.join(src, 'a.yaml'),
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: a, namespace: ci}\nspec: {}\n',
    );
    fs.writeFileSync(path.join(src, 'notes.txt'), 'ignored');
    const d = await at(dir)(['apply', '-f', src]);
    expect(d.stdout).toBe('imagestream.image.openshift.io/a created\n');
    expect(fs.existsSync(path.join(dir, 'imagestreams/ci/a.yaml'))).toBe(true);
    expect((await at(dir)(['apply'])).code).toBe(1);
    const mismatch = await at(dir)(['apply', '-f', src, '-n', 'prod']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toBe(
      `error: the namespace from the provided object "ci" does not match the namespace "prod". You must pass '--namespace=ci' to perform this operation.\n`,
    );
  });

  it('round-trips corpus streams: apply into an empty folder, get -o json returns the same spec', async () => {
    const corpus = path.join(CORPUS, 'imagestreams');
    const files = ['origin__test-stream.yaml', 'jenkins__jenkins-centos.yaml', 'library__openliberty.json'].filter(
      (f) => fs.existsSync(path.join(corpus, f)),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const dir = tempDir('apply-corpus');
      const r = await at(dir)(['apply', '-f', path.join(corpus, f)]);
      expect(r.code, r.stderr).toBe(0);
      const { parseAllDocuments } = await import('yaml');
      const docs = parseAllDocuments(fs.readFileSync(path.join(corpus, f), 'utf8')).map((d) => d.toJS());
      const streams = docs
        .flatMap((d) => (d?.kind === 'ImageStreamList' || d?.kind === 'List' ? d.items : [d]))
        .filter((d) => d?.kind === 'ImageStream');
      for (const s of streams) {
        const got = JSON.parse(
          (await at(dir)(['get', 'is', s.metadata.name, '-n', s.metadata.namespace ?? 'default', '-o', 'json'])).stdout,
        );
        const strip = (spec: { tags?: { generation?: unknown }[] }) => ({
          ...spec,
          tags: (spec.tags ?? []).map(({ generation: _g, ...t }) => t),
        });
        expect(strip(got.spec)).toEqual(strip(s.spec ?? {}));
      }
    }
  });
});

describe('apply -o', () => {
  // kubectl pkg/cmd/apply/apply.go: with -o other than name (shouldPrintObject) no line is printed
  // per object; printObjects prints the one object as stored, or a v1 List of all of them.
  it('prints one object alone, several as a List, and refuses an unknown -o before writing', async () => {
    const dir = tempDir('apply-o');
    fs.writeFileSync(path.join(dir, 'web.yaml'), EXISTING);
    const input = path.join(tempDir('apply-o-in'), 'in.yaml');
    fs.writeFileSync(input, APPLIED);
    const run = at(dir);
    const bad = await run(['apply', '-f', input, '-o', 'wide']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unable to match a printer suitable for the output format "wide"');
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
    const both = await run(['apply', '-f', input, '-o', 'json']);
    expect(both.code).toBe(0);
    const list = JSON.parse(both.stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(['web', 'api']);
    // As stored: the existing stream keeps its status, the new one has the namespace and generation 1.
    expect(list.items[0].status.tags[0].tag).toBe('1.0');
    expect(list.items[1].metadata).toMatchObject({ namespace: 'default', generation: 1 });
    // Unchanged objects are printed too (the List holds every object applied).
    const again = await run(['apply', '-f', input, '-o', 'jsonpath={.items[*].metadata.name}']);
    expect(again.stdout).toBe('web api');
    const one = path.join(tempDir('apply-o-one'), 'one.yaml');
    fs.writeFileSync(one, 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: solo}\n');
    const yaml = await run(['apply', '-f', one, '-o', 'yaml', '--dry-run']);
    expect(yaml.stdout).toMatch(/^apiVersion: image.openshift.io\/v1\nkind: ImageStream\nmetadata:\n/);
    expect(yaml.stdout).toContain('  name: solo\n');
    expect(fs.existsSync(path.join(dir, 'imagestreams/default/solo.yaml'))).toBe(false);
  });
});

describe('delete is', () => {
  it('deletes streams and reports missing ones as NotFound', async () => {
    const dir = tempDir('delete');
    const run = at(dir);
    await run(['create', 'is', 'a']);
    await run(['create', 'is', 'b']);
    const r = await run(['delete', 'is', 'a', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('imagestream.image.openshift.io "a" deleted\n');
    expect(r.stderr).toBe('Error from server (NotFound): imagestreams.image.openshift.io "nope" not found\n');
    expect(fs.existsSync(path.join(dir, 'imagestreams/default/a.yaml'))).toBe(false);
    expect((await run(['get', 'is', '-o', 'name'])).stdout).toBe('imagestream.image.openshift.io/b\n');
  });
});

describe('set image-lookup', () => {
  it('enables, lists, reports nothing when unchanged, and disables', async () => {
    const dir = tempDir('lookup');
    const run = at(dir);
    await run(['create', 'is', 'mysql']);
    const on = await run(['set', 'image-lookup', 'mysql']);
    expect(on).toMatchObject({ code: 0, stdout: 'imagestream.image.openshift.io/mysql image lookup updated\n' });
    expect(readState(dir, 'imagestreams/default/mysql.yaml')).toMatch(/local: true/);
    expect(readState(dir, 'imagestreams/default/mysql.yaml')).toMatch(/generation: 2/);
    expect((await run(['set', 'image-lookup', 'mysql'])).stdout).toBe('');
    expect((await run(['set', 'image-lookup'])).stdout).toBe('NAME   LOCAL\nmysql  true\n');
    const off = await run(['set', 'image-lookup', 'mysql', '--enabled=false']);
    expect(off.stdout).toBe('imagestream.image.openshift.io/mysql image lookup updated\n');
    expect(readState(dir, 'imagestreams/default/mysql.yaml')).toMatch(/local: false/);
    const missing = await run(['set', 'image-lookup', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('imagestreams.image.openshift.io "nope" not found');
  });

  // oc pkg/cli/set/imagelookup.go: PrintFlags("image lookup updated"); with -o and no names
  // PrintTable is false, so every stream of the namespace is set; each changed object is printed
  // (cli-runtime printers/yaml.go puts --- between them); an unchanged one is not.
  it('-o prints the changed objects, and with no names sets every stream', async () => {
    const dir = tempDir('lookup-o');
    const run = at(dir);
    await run(['create', 'is', 'a']);
    await run(['create', 'is', 'b']);
    const one = await run(['set', 'image-lookup', 'a', '-o', 'json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({
      kind: 'ImageStream',
      metadata: { name: 'a', generation: 2 },
      spec: { lookupPolicy: { local: true } },
    });
    const all = await run(['set', 'image-lookup', '-o', 'yaml']);
    expect(all.code).toBe(0);
    // a was already on: only b is printed.
    expect(all.stdout).toMatch(/^apiVersion: image.openshift.io\/v1\nkind: ImageStream\n/);
    expect(all.stdout).toContain('  name: b\n');
    expect(all.stdout).not.toContain('  name: a\n');
    expect(readState(dir, 'imagestreams/default/b.yaml')).toMatch(/local: true/);
    const off = await run(['set', 'image-lookup', '--all', '--enabled=false', '-o', 'yaml']);
    expect(off.stdout.split('---\n')).toHaveLength(2);
    expect((await run(['set', 'image-lookup', 'a', '-o', 'name'])).stdout).toBe('imagestream.image.openshift.io/a\n');
    expect(
      (await run(['set', 'image-lookup', 'b', '--dry-run', '-o', 'jsonpath={.spec.lookupPolicy.local}'])).stdout,
    ).toBe('true');
    expect(readState(dir, 'imagestreams/default/b.yaml')).toMatch(/local: false/);
    // --list prints the table whatever -o says, and a bad -o is refused first.
    expect((await run(['set', 'image-lookup', '--list', '-o', 'json'])).stdout).toBe(
      'NAME  LOCAL\na     true\nb     false\n',
    );
    const bad = await run(['set', 'image-lookup', 'b', '-o', 'wide']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unable to match a printer suitable for the output format "wide"');
    expect(readState(dir, 'imagestreams/default/b.yaml')).toMatch(/local: false/);
  });

  it('sets the resolve-names annotation on a deployment template', async () => {
    const dir = tempDir('lookup-deploy');
    fs.writeFileSync(
      path.join(dir, 'deploy.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n' +
        '    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n' +
        '        image: mysql:latest\n',
    );
    const r = await at(dir)(['set', 'image-lookup', 'deploy/web']);
    expect(r.stdout).toBe('deployment.apps/web image lookup updated\n');
    expect(readState(dir, 'deploy.yaml')).toContain('alpha.image.policy.openshift.io/resolve-names');
    expect((await at(dir)(['set', 'image-lookup', 'deploy/web', '--list'])).stdout).toBe(
      'NAME             LOCAL\ndeployments/web  true\n',
    );
  });
});

describe('apply of other kinds', () => {
  it('writes workloads to their default path and skips kinds that are not stored as objects', async () => {
    const dir = tempDir('apply-kinds');
    const f = path.join(tempDir('apply-kinds-in'), 'in.yaml');
    fs.writeFileSync(
      f,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: web, image: web:latest}]}}}\n---\n' +
        `apiVersion: image.openshift.io/v1\nkind: Image\nmetadata: {name: "sha256:${'a'.repeat(64)}"}\ndockerImageReference: x@sha256:${'a'.repeat(64)}\n`,
    );
    const r = await at(dir)(['apply', '-f', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('deployment.apps/web created\n');
    expect(r.stderr).toBe(
      `warning: skipped Image "sha256:${'a'.repeat(64)}": image metadata is kept in the image store (.isctl/blobs); import or tag the image instead\n`,
    );
    expect(readState(dir, 'deployments/default/web.yaml')).toContain('image: web:latest');
  });
});

describe('delete istag', () => {
  it('removes the spec tag and its history, bumps the generation, and reports missing tags', async () => {
    const dir = tempDir('delete-istag');
    fs.writeFileSync(path.join(dir, 'web.yaml'), EXISTING);
    const run = at(dir);
    const r = await run(['delete', 'istag', 'web:1.0', 'web:nope', 'gone:1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('imagestreamtag.image.openshift.io "web:1.0" deleted\n');
    expect(r.stderr).toBe(
      'Error from server (NotFound): imagestreamtags.image.openshift.io "web:nope" not found\n' +
        'Error from server (NotFound): imagestreams.image.openshift.io "gone" not found\n',
    );
    const web = JSON.parse((await run(['get', 'is', 'web', '-o', 'json'])).stdout);
    expect(web.spec.tags ?? []).toEqual([]);
    expect(web.status.tags ?? []).toEqual([]);
    expect(web.metadata.generation).toBe(4);
    expect(readState(dir, 'web.yaml')).toContain('# hand-written, keep me');
  });
});
