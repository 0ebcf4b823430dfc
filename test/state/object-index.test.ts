/**
 * The object index (`.isctl/cache/objects-v1.json`): single-object commands read only the files
 * defining the object, and no output may depend on it. Every case runs a command with the index
 * in place and compares with a run where the cache folder was deleted; files are dated an hour
 * back, as files of a checked-out folder are, so the index records them (a file modified in the
 * last seconds is never recorded: git read-cache.c is_racy_timestamp).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/store.js';
import { runCli, tempDir } from '../helpers/index.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const stream = (name: string, digest = D1, ns?: string) => `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ''}spec:
  tags:
  - name: v1
    from: {kind: DockerImage, name: quay.io/acme/${name}:1}
    reference: true
status:
  tags:
  - tag: v1
    items:
    - created: "2026-11-01T10:00:00Z"
      dockerImageReference: quay.io/acme/${name}@${digest}
      image: ${digest}
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
      from: {kind: ImageStreamTag, name: "app:prod"}
`;

const HOUR_AGO = new Date(Date.now() - 3600_000);
function put(dir: string, rel: string, text: string, when: Date | null = HOUR_AGO): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
  if (when) fs.utimesSync(path.join(dir, rel), when, when);
}
function folder(): string {
  const dir = tempDir('object-index');
  for (let i = 0; i < 20; i++) put(dir, `streams/s${String(i).padStart(2, '0')}.yaml`, stream(`s${i}`));
  put(dir, 'streams/app.yaml', stream('app'));
  put(dir, 'web-dc.yaml', DC);
  return dir;
}
const INDEX = '.isctl/cache/objects-v1.json';
const indexed = (dir: string): Record<string, unknown> =>
  (JSON.parse(fs.readFileSync(path.join(dir, INDEX), 'utf8')) as { files: Record<string, unknown> }).files;
const COMMANDS = [
  ['describe', 'is', 'app'],
  ['get', 'is', 'app'],
  ['get', 'istag', 'app:v1'],
  ['get', 'is', '-A'],
  ['describe', 'is', 's3'],
];

/** Runs `args` with the index as it is, then without it (cache deleted); both must agree. */
async function same(dir: string, args: string[]) {
  const withIndex = await runCli(args, { dir });
  fs.rmSync(path.join(dir, '.isctl/cache'), { recursive: true, force: true });
  const without = await runCli(args, { dir });
  expect({ code: withIndex.code, stdout: withIndex.stdout, stderr: withIndex.stderr }).toEqual({
    code: without.code,
    stdout: without.stdout,
    stderr: without.stderr,
  });
  return withIndex;
}
/** Builds the index (a first command), then checks. */
async function warm(dir: string): Promise<void> {
  await runCli(['get', 'is', '-A'], { dir });
  expect(Object.keys(indexed(dir))).toContain('streams/app.yaml');
}

describe('the object index', () => {
  it('records every cleanly parsed file and changes no output of the single-object reads', async () => {
    const dir = folder();
    await warm(dir);
    expect(Object.keys(indexed(dir))).toHaveLength(22);
    for (const args of COMMANDS) {
      await warm(dir);
      const r = await same(dir, args);
      expect(r.code).toBe(0);
    }
  });

  it('sees an edit made within the same second as the index was written (same size, same mtime)', async () => {
    const dir = folder();
    // Just written, with an mtime of whole seconds as on a file system of coarse timestamps.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    put(dir, 'streams/app.yaml', stream('app'), now);
    await runCli(['get', 'is', '-A'], { dir });
    // The object is renamed: only the index knows which file defines which name.
    const edited = stream('apq', D2);
    expect(edited.length).toBe(stream('app').length);
    fs.writeFileSync(path.join(dir, 'streams/app.yaml'), edited);
    fs.utimesSync(path.join(dir, 'streams/app.yaml'), now, now);
    const r = await runCli(['get', 'istag', 'apq:v1', '-o', 'jsonpath={.image.metadata.name}'], { dir });
    expect(r.stdout).toBe(D2);
    expect((await runCli(['describe', 'is', 'app'], { dir })).code).toBe(1);
  });

  it('sees a file replaced by another of the same size and mtime (rename over it)', async () => {
    const dir = folder();
    await warm(dir);
    put(dir, 'next.tmp', stream('apq', D2));
    fs.renameSync(path.join(dir, 'next.tmp'), path.join(dir, 'streams/app.yaml'));
    const r = await same(dir, ['get', 'istag', 'apq:v1', '-o', 'jsonpath={.image.metadata.name}']);
    expect(r.stdout).toBe(D2);
  });

  it('forgets a deleted file: its object is not found', async () => {
    const dir = folder();
    await warm(dir);
    fs.rmSync(path.join(dir, 'streams/app.yaml'));
    const r = await same(dir, ['describe', 'is', 'app']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"app" not found');
  });

  it('finds a new file defining a second copy: reads report it, tag refuses naming both', async () => {
    const dir = folder();
    await warm(dir);
    put(dir, 'copy/app.yaml', stream('app', D2));
    const r = await same(dir, ['describe', 'is', 'app']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'streams/app.yaml: ImageStream "app" in namespace "default" is also defined in copy/app.yaml',
    );
    await warm(dir);
    const t = await runCli(['tag', '--reference', 'quay.io/acme/app:2', 'app:prod'], { dir });
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('is defined in 2 files (copy/app.yaml, streams/app.yaml)');
  });

  it('reports a file that becomes unreadable (path:line:column, exit 1) from every single-object read', async () => {
    const dir = folder();
    await warm(dir);
    put(dir, 'web-dc.yaml', DC.replace('  template:', '\ttemplate:'));
    for (const args of [
      ['describe', 'is', 'app'],
      ['get', 'istag', 'app:v1'],
    ]) {
      const r = await same(dir, args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: web-dc\.yaml:6:1: YAML syntax error/);
      expect(r.stdout).toContain('app');
    }
  });

  it('is rebuilt silently when corrupt or of another version', async () => {
    for (const bad of ['{"version":1,"files":{"streams/app.yaml":', '{"version":0,"files":{}}', 'null']) {
      const dir = folder();
      await warm(dir);
      fs.writeFileSync(path.join(dir, INDEX), bad);
      const r = await runCli(['describe', 'is', 'app'], { dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(Object.keys(indexed(dir))).toHaveLength(22);
    }
  });

  it('is never required: a folder where the cache cannot be written reads the same', async () => {
    const dir = folder();
    fs.mkdirSync(path.join(dir, '.isctl'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.isctl/cache'), 'not a folder\n');
    for (const args of COMMANDS) {
      const r = await runCli(args, { dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    fs.rmSync(path.join(dir, '.isctl/cache'));
    for (const args of COMMANDS) await same(dir, args);
  });

  it('tag moves a workload that follows the tag with the stream files indexed, as without the index', async () => {
    const run = async (keepIndex: boolean) => {
      const dir = folder();
      await warm(dir);
      if (!keepIndex) fs.rmSync(path.join(dir, '.isctl/cache'), { recursive: true });
      const r = await runCli(['tag', 'app:v1', 'app:prod'], { dir });
      return { r, dc: fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8') };
    };
    const a = await run(true);
    const b = await run(false);
    expect(a.r.code).toBe(0);
    expect(a.dc).toContain(`quay.io/acme/app@${D1}`);
    expect(a).toEqual(b);
  });

  it('a file deleted after the listing of a read (no lock): the snapshot does not fail', async () => {
    const dir = folder();
    await warm(dir);
    const snap = await openStateStore(dir).read('default');
    fs.rmSync(path.join(dir, 'streams/app.yaml'));
    // As listed (from the parse cache) or gone: either is a consistent read, an exception is not.
    expect(() => snap.find('ImageStream', 'default', 'app')).not.toThrow();
    expect(snap.find('ImageStream', 'default', 's1')?.name).toBe('s1');
  });
});
