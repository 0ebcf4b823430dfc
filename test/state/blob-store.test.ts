import { existsSync, promises as fsp, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { openStateStore } from '../../src/state/store.js';
import { tempDir } from '../helpers/temp.js';
import { blobOf } from '../helpers/registry/blobs.js';

afterEach(() => {
  vi.useRealTimers();
});
const tmp = () => tempDir('blob-store');
const blob = blobOf;
/** Looks up `n` blobs that are not there: past the lookups a store answers one by one, it lists the folder. */
async function manyLookups(blobs: ReturnType<typeof openStateStore>['blobs'], n = 40): Promise<void> {
  for (let i = 0; i < n; i++) await blobs.get(blob(`{"absent":${i}}`).digest);
}
/** Stores a blob as a command does: put, then the flush its transaction makes before it writes. */
async function putFlushed(blobs: ReturnType<typeof openStateStore>['blobs'], digest: string, bytes: Buffer) {
  await blobs.put(digest, bytes);
  await blobs.flush();
}
const fileOf = (dir: string, digest: string) => path.join(dir, '.isctl', 'blobs', 'sha256', digest.slice(7));

describe('blob store: what is held', () => {
  test('a blob removed after it was stored is neither held nor read, and is written again', async () => {
    const dir = tmp();
    const { blobs } = openStateStore(dir);
    const a = blob('{"a":1}');
    await putFlushed(blobs, a.digest, a.bytes);
    expect(await blobs.has(a.digest)).toBe(true);
    rmSync(path.join(dir, '.isctl'), { recursive: true });
    expect(await blobs.has(a.digest)).toBe(false);
    expect(await blobs.get(a.digest)).toBeUndefined();
    await putFlushed(blobs, a.digest, a.bytes);
    expect(existsSync(fileOf(dir, a.digest))).toBe(true);
    expect(await blobs.get(a.digest)).toEqual(a.bytes);
  });

  test('what this store wrote after its first lookup is read back', async () => {
    const dir = tmp();
    const { blobs } = openStateStore(dir);
    const a = blob('{"a":2}');
    const b = blob('{"b":2}');
    await manyLookups(blobs);
    expect(await blobs.get(a.digest)).toBeUndefined(); // lists the (missing) folder
    await blobs.put(a.digest, a.bytes);
    await putFlushed(blobs, b.digest, b.bytes);
    expect(await blobs.get(a.digest)).toEqual(a.bytes);
    expect(await blobs.get(b.digest)).toEqual(b.bytes);
  });

  test("another writer's blob is found when it was there first, and within seconds when it came later", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = tmp();
    const first = blob('{"first":3}');
    const later = blob('{"later":3}');
    await putFlushed(openStateStore(dir).blobs, first.digest, first.bytes);
    const { blobs } = openStateStore(dir);
    await manyLookups(blobs);
    expect(await blobs.get(first.digest)).toEqual(first.bytes);
    await putFlushed(openStateStore(dir).blobs, later.digest, later.bytes);
    // Held is always asked of the folder itself.
    expect(await blobs.has(later.digest)).toBe(true);
    // Absence comes from the listing for a few seconds (the blob would be fetched once more)…
    expect(await blobs.get(later.digest)).toBeUndefined();
    // …then the folder is listed again.
    vi.setSystemTime(Date.now() + 11_000);
    expect(await blobs.get(later.digest)).toEqual(later.bytes);
  });

  test('a command that reads a few blobs asks for each one and never lists the folder of loose files', async () => {
    const dir = tmp();
    const a = blob('{"few":1}');
    await putFlushed(openStateStore(dir).blobs, a.digest, a.bytes);
    const { blobs } = openStateStore(dir);
    const readdir = vi.spyOn(fsp, 'readdir');
    // The folder of packs holds one file per bulk run: a blob not found loose is looked up there.
    const looseListings = () => readdir.mock.calls.filter(([d]) => String(d).endsWith(path.join('blobs', 'sha256')));
    try {
      expect(await blobs.get(a.digest)).toEqual(a.bytes);
      expect(await blobs.get(blob('{"few":2}').digest)).toBeUndefined();
      expect(looseListings()).toEqual([]);
      await manyLookups(blobs);
      expect(looseListings()).toHaveLength(1);
    } finally {
      readdir.mockRestore();
    }
  });
});
