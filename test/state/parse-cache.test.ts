import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ImageStream } from '../../src/domain/types.js';
import { openStateStore } from '../../src/state/store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
// A flow map sends the file to the general YAML parser, whose results are the ones cached.
const stream = (name: string, repo: string) =>
  `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: ${name}}\nspec:\n  dockerImageRepository: ${repo}\n`;
const hourAgo = () => new Date(Date.now() - 3600_000);

describe('parse cache', () => {
  test('unchanged files are served from .isctl/cache; a changed file (even of the same size) is parsed again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'isctl-cache-'));
    dirs.push(dir);
    const file = path.join(dir, 'a.yaml');
    writeFileSync(file, stream('a', 'quay.io/x/aaaa'));
    utimesSync(file, hourAgo(), hourAgo());
    const store = openStateStore(dir);
    const repo = async () =>
      (
        (await store.read('default')).find<ImageStream>('ImageStream', 'default', 'a')!.original!.spec as {
          dockerImageRepository: string;
        }
      ).dockerImageRepository;
    expect(await repo()).toBe('quay.io/x/aaaa');
    const cache = path.join(dir, '.isctl', 'cache', 'parsed-v1.json');
    expect(JSON.parse(readFileSync(cache, 'utf8'))['a.yaml'].objects[0].object.metadata.name).toBe('a');
    expect(readFileSync(path.join(dir, '.isctl', 'cache', '.gitignore'), 'utf8')).toBe('*\n');
    writeFileSync(file, stream('a', 'quay.io/x/bbbb'));
    utimesSync(file, new Date(Date.now() - 1800_000), new Date(Date.now() - 1800_000));
    expect(await repo()).toBe('quay.io/x/bbbb');
  });

  test('a file modified in the last seconds is not cached (its mtime tick could hide a later edit)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'isctl-cache-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'a.yaml'), stream('a', 'quay.io/x/aaaa'));
    await openStateStore(dir).read('default');
    const cache = path.join(dir, '.isctl', 'cache', 'parsed-v1.json');
    expect(existsSync(cache) ? JSON.parse(readFileSync(cache, 'utf8'))['a.yaml'] : undefined).toBeUndefined();
  });

  test('a file edited by someone else during a transaction is not overwritten', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'isctl-cache-'));
    dirs.push(dir);
    const file = path.join(dir, 'a.yaml');
    writeFileSync(file, stream('a', 'quay.io/x/aaaa'));
    const err = await openStateStore(dir)
      .update('default', (snap) => {
        snap.find<ImageStream>('ImageStream', 'default', 'a')!.object.spec.lookupPolicy = { local: true };
        writeFileSync(file, stream('a', 'quay.io/x/edited-by-hand'));
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'a.yaml: the file changed on disk while isctl was running; run the command again',
    );
    expect(readFileSync(file, 'utf8')).toBe(stream('a', 'quay.io/x/edited-by-hand'));
  });
});
