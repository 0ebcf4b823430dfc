import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { StateFileError } from '../../src/domain/errors.js';
import type { ImageStream } from '../../src/domain/types.js';
import { openStateStore } from '../../src/state/store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'isctl-load-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const stream = (name: string, extra = '') =>
  `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\n${extra}spec:\n  tags: []\n`;

describe('discovery', () => {
  test('YAML, multi-document, List, ImageStreamList and JSON; dot-folders and node_modules skipped; namespaces', async () => {
    const dir = folder({
      'a.yaml': stream('a'),
      'sub/b.yml': `${stream('b', '  namespace: other\n')}---\n# just a comment\n---\nnot: a kube object\n`,
      'list.yaml':
        'apiVersion: v1\nkind: List\nitems:\n- apiVersion: image.openshift.io/v1\n  kind: ImageStream\n  metadata: {name: c}\n',
      'islist.json': JSON.stringify({
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStreamList',
        items: [{ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'd' } }],
      }),
      'e.json': JSON.stringify(
        { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'e' } },
        null,
        2,
      ),
      '.git/x.yaml': stream('hidden'),
      '.isctl/y.yaml': stream('hidden2'),
      // The folder's project: objects without metadata.namespace belong to it, whatever read() is given.
      '.isctl/config.yaml': 'namespace: team\n',
      'node_modules/z.yaml': stream('hidden3'),
      'notes.txt': stream('txt'),
    });
    const snap = await openStateStore(dir).read('elsewhere');
    expect(snap.list('ImageStream').map((o) => `${o.namespace}/${o.name}`)).toEqual([
      'other/b',
      'team/a',
      'team/c',
      'team/d',
      'team/e',
    ]);
    expect(snap.list('ImageStream', 'other').map((o) => o.name)).toEqual(['b']);
    expect(snap.find('ImageStream', 'team', 'c')!.location).toEqual({ file: 'list.yaml', document: 0, item: 0 });
    expect(snap.problems).toEqual([]);
    expect(Object.isFrozen(snap.find('ImageStream', 'team', 'a')!.original)).toBe(true);
  });
});

describe('bad input', () => {
  test('a YAML syntax error names path:line:column; the file is never written; other files still load and update', async () => {
    const broken =
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: broken\nspec:\n  tags: [a, b\n';
    const dir = folder({ 'broken.yaml': broken, 'ok.yaml': stream('ok') });
    const snap = await openStateStore(dir).read('default');
    expect(snap.problems).toHaveLength(1);
    expect(snap.problems[0]).toBeInstanceOf(StateFileError);
    expect(snap.problems[0].message).toMatch(/^broken\.yaml:\d+:\d+: YAML syntax error: /);
    expect(snap.problems[0].line).toBeGreaterThanOrEqual(6);
    expect(snap.find('ImageStream', 'default', 'ok')).toBeDefined();
    const mtime = statSync(path.join(dir, 'broken.yaml')).mtimeMs;
    const { changes } = await openStateStore(dir).update('default', (s) => {
      s.find<ImageStream>('ImageStream', 'default', 'ok')!.object.spec.lookupPolicy = { local: true };
    });
    expect(changes.map((c) => c.path)).toEqual(['ok.yaml']);
    expect(readFileSync(path.join(dir, 'broken.yaml'), 'utf8')).toBe(broken);
    expect(statSync(path.join(dir, 'broken.yaml')).mtimeMs).toBe(mtime);
  });

  test('a JSON syntax error names path:line:column', async () => {
    const dir = folder({ 'bad.json': '{\n  "apiVersion": "v1",\n  "kind": "ImageStream",\n}\n' });
    const snap = await openStateStore(dir).read('default');
    expect(snap.problems[0].message).toMatch(/^bad\.json:4:1: JSON syntax error: /);
  });

  test('a wrong type in a known field is reported with its path and line, and that file is read-only', async () => {
    const dir = folder({
      'bad.yaml':
        `${stream('good')}---\napiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n` +
        `  name: bad\nspec:\n  tags:\n  - name: 1.10\n    from: {kind: DockerImage, name: x}\n`,
    });
    const snap = await openStateStore(dir).read('default');
    expect(snap.problems.map((p) => p.message)).toEqual([
      'bad.yaml:14:11: The ImageStream "bad" is invalid: spec.tags[0].name: must be a string, got number 1.1',
    ]);
    expect(snap.find('ImageStream', 'default', 'bad')).toBeUndefined();
    await expect(
      openStateStore(dir).update('default', (s) => {
        s.find<ImageStream>('ImageStream', 'default', 'good')!.object.spec.lookupPolicy = { local: true };
      }),
    ).rejects.toThrow(/bad\.yaml:14:11/);
  });

  test('a YAML alias bomb is refused quickly, not expanded', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const dir = folder({
      'bomb.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
      'ok.yaml': stream('ok'),
    });
    const t0 = Date.now();
    const snap = await openStateStore(dir).read('default');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(snap.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^bomb\.yaml: refused: more than 100 YAML alias expansions/),
    ]);
    expect(snap.find('ImageStream', 'default', 'ok')).toBeDefined();
  });

  test('a file over the size limit is refused unread', async () => {
    const big = `${stream('big')}# ${'x'.repeat(5 * 1024 * 1024)}\n`;
    const dir = folder({ 'big.yaml': big, 'ok.yaml': stream('ok') });
    const t0 = Date.now();
    const snap = await openStateStore(dir).read('default');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(snap.problems[0].message).toMatch(/^big\.yaml: file is 5\.0 MiB, larger than the 4\.0 MiB limit/);
    const small = await openStateStore(dir, { maxFileBytes: 64 }).read('default');
    expect(small.problems.map((p) => p.file).sort()).toEqual(['big.yaml', 'ok.yaml']);
  });

  test('the same object in two files: the second copy is reported and its file left alone', async () => {
    const dir = folder({ 'a.yaml': stream('dup'), 'b.yaml': stream('dup') });
    const snap = await openStateStore(dir).read('default');
    expect(snap.problems.map((p) => p.message)).toEqual([
      'b.yaml: ImageStream "dup" in namespace "default" is also defined in a.yaml; this copy is ignored',
    ]);
  });
});
