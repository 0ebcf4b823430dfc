/**
 * Files of the folder that cannot be read, or are read leniently, as a user meets them: every
 * command that reads the folder says so on stderr (`error: path:line:column: …` and exit 1 after
 * doing what it could; `warning: …` for a repeated key, as kubectl's reader takes the last one:
 * sigs.k8s.io/yaml over go-yaml v2), and no command writes around such a file — not a second copy
 * of an object it may hold, not one of two copies, not into a file it only read leniently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, ROOT, runCli, tempDir } from '../helpers/index.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const STREAM = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
spec:
  tags:
  - name: src
    from: {kind: DockerImage, name: quay.io/acme/app:1}
    reference: true
status:
  tags:
  - tag: src
    items:
    - created: "2026-11-01T10:00:00Z"
      dockerImageReference: quay.io/acme/app@${D1}
      image: ${D1}
      generation: 1
`;
const DC = `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: " "
  triggers:
  - type: ImageChange
    imageChangeParams:
      automatic: true
      containerNames: [web]
      from: {kind: ImageStreamTag, name: "app:latest"}
`;

function folder(files: Record<string, string | Buffer>): string {
  const dir = tempDir('unreadable');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

describe('a file that cannot be parsed', () => {
  // Tab indentation is a YAML syntax error.
  const brokenDc = DC.replace('  template:', '\ttemplate:');

  it('is reported by a writing command too (path:line:column, exit 1), which still does what it can', async () => {
    const dir = folder({ 'app.yaml': STREAM, 'web-dc.yaml': brokenDc });
    const r = await runCli(['tag', 'app:src', 'app:latest'], { dir });
    expect(r.stderr).toMatch(/^error: web-dc\.yaml:6:1: YAML syntax error: .*\n/);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Tag app:latest set to app@sha256:');
    expect(read(dir, 'app.yaml')).toContain('- name: latest');
    expect(read(dir, 'web-dc.yaml')).toBe(brokenDc);
    // The same file, the same words, from a read.
    const get = await runCli(['get', 'is'], { dir });
    expect(get.code).toBe(1);
    expect(get.stderr.split('\n')[0]).toBe(r.stderr.split('\n')[0]);
  });

  it('is reported once per run, however often the command reads the folder', async () => {
    const dir = folder({ 'app.yaml': STREAM, 'web-dc.yaml': brokenDc });
    const r = await runCli(['tag', 'app:src', 'app:latest'], { dir });
    expect(r.stderr.match(/web-dc\.yaml:6:1/g)).toHaveLength(1);
  });

  it('is never written around: a stream it may define is not created a second time elsewhere', async () => {
    const broken = `<<<<<<< HEAD\n${STREAM}=======\n${STREAM.replace('app:1', 'app:2')}>>>>>>> theirs\n`;
    const dir = folder({ 'streams/app.yaml': broken });
    const r = await runCli(['tag', '--reference', 'quay.io/acme/app:3', 'app:3'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: streams/app.yaml: could not be read and may define ImageStream "app"; isctl does not write ImageStream "app" while that file cannot be read',
    );
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
    expect(read(dir, 'streams/app.yaml')).toBe(broken);
  });

  it('over the size limit is not read, and blocks creating what it may hold', async () => {
    const big = `${STREAM}# ${'x'.repeat(4 * 1024 * 1024)}\n`;
    const dir = folder({ 'big.yaml': big });
    const r = await runCli(['create', 'imagestream', 'app'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: big.yaml: could not be read and may define ImageStream "app"');
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
    // Another name is fine: the file does not mention it.
    expect((await runCli(['create', 'imagestream', 'db'], { dir })).stdout).toBe(
      'imagestream.image.openshift.io/db created\n',
    );
  });
});

describe('what a broken file may define is read per document, as the loader reads the ones that parse', () => {
  const BROKEN_DOC = '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata: [\n';

  it('a stream whose kind and name are written with escapes still blocks creating it elsewhere', async () => {
    const escaped = `apiVersion: image.openshift.io/v1\nkind: "Image\\u0053tream"\nmetadata:\n  name: "hel\\x6co"\n${BROKEN_DOC}`;
    const dir = folder({ 'streams.yaml': escaped });
    const r = await runCli(['create', 'imagestream', 'hello'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: streams.yaml: could not be read and may define ImageStream "hello"');
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
    expect(read(dir, 'streams.yaml')).toBe(escaped);
  });

  it('a manifest kept as text (a block scalar document) does not block creating the stream it shows', async () => {
    const text = `--- |\napiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: hello\n${BROKEN_DOC}`;
    const dir = folder({ 'notes.yaml': text });
    const r = await runCli(['create', 'imagestream', 'hello'], { dir });
    expect(r.stdout).toBe('imagestream.image.openshift.io/hello created\n');
    expect(r.stderr).toMatch(/^error: notes\.yaml:\d+:\d+: YAML syntax error: /);
    expect(r.stderr).not.toContain('may define');
    expect(read(dir, 'notes.yaml')).toBe(text);
    // The broken document still blocks what it holds.
    const notes = await runCli(['apply', '-f', '-'], {
      dir,
      stdin: Readable.from(['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n']),
    });
    expect(notes.stderr).toContain('could not be read and may define ConfigMap "notes"');
  });
});

describe('two copies of one object', () => {
  it('are not picked from: tag and delete refuse, naming both files', async () => {
    const dir = folder({ 'a.yaml': STREAM, 'b.yaml': STREAM });
    const tag = await runCli(['tag', '--reference', 'quay.io/acme/app:3', 'app:3'], { dir });
    expect(tag.code).toBe(1);
    expect(tag.stderr).toContain(
      'error: a.yaml: ImageStream "app" in namespace "default" is defined in 2 files (a.yaml, b.yaml); isctl does not pick one to change',
    );
    const del = await runCli(['delete', 'is', 'app'], { dir });
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('is defined in 2 files (a.yaml, b.yaml)');
    expect(read(dir, 'a.yaml')).toBe(STREAM);
    expect(read(dir, 'b.yaml')).toBe(STREAM);
  });
});

describe('a repeated key', () => {
  const repeated = DC.replace('  triggers:', '  paused: false\n  paused: false\n  triggers:');

  it('is read as kubectl reads it, the last one winning, with a warning naming file:line:column (exit 0)', async () => {
    const dir = folder({ 'app.yaml': STREAM.replace('  tags:\n  - name: src', '  tags: []\n  tags:\n  - name: src') });
    const r = await runCli(['get', 'istag'], { dir });
    expect(r.stderr).toBe(
      'warning: app.yaml:7:3: key "tags" already set in map; the last one is used, as kubectl does\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('app:src');
  });

  it('keeps the file from being rewritten, and a command that would change it says so and writes nothing', async () => {
    const dir = folder({ 'app.yaml': STREAM, 'web-dc.yaml': repeated });
    const r = await runCli(['tag', 'app:src', 'app:latest'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: web-dc.yaml:12:3: repeats the key "paused"; isctl reads the last one but never rewrites a file that repeats a key\nhint: remove the repeated key',
    );
    expect(read(dir, 'web-dc.yaml')).toBe(repeated);
    expect(read(dir, 'app.yaml')).toBe(STREAM);
  });
});

describe('a workload file that cannot be read, met by import-image and refresh', () => {
  /** A copy of examples/state and the OCI layout it imports from, with one more file. */
  function exampleWith(rel: string, text: string): string {
    const root = tempDir('unreadable-import');
    fs.cpSync(path.join(ROOT, 'examples', 'state'), path.join(root, 'state'), {
      recursive: true,
      filter: (src) => !src.split(path.sep).includes('.isctl'),
    });
    fs.cpSync(EXAMPLE_LAYOUT, path.join(root, 'hello-oci'), { recursive: true });
    const dir = path.join(root, 'state');
    fs.writeFileSync(path.join(dir, rel), text);
    return dir;
  }
  // A broken DeploymentConfig of another stream (one that names the imported DeploymentConfig or
  // stream would stop their write: it may define them), and one on hello:1.0 repeating a key.
  const broken = DC.replace('  template:', '\ttemplate:');
  const watcher = DC.replace('name: web', 'name: other').replace('app:latest', 'hello:1.0');
  const repeated = watcher.replace('  triggers:', '  paused: false\n  paused: false\n  triggers:');

  it.each([['import-image', 'hello:1.0'], ['refresh']])(
    '%s reports a broken workload file (path:line:column, exit 1), still imports, and leaves the file alone',
    async (...argv) => {
      const dir = exampleWith('other-dc.yaml', broken);
      const r = await runCli(argv, { dir });
      expect(r.stderr).toMatch(/^error: other-dc\.yaml:6:1: YAML syntax error: /m);
      expect(r.code).toBe(1);
      expect(read(dir, 'hello.yaml')).toMatch(/dockerImageReference: .*@sha256:/);
      expect(read(dir, 'hello-deploy.yaml')).toMatch(/image: .*@sha256:[0-9a-f]{64}/);
      expect(read(dir, 'other-dc.yaml')).toBe(broken);
    },
  );

  it.each([['import-image', 'hello:1.0'], ['refresh']])(
    '%s warns about a repeated key in a workload file it would roll out, and refuses to rewrite it',
    async (...argv) => {
      const dir = exampleWith('other-dc.yaml', repeated);
      const r = await runCli(argv, { dir });
      expect(r.stderr).toContain('warning: other-dc.yaml:12:3: key "paused" already set in map');
      expect(r.stderr).toContain('error: other-dc.yaml:12:3: repeats the key "paused"; isctl reads the last one');
      expect(r.code).toBe(1);
      expect(read(dir, 'other-dc.yaml')).toBe(repeated);
    },
  );
});

describe('what a broken file may define is read from its top-level kind and metadata.name', () => {
  function exampleWith(rel: string, text: string): string {
    const root = tempDir('unreadable-scope');
    fs.cpSync(path.join(ROOT, 'examples', 'state'), path.join(root, 'state'), {
      recursive: true,
      filter: (src) => !src.split(path.sep).includes('.isctl'),
    });
    fs.cpSync(EXAMPLE_LAYOUT, path.join(root, 'hello-oci'), { recursive: true });
    const dir = path.join(root, 'state');
    fs.writeFileSync(path.join(dir, rel), text);
    return dir;
  }
  // DeploymentConfig "web" on hello:1.0, broken below its metadata: its trigger names
  // `kind: ImageStreamTag` and `name: hello:1.0`, words of stream hello and DeploymentConfig hello.
  const webOnHello = DC.replace('app:latest', 'hello:1.0').replace('  template:', '\ttemplate:');

  it('a broken DeploymentConfig "web" watching hello:1.0 does not stop tag into hello nor the rollout of DeploymentConfig "hello"', async () => {
    const dir = exampleWith('web-dc.yaml', '');
    fs.rmSync(path.join(dir, 'web-dc.yaml'));
    const dc = read(dir, 'hello-deploy.yaml');
    expect((await runCli(['import-image', 'hello:1.0'], { dir })).code).toBe(0);
    // DeploymentConfig "hello" behind its stream again (as a killed run leaves it): tag catches it up.
    fs.writeFileSync(path.join(dir, 'hello-deploy.yaml'), dc);
    fs.writeFileSync(path.join(dir, 'web-dc.yaml'), webOnHello);
    const r = await runCli(['tag', 'hello:1.0', 'hello:x'], { dir });
    expect(r.stderr).toMatch(/^error: web-dc\.yaml:6:1: YAML syntax error: /m);
    expect(r.stderr).not.toContain('may define');
    expect(r.stdout).toContain('Tag hello:x set to hello@sha256:');
    expect(read(dir, 'hello.yaml')).toContain('name: x');
    expect(read(dir, 'hello-deploy.yaml')).toMatch(/image: .*@sha256:[0-9a-f]{64}/);
    expect(read(dir, 'web-dc.yaml')).toBe(webOnHello);
  });

  it('a broken DeploymentConfig "web" watching hello:1.0 does not stop import-image hello:1.0 and its rollout', async () => {
    const dir = exampleWith('web-dc.yaml', webOnHello);
    const r = await runCli(['import-image', 'hello:1.0'], { dir });
    expect(r.stderr).toMatch(/^error: web-dc\.yaml:6:1: YAML syntax error: /m);
    expect(r.stderr).not.toContain('may define');
    expect(r.code).toBe(1);
    expect(read(dir, 'hello.yaml')).toMatch(/dockerImageReference: .*@sha256:/);
    expect(read(dir, 'hello-deploy.yaml')).toMatch(/image: .*@sha256:[0-9a-f]{64}/);
    expect(read(dir, 'web-dc.yaml')).toBe(webOnHello);
  });

  it('a broken file whose top-level kind and metadata.name are ImageStream "hello" still blocks tag into hello, naming the file', async () => {
    const broken = `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: hello\nspec:\n  tags:\n\t- name: old\n`;
    const dir = exampleWith('hello-is.yaml', broken);
    const before = read(dir, 'hello.yaml');
    const r = await runCli(['tag', '--reference', 'quay.io/acme/hello:2', 'hello:x'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: hello-is.yaml: could not be read and may define ImageStream "hello"; isctl does not write ImageStream "hello"',
    );
    expect(read(dir, 'hello.yaml')).toBe(before);
  });

  it('a file with conflict markers around its metadata blocks every object of the kinds and names it mentions', async () => {
    const broken = [
      'apiVersion: apps.openshift.io/v1',
      'kind: DeploymentConfig',
      '<<<<<<< HEAD',
      'metadata:',
      '  name: web',
      '=======',
      'metadata:',
      '  name: web2',
      '>>>>>>> theirs',
      'spec:',
      '  triggers:',
      '  - type: ImageChange',
      '    imageChangeParams: {automatic: true, containerNames: [web], from: {kind: ImageStreamTag, name: "hello:1.0"}}',
      '',
    ].join('\n');
    const dir = exampleWith('web-dc.yaml', broken);
    const before = read(dir, 'hello-deploy.yaml');
    const r = await runCli(['import-image', 'hello:1.0'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: web-dc.yaml: could not be read and may define DeploymentConfig "hello"; isctl does not write DeploymentConfig "hello"',
    );
    expect(read(dir, 'hello-deploy.yaml')).toBe(before);
  });
});
