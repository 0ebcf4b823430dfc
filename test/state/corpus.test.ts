import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { diffLines } from '../../src/output/diff.js';
import { openStateStore } from '../../src/state/store.js';
import type { ImageStream } from '../../src/domain/types.js';
import { CORPUS } from '../fixtures/corpus.js';

let dir: string;

function allFiles(root: string, rel = ''): string[] {
  return readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? allFiles(root, r) : /\.(ya?ml|json)$/.test(e.name) ? [r] : [];
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'isctl-corpus-'));
  cpSync(CORPUS, dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the shared corpus', () => {
  test.each(allFiles(CORPUS))('%s loads on its own, or is reported with a clear error', async (file) => {
    const one = mkdtempSync(path.join(tmpdir(), 'isctl-corpus-one-'));
    try {
      cpSync(path.join(CORPUS, file), path.join(one, path.basename(file)));
      const snap = await openStateStore(one).read('default');
      for (const p of snap.problems) expect(p.message).toMatch(/^[^:]+(:\d+(:\d+)?)?: \S/);
      const docs = parseAllDocuments(readFileSync(path.join(CORPUS, file), 'utf8')).map(
        (d) => d.toJS() as Record<string, unknown> | null,
      );
      const kube = docs.filter((d) => d && typeof d.kind === 'string' && typeof d.apiVersion === 'string');
      if (kube.length === 0) expect(snap.objects, 'not a Kubernetes object: ignored').toEqual([]);
      else expect(snap.objects.length + snap.problems.length).toBeGreaterThan(0);
      for (const p of snap.problems) console.log(`  ${file}: ${p.message}`);
    } finally {
      rmSync(one, { recursive: true, force: true });
    }
  });

  test('the whole corpus in one folder loads; duplicates across files are reported', async () => {
    const snap = await openStateStore(dir).read('default');
    expect(snap.list('ImageStream').length).toBeGreaterThan(30);
    for (const p of snap.problems) expect(p.message).toMatch(/also defined in|is invalid|syntax/);
  });

  test('a no-op update writes nothing and leaves every file byte-identical', async () => {
    const files = allFiles(dir);
    const before = new Map(
      files.map((f) => [f, { text: readFileSync(path.join(dir, f)), mtime: statSync(path.join(dir, f)).mtimeMs }]),
    );
    const { changes } = await openStateStore(dir).update('default', (snap) => {
      for (const o of snap.objects) {
        const copy = o.object; // hand out every working copy
        o.object = JSON.parse(JSON.stringify(copy));
      }
    });
    expect(changes).toEqual([]);
    for (const f of files) {
      expect(readFileSync(path.join(dir, f)).equals(before.get(f)!.text), f).toBe(true);
      expect(statSync(path.join(dir, f)).mtimeMs, f).toBe(before.get(f)!.mtime);
    }
  });

  test.each(allFiles(CORPUS))(
    '%s: a new tag and a first history entry change only the lines they add',
    async (file) => {
      const one = mkdtempSync(path.join(tmpdir(), 'isctl-corpus-edit-'));
      const name = path.basename(file);
      cpSync(path.join(CORPUS, file), path.join(one, name));
      const texts = new Map([[name, readFileSync(path.join(one, name), 'utf8')]]);
      const { changes } = await openStateStore(one).update('default', (snap) => {
        for (const o of snap.list<ImageStream>('ImageStream')) {
          const is = o.object;
          is.spec ??= {} as ImageStream['spec'];
          is.spec.tags = [
            ...(is.spec.tags ?? []),
            { name: 'isctl-new', from: { kind: 'DockerImage', name: 'quay.io/x/y:1.0' } } as never,
          ];
          is.status ??= { dockerImageRepository: '' } as never;
          const st = is.status!;
          st.tags = [
            {
              tag: 'isctl-new',
              items: [
                {
                  created: '2024-05-01T10:00:00Z',
                  dockerImageReference: `quay.io/x/y@sha256:${'a'.repeat(64)}`,
                  image: `sha256:${'a'.repeat(64)}`,
                  generation: 2,
                },
              ],
            },
            ...(st.tags ?? []),
          ] as never;
        }
      });
      rmSync(one, { recursive: true, force: true });
      for (const c of changes) {
        // Lines may only be added; a line may change only to take a comma (JSON) or to open an empty {} / [].
        const ops = diffLines(texts.get(c.path)!.split('\n'), c.after!.split('\n'));
        const removed = ops.filter((o) => o.kind === '-').map((o) => o.text);
        const added = new Set(ops.filter((o) => o.kind === '+').map((o) => o.text));
        for (const line of removed) {
          expect(
            added.has(`${line},`) || /\{\}|\[\]/.test(line) || (line.trim() === '' && false),
            `${c.path}: line ${JSON.stringify(line)} rewritten`,
          ).toBe(true);
        }
      }
    },
  );
});
