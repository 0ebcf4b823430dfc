/**
 * Parses made ahead: a refresh parses the files it expects to change while the registries answer
 * (`StateStore.prepareEdits`, src/state/edit/file.ts `EditParses`), and a listing keeps the few
 * files it had to parse for the reads of the same snapshot. Both are optimisations only: an edit
 * of a file that changed after it was parsed ahead edits what the file says at the edit, and
 * loses none of its bytes.
 */
import { describe, expect, test } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EditParses, editFileText } from '../../src/state/edit/file.js';
import { openStateStore } from '../../src/state/store.js';
import type { ImageStream } from '../../src/domain/types.js';
import type { ObjectViews, StateStore, StoredObject } from '../../src/state/types.js';
import { tempDir } from '../helpers/temp.js';

const streamText = (tag: string, comment = '') =>
  `${comment}apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app\n  namespace: default\n` +
  `spec:\n  tags:\n  - name: "${tag}"   # the tag\n    from:\n      kind: DockerImage\n      name: quay.example/app:${tag}\n`;

function folder(text = streamText('1.0')): { dir: string; file: string } {
  const dir = tempDir('edit-ahead');
  mkdirSync(path.join(dir, 'imagestreams', 'default'), { recursive: true });
  const file = path.join(dir, 'imagestreams', 'default', 'app.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

const withImage = (s: ImageStream): ImageStream => ({
  ...s,
  status: { dockerImageRepository: '', tags: [{ tag: '1.0', items: [] }] },
});

/** What an update setting the stream's status writes, after `ahead` made what it makes ahead. */
async function writtenAfter(ahead?: (store: StateStore, o: StoredObject<ImageStream>) => void): Promise<string> {
  const { dir, file } = folder();
  const store = openStateStore(dir);
  const read = await store.read('default');
  ahead?.(store, read.find<ImageStream>('ImageStream', 'default', 'app')!);
  await turns(3);
  await store.update('default', (s) => {
    const w = s.find<ImageStream>('ImageStream', 'default', 'app')!;
    w.object.status = withImage(w.object).status;
  });
  return readFileSync(file, 'utf8');
}

describe('EditParses', () => {
  const rel = 'imagestreams/default/app.yaml';
  const before = streamText('1.0');
  const value = (text: string) => {
    const { dir } = folder(text);
    return openStateStore(dir).read('default');
  };

  test('an edit takes the parse made of exactly its text, once', async () => {
    const snap = await value(before);
    const s = snap.find<ImageStream>('ImageStream', 'default', 'app')!.current as ImageStream;
    const parses = new EditParses();
    parses.prepare(rel, before);
    expect(parses.has(rel)).toBe(true);
    const after = editFileText(rel, before, [{ document: 0, after: withImage(s), before: s }], [], parses);
    expect(parses.has(rel)).toBe(false);
    expect(after).toBe(editFileText(rel, before, [{ document: 0, after: withImage(s), before: s }]));
    expect(after).toContain('"1.0"   # the tag\n');
  });

  test('a file that changed after its parse ahead is edited as it is now: nothing of the change is lost', async () => {
    const changed = streamText('1.0', '# added after the parse ahead\n');
    const snap = await value(changed);
    const s = snap.find<ImageStream>('ImageStream', 'default', 'app')!.current as ImageStream;
    const parses = new EditParses();
    parses.prepare(rel, before);
    const after = editFileText(rel, changed, [{ document: 0, after: withImage(s), before: s }], [], parses)!;
    expect(after.startsWith('# added after the parse ahead\napiVersion:')).toBe(true);
    expect(after).toBe(editFileText(rel, changed, [{ document: 0, after: withImage(s), before: s }]));
    expect(parses.has(rel)).toBe(false);
  });

  test('a file that did not parse ahead is refused at its edit with the same error as without', () => {
    const broken = 'kind: ImageStream\nmetadata: [\n';
    const parses = new EditParses();
    parses.prepare(rel, broken);
    const withAhead = (() => {
      try {
        editFileText(rel, broken, [{ document: 0, after: {} }], [], parses);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    const without = (() => {
      try {
        editFileText(rel, broken, [{ document: 0, after: {} }]);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(withAhead).toBe('file does not parse');
    expect(withAhead).toBe(without);
  });

  test('keeps at most its number of files and bytes', () => {
    const parses = new EditParses(2, 10_000);
    parses.prepare('a.yaml', before);
    parses.prepare('b.yaml', before);
    parses.prepare('c.yaml', before);
    expect([parses.has('a.yaml'), parses.has('b.yaml'), parses.has('c.yaml')]).toEqual([true, true, false]);
    const small = new EditParses(8, before.length + 10);
    small.prepare('a.yaml', before);
    small.prepare('b.yaml', before);
    expect([small.has('a.yaml'), small.has('b.yaml')]).toEqual([true, false]);
    small.clear();
    expect(small.has('a.yaml')).toBe(false);
    expect(small.hasRoom(before.length)).toBe(true);
  });
});

describe('StateStore.prepareEdits', () => {
  test('a file changed on disk after it was parsed ahead: the update edits what it says then, under the lock', async () => {
    const { dir, file } = folder();
    const store = openStateStore(dir);
    const read = await store.read('default');
    store.prepareEdits?.([read.find<ImageStream>('ImageStream', 'default', 'app')!]);
    await turns(3);
    // Someone edits the file while isctl waits on the registry.
    writeFileSync(file, streamText('1.0', '# kept: written while isctl waited\n'));
    const { changes } = await store.update('default', (s) => {
      const o = s.find<ImageStream>('ImageStream', 'default', 'app')!;
      o.object.status = { dockerImageRepository: '', tags: [{ tag: '1.0', items: [] }] };
    });
    expect(changes).toHaveLength(1);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# kept: written while isctl waited\napiVersion:')).toBe(true);
    expect(text).toContain('  - name: "1.0"   # the tag\n');
    expect(text).toContain('status:\n');
  });

  test('the update edits the file it parsed ahead exactly as it edits one it did not', async () => {
    const ahead = await writtenAfter((store, o) => store.prepareEdits?.([o]));
    expect(ahead).toBe(await writtenAfter());
    expect(ahead).not.toBe(streamText('1.0'));
  });
});

describe('edits made ahead (EditParses.prepareEdit, StateStore.prepareEdit)', () => {
  const rel = 'imagestreams/default/app.yaml';
  const before = streamText('1.0');
  const stream = async (text: string) => {
    const { dir } = folder(text);
    return (await openStateStore(dir).read('default')).find<ImageStream>('ImageStream', 'default', 'app')!
      .current as ImageStream;
  };

  test('an edit asked with exactly the text and change made ahead gives the same bytes, once', async () => {
    const s = await stream(before);
    const update = { document: 0, after: withImage(s), before: s };
    const parses = new EditParses();
    parses.prepareEdit(rel, before, [update]);
    expect(parses.has(rel)).toBe(true);
    const fresh = editFileText(rel, before, [update]);
    expect(editFileText(rel, before, [{ ...update, after: withImage(s) }], [], parses)).toBe(fresh);
    expect(parses.has(rel)).toBe(false);
    expect(fresh).toContain('"1.0"   # the tag\n');
  });

  test('another change, another text or a document more: edited as asked, nothing of the edit ahead used', async () => {
    const s = await stream(before);
    const ahead = { document: 0, after: withImage(s), before: s };
    const other: ImageStream = {
      ...withImage(s),
      status: { dockerImageRepository: '', tags: [{ tag: '2.0', items: [] }] },
    };
    const changed = streamText('1.0', '# added after the edit ahead\n');
    const cases: [string, { document: number; after: unknown; before: unknown }[], unknown[], boolean][] = [
      [before, [{ ...ahead, after: other }], [], true],
      [changed, [ahead], [], true],
      [before, [ahead], [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }], true],
      // The same values with the keys in another order (where new keys go follows the order
      // asked): edited again, here to the same bytes.
      [before, [{ ...ahead, after: { status: withImage(s).status, ...s } }], [], false],
    ];
    for (const [text, updates, appended, differs] of cases) {
      const parses = new EditParses();
      parses.prepareEdit(rel, before, [ahead]);
      const got = editFileText(rel, text, updates, appended, parses);
      expect(got).toBe(editFileText(rel, text, updates, appended));
      if (differs) expect(got).not.toBe(editFileText(rel, before, [ahead]));
      expect(parses.has(rel)).toBe(false);
    }
  });

  test('an edit that would be refused is not made ahead: the transaction refuses it with its own error', () => {
    const broken = 'kind: ImageStream\nmetadata: [\n';
    const parses = new EditParses();
    parses.prepareEdit(rel, broken, [{ document: 0, after: {} }]);
    expect(parses.has(rel)).toBe(false);
    expect(() => editFileText(rel, broken, [{ document: 0, after: {} }], [], parses)).toThrow('file does not parse');
  });

  test('the store: a file changed on disk after its edit ahead is written as it says then, under the lock', async () => {
    const { dir, file } = folder();
    const store = openStateStore(dir);
    const read = await store.read('default');
    const o = read.find<ImageStream>('ImageStream', 'default', 'app')!;
    store.prepareEdit?.(o, withImage(o.current as ImageStream));
    await turns(3);
    writeFileSync(file, streamText('1.0', '# kept: written while isctl waited\n'));
    await store.update('default', (s) => {
      const w = s.find<ImageStream>('ImageStream', 'default', 'app')!;
      w.object.status = withImage(w.object).status;
    });
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# kept: written while isctl waited\napiVersion:')).toBe(true);
    expect(text).toContain('status:\n');
    // The read it was made from is untouched: the edit ahead works on a copy.
    expect((o.current as ImageStream).status).toBeUndefined();
  });

  test('the store: the update writes what it writes without an edit ahead', async () => {
    const ahead = await writtenAfter((store, o) => store.prepareEdit?.(o, withImage(o.current as ImageStream)));
    expect(ahead).toBe(await writtenAfter());
    expect(ahead).toContain('status:\n');
  });
});

describe('a listing that parses a file keeps it for the reads of the same snapshot', () => {
  const views: ObjectViews = {
    id: 'test-views-1',
    of: (o) =>
      o.kind === 'ImageStream' ? { tags: (o as ImageStream).spec?.tags?.map((t) => t.name) ?? [] } : undefined,
    check: (_kind, v) => typeof v === 'object' && v !== null && Array.isArray((v as { tags?: unknown }).tags),
  };

  test('find after listViews shows the stream the listing saw, not a later version of its file', async () => {
    const { dir, file } = folder();
    const store = openStateStore(dir, { views });
    const snap = await store.read('default', { views: true });
    expect(snap.listViews<{ tags: string[] }>('ImageStream', 'default').map((v) => v.view.tags)).toEqual([['1.0']]);
    writeFileSync(file, streamText('2.0'));
    const s = snap.find<ImageStream>('ImageStream', 'default', 'app')!;
    expect(s.current.spec!.tags!.map((t) => t.name)).toEqual(['1.0']);
    // A new read sees the file as it is now.
    const again = await store.read('default', { views: true });
    expect(again.find<ImageStream>('ImageStream', 'default', 'app')!.current.spec!.tags![0].name).toBe('2.0');
  });

  test('a listing that parses more than 256 files keeps none of them (a first listing of a big folder holds no object)', async () => {
    const { dir, file } = folder();
    for (let i = 0; i < 256; i++)
      writeFileSync(
        path.join(dir, 'imagestreams', 'default', `s${i}.yaml`),
        streamText('1.0').replace('name: app\n', `name: s${i}\n`),
      );
    const store = openStateStore(dir, { views });
    const snap = await store.read('default', { views: true });
    expect(snap.listViews('ImageStream', 'default')).toHaveLength(257);
    writeFileSync(file, streamText('2.0'));
    // Not kept: the stream is read when asked for, as the file is then.
    expect(snap.find<ImageStream>('ImageStream', 'default', 'app')!.current.spec!.tags![0].name).toBe('2.0');
  });
});
