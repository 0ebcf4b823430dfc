import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { IntegrityError, StateFileError } from '../../src/domain/errors.js';
import type { ImageStream } from '../../src/domain/types.js';
import { openStateStore } from '../../src/state/store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
const stream = (name: string) =>
  `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\nspec:\n  tags: []\n`;
const touch = (name: string) => (s: Awaited<ReturnType<ReturnType<typeof openStateStore>['read']>>) => {
  s.find<ImageStream>('ImageStream', 'default', name)!.object.spec.lookupPolicy = { local: true };
};

describe('writes', () => {
  test('a symbolic link to a file outside the folder is read but never written through', async () => {
    const outside = tmp('isctl-outside-');
    const dir = tmp('isctl-state-');
    writeFileSync(path.join(outside, 'target.yaml'), stream('linked'));
    writeFileSync(path.join(dir, 'own.yaml'), stream('own'));
    symlinkSync(path.join(outside, 'target.yaml'), path.join(dir, 'linked.yaml'));
    const store = openStateStore(dir);
    expect((await store.read('default')).find('ImageStream', 'default', 'linked')).toBeDefined();
    const err = await store
      .update('default', (s) => {
        touch('linked')(s);
        touch('own')(s);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateFileError);
    expect((err as Error).message).toMatch(
      /^linked\.yaml: resolves to .*target\.yaml, outside the state folder; isctl never writes through such a link$/,
    );
    expect(readFileSync(path.join(outside, 'target.yaml'), 'utf8')).toBe(stream('linked'));
    expect(readFileSync(path.join(dir, 'own.yaml'), 'utf8')).toBe(stream('own')); // nothing half-done
  });

  test('a symbolic link inside the folder: the target file is written and the link kept', async () => {
    const dir = tmp('isctl-state-');
    mkdirSync(path.join(dir, 'real'));
    writeFileSync(path.join(dir, 'real', 'a.yaml'), stream('a'));
    symlinkSync('real/a.yaml', path.join(dir, 'a.yaml'));
    const snap = await openStateStore(dir).read('default');
    expect(snap.problems).toEqual([]); // the file is loaded once, not once more through the link
    expect(snap.find('ImageStream', 'default', 'a')!.location!.file).toBe('real/a.yaml');
    const dir2 = tmp('isctl-state-');
    mkdirSync(path.join(dir2, '.real'));
    writeFileSync(path.join(dir2, '.real', 'a.yaml'), stream('a'));
    symlinkSync('.real/a.yaml', path.join(dir2, 'a.yaml'));
    await openStateStore(dir2).update('default', touch('a'));
    expect(lstatSync(path.join(dir2, 'a.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir2, '.real', 'a.yaml'), 'utf8')).toContain('lookupPolicy:\n    local: true');
  });

  test('the file mode is kept (0640)', async () => {
    const dir = tmp('isctl-state-');
    const file = path.join(dir, 'a.yaml');
    writeFileSync(file, stream('a'));
    chmodSync(file, 0o640);
    await openStateStore(dir).update('default', touch('a'));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(file, 'utf8')).toContain('local: true');
  });
});

describe('blob store', () => {
  const bytes = Buffer.from('{"schemaVersion":2}');
  const sha256 = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const sha512 = `sha512:${createHash('sha512').update(bytes).digest('hex')}`;

  test('put verifies and stores under .isctl/blobs/<alg>/<hex>; get returns the bytes', async () => {
    const dir = tmp('isctl-blobs-');
    const { blobs } = openStateStore(dir);
    expect(await blobs.has(sha256)).toBe(false);
    expect(await blobs.get(sha256)).toBeUndefined();
    await blobs.put(sha256, bytes);
    await blobs.put(sha512, bytes);
    await blobs.flush();
    expect(readFileSync(path.join(dir, '.isctl', 'blobs', 'sha256', sha256.slice(7)))).toEqual(bytes);
    expect(await blobs.has(sha512)).toBe(true);
    expect(await blobs.get(sha256)).toEqual(bytes);
  });

  test('bytes that do not match the digest are refused on put and on get', async () => {
    const dir = tmp('isctl-blobs-');
    const { blobs } = openStateStore(dir);
    await expect(blobs.put(sha256, Buffer.from('other'))).rejects.toThrow(IntegrityError);
    await blobs.put(sha256, bytes);
    await blobs.flush();
    const file = path.join(dir, '.isctl', 'blobs', 'sha256', sha256.slice(7));
    writeFileSync(file, '{"schemaVersion":3}');
    const err = await blobs.get(sha256).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe(
      `image cache file ${file} does not match its digest ${sha256}; delete it and import the image again`,
    );
    await blobs.put(sha256, bytes); // a damaged copy is replaced
    await blobs.flush();
    expect(readFileSync(file)).toEqual(bytes);
    expect(await blobs.get(sha256)).toEqual(bytes);
    await expect(blobs.get('sha256:../../etc/passwd')).rejects.toThrow(/invalid digest/);
  });
});
