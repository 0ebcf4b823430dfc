import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, test } from 'vitest';
import { unifiedDiff } from '../../src/output/diff.js';
import { expectGolden } from '../helpers/index.js';
import { openStateStore } from '../../src/state/store.js';
import type { ImageStream, TagEvent } from '../../src/domain/types.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'state');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function folderWith(...files: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'isctl-surgical-'));
  dirs.push(dir);
  for (const f of files) cpSync(path.join(FIXTURES, f), path.join(dir, f));
  // The fixtures' objects name no namespace: the folder's project gives them one.
  mkdirSync(path.join(dir, '.isctl'));
  writeFileSync(path.join(dir, '.isctl', 'config.yaml'), 'namespace: team\n');
  return dir;
}

const expectStateGolden = (name: string, actual: string) => expectGolden(`state/${name}`, actual);

const D2 = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';
const event = (ref: string, generation: number): TagEvent => ({
  created: '2024-03-04T05:06:07Z',
  dockerImageReference: `${ref}@${D2}`,
  image: D2,
  generation,
});

/** The acceptance edit: change spec.tags[1].from.name, prepend a TagEvent to history, add a spec tag. */
function editApp(is: ImageStream): void {
  is.spec.tags![1].from!.name = 'quay.io/acme/app:1.0.1';
  is.status!.tags![0].items!.unshift(event('quay.io/acme/app', 3));
  is.spec.tags!.push({ name: 'stable', from: { kind: 'ImageStreamTag', name: 'app:1.0' } } as never);
}

async function edit(dir: string, ns: string, name: string, fn: (is: ImageStream) => void, dryRun = false) {
  return openStateStore(dir).update(ns, (snap) => fn(snap.find<ImageStream>('ImageStream', ns, name)!.object), {
    dryRun,
  });
}

describe('surgical write-back', () => {
  test('commented, oddly indented multi-document YAML: the diff is exactly the changed lines', async () => {
    const dir = folderWith('multi.yaml');
    const { changes } = await edit(dir, 'team', 'app', editApp);
    expect(changes).toHaveLength(1);
    expect(readFileSync(path.join(dir, 'multi.yaml'), 'utf8')).toBe(changes[0].after);
    expectStateGolden('multi.yaml.diff', unifiedDiff(changes[0], { color: false }));
    // The second document and the comments are untouched, and the file means what was asked.
    const docs = parseAllDocuments(changes[0].after!).map((d) => d.toJS());
    expect(docs[1]).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
      data: { key: 'value' },
    });
    expect(docs[0].spec.tags.map((t: { name: string }) => t.name)).toEqual(['latest', '1.0', 'stable']);
  });

  test('JSON with 4-space indentation keeps its layout', async () => {
    const dir = folderWith('four.json');
    const { changes } = await edit(dir, 'team', 'app', editApp);
    expectStateGolden('four.json.diff', unifiedDiff(changes[0], { color: false }));
    expect(JSON.parse(changes[0].after!).status.tags[0].items[0].image).toBe(D2);
  });

  test('a first status is added to a stream without one, with quoting YAML 1.1 readers need', async () => {
    const dir = folderWith('nostatus.yaml');
    const { changes } = await edit(dir, 'team', 'fresh', (is) => {
      is.spec.tags!.push({ name: 'on', from: { kind: 'DockerImage', name: 'registry.example.com/fresh:on' } } as never);
      is.status = { dockerImageRepository: '', tags: [{ tag: 'v1', items: [event('registry.example.com/fresh', 1)] }] };
    });
    expectStateGolden('nostatus.yaml.diff', unifiedDiff(changes[0], { color: false }));
  });

  test('nothing changed: nothing written, mtime unchanged', async () => {
    const dir = folderWith('multi.yaml', 'four.json');
    const file = path.join(dir, 'multi.yaml');
    const mtime = statSync(file).mtimeMs;
    const { changes } = await edit(dir, 'team', 'app', (is) => {
      is.spec.tags![0].from!.name = 'other';
      is.spec.tags![0].from!.name = 'quay.io/acme/app:latest';
    });
    expect(changes).toEqual([]);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  test('dry run computes the change and writes nothing', async () => {
    const dir = folderWith('multi.yaml');
    const before = readFileSync(path.join(dir, 'multi.yaml'), 'utf8');
    const { changes } = await edit(dir, 'team', 'app', editApp, true);
    expect(changes[0].before).toBe(before);
    expect(changes[0].after).not.toBe(before);
    expect(readFileSync(path.join(dir, 'multi.yaml'), 'utf8')).toBe(before);
  });

  test('removing a tag removes its lines only; removing an object removes its document', async () => {
    const dir = folderWith('multi.yaml');
    const { changes } = await openStateStore(dir).update('team', (snap) => {
      const is = snap.find<ImageStream>('ImageStream', 'team', 'app')!;
      is.object.spec.tags!.splice(0, 1);
      snap.remove(snap.find('ConfigMap', 'team', 'settings')!);
    });
    expectStateGolden('remove.yaml.diff', unifiedDiff(changes[0], { color: false }));
  });

  test('a new object goes to imagestreams/<namespace>/<name>.yaml; deleting the last object deletes the file', async () => {
    const dir = folderWith('nostatus.yaml');
    const { changes } = await openStateStore(dir).update('team', (snap) => {
      snap.add(
        {
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name: 'made' },
          spec: { lookupPolicy: { local: false } },
        },
        'team',
      );
      snap.remove(snap.find('ImageStream', 'team', 'fresh')!);
    });
    expect(changes.map((c) => [c.path, c.before === null, c.after === null])).toEqual([
      ['imagestreams/team/made.yaml', true, false],
      ['nostatus.yaml', false, true],
    ]);
    expect(readFileSync(path.join(dir, 'imagestreams/team/made.yaml'), 'utf8')).toBe(
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: made\n  namespace: team\nspec:\n  lookupPolicy:\n    local: false\n',
    );
    expect(existsSync(path.join(dir, 'nostatus.yaml'))).toBe(false);
    const snap = await openStateStore(dir).read('other');
    expect(snap.find('ImageStream', 'team', 'made')).toBeDefined();
  });

  test('objects inside a List are edited in place', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'isctl-surgical-'));
    dirs.push(dir);
    const text =
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: image.openshift.io/v1\n' +
      '  kind: ImageStream\n  metadata: {name: a}\n  spec: {}\n' +
      '- apiVersion: image.openshift.io/v1\n  kind: ImageStream\n  metadata: {name: b}\n' +
      '  spec: {}\n';
    writeFileSync(path.join(dir, 'list.yaml'), text);
    const { changes } = await openStateStore(dir).update('default', (snap) => {
      snap.find<ImageStream>('ImageStream', 'default', 'b')!.object.spec.lookupPolicy = { local: true };
      snap.remove(snap.find('ImageStream', 'default', 'a')!);
    });
    expect(changes[0].after).toBe(
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: image.openshift.io/v1\n' +
        '  kind: ImageStream\n  metadata: {name: b}\n  spec:\n    lookupPolicy:\n' +
        '      local: true\n',
    );
  });

  test('names that would escape the folder are refused for new objects', async () => {
    const dir = folderWith('nostatus.yaml');
    await expect(
      openStateStore(dir).update('team', (snap) => {
        snap.add(
          { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: '../../evil' }, spec: {} },
          'team',
        );
      }),
    ).rejects.toThrow(/metadata.name: Invalid value/);
  });
});
