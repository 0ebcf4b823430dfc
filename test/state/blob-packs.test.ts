/**
 * Pack files of the image cache: a run that records many manifests and configs writes them as one
 * file, `.isctl/blobs/packs/<sha256 of the file>.pack`, and every later command reads them back
 * verified, as it reads a loose `.isctl/blobs/<alg>/<hex>` file. The layout is read here by the
 * test helper's own reader (packEntries), not by isctl's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { IntegrityError, StateFileError } from '../../src/domain/errors.js';
import { createBlobStore } from '../../src/state/blobs.js';
import { TEMP_MARKER } from '../../src/state/temp-names.js';
import { tempDir } from '../helpers/temp.js';
import { blobOf } from '../helpers/registry/blobs.js';
import { listFiles, packEntries } from '../helpers/state-scan.js';

afterEach(() => {
  vi.restoreAllMocks();
});
const tmp = () => tempDir('blob-packs');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const blob = blobOf;
const many = (n: number, tag = 'm') => Array.from({ length: n }, (_, i) => blob(`{"config":{"${tag}":${i}}}`));
const packsOf = (dir: string) =>
  existsSync(path.join(dir, '.isctl/blobs/packs')) ? readdirSync(path.join(dir, '.isctl/blobs/packs')) : [];
const looseOf = (dir: string) =>
  existsSync(path.join(dir, '.isctl/blobs/sha256')) ? readdirSync(path.join(dir, '.isctl/blobs/sha256')) : [];

async function putAll(store: ReturnType<typeof createBlobStore>, blobs: { digest: string; bytes: Buffer }[]) {
  for (const b of blobs) await store.put(b.digest, b.bytes);
  await store.flush();
}

describe('blob packs', () => {
  test('a flush of many blobs writes one pack named by its content; another store reads each blob back', async () => {
    const dir = tmp();
    const blobs = many(40);
    await putAll(createBlobStore(dir), blobs);
    expect(looseOf(dir)).toEqual([]);
    const packs = packsOf(dir);
    expect(packs).toHaveLength(1);
    const bytes = readFileSync(path.join(dir, '.isctl/blobs/packs', packs[0]));
    expect(packs[0]).toBe(`${sha256(bytes)}.pack`);
    expect(
      packEntries(bytes)
        .map((e) => e.digest)
        .sort(),
    ).toEqual(blobs.map((b) => b.digest).sort());
    const other = createBlobStore(dir);
    for (const b of blobs) {
      expect(await other.has(b.digest)).toBe(true);
      expect(await other.get(b.digest)).toEqual(b.bytes);
    }
    expect(await other.get(blob('{"absent":1}').digest)).toBeUndefined();
  });

  test('the same blobs make the same pack, whatever order they came in', async () => {
    const a = tmp();
    const b = tmp();
    const blobs = many(40);
    await putAll(createBlobStore(a), blobs);
    await putAll(createBlobStore(b), [...blobs].reverse());
    expect(packsOf(a)).toEqual(packsOf(b));
  });

  test('a few blobs stay one file each, as a single import writes them', async () => {
    const dir = tmp();
    const blobs = many(3);
    await putAll(createBlobStore(dir), blobs);
    expect(packsOf(dir)).toEqual([]);
    expect(looseOf(dir).sort()).toEqual(blobs.map((b) => b.digest.slice(7)).sort());
  });

  test('before the flush nothing is on disk, and the store reads its own puts from memory', async () => {
    const dir = tmp();
    const store = createBlobStore(dir);
    const blobs = many(40);
    for (const b of blobs) await store.put(b.digest, b.bytes);
    expect(listFiles(dir)).toEqual([]);
    expect(await store.get(blobs[7].digest)).toEqual(blobs[7].bytes);
    expect(await store.has(blobs[9].digest)).toBe(true);
    expect(await createBlobStore(dir).has(blobs[9].digest)).toBe(false);
  });

  test('a store holding its limit of blobs writes them before it takes more', async () => {
    const dir = tmp();
    const store = createBlobStore(dir, { packMinBlobs: 4, packMaxBlobs: 8 });
    for (const b of many(20)) await store.put(b.digest, b.bytes);
    expect(packsOf(dir)).toHaveLength(2);
    await store.flush();
    expect(packsOf(dir)).toHaveLength(3);
    const reader = createBlobStore(dir);
    for (const b of many(20)) expect(await reader.get(b.digest)).toEqual(b.bytes);
  });

  test('a blob already packed is not written again', async () => {
    const dir = tmp();
    const blobs = many(40);
    await putAll(createBlobStore(dir), blobs);
    const before = listFiles(dir);
    await putAll(createBlobStore(dir), blobs.slice(0, 35));
    expect(listFiles(dir)).toEqual(before);
  });

  test('a packed blob whose bytes were changed is refused on read, naming the pack; the others still read', async () => {
    const dir = tmp();
    const blobs = many(40);
    await putAll(createBlobStore(dir), blobs);
    const file = path.join(dir, '.isctl/blobs/packs', packsOf(dir)[0]);
    const bytes = readFileSync(file);
    const entries = packEntries(bytes);
    // Flip one byte inside the first packed blob.
    const at = bytes.length - entries.reduce((n, e) => n + e.bytes.length, 0) + 2;
    bytes[at] ^= 1;
    writeFileSync(file, bytes);
    const store = createBlobStore(dir);
    const err = await store.get(entries[0].digest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe(
      `image cache pack ${file} holds bytes for ${entries[0].digest} that do not match that digest; ` +
        'delete the pack and import the images again',
    );
    expect(await store.get(entries[1].digest)).toEqual(entries[1].bytes);
  });

  test('a pack cut short is not used: its blobs count as absent and are written again', async () => {
    const dir = tmp();
    const blobs = many(40);
    await putAll(createBlobStore(dir), blobs);
    const file = path.join(dir, '.isctl/blobs/packs', packsOf(dir)[0]);
    truncateSync(file, readFileSync(file).length - 10);
    const store = createBlobStore(dir);
    expect(await store.has(blobs[0].digest)).toBe(false);
    expect(await store.get(blobs[0].digest)).toBeUndefined();
    await putAll(store, blobs);
    // The same blobs make the same pack: the short one is replaced by a whole one.
    expect(packsOf(dir)).toHaveLength(1);
    for (const b of blobs) expect(await createBlobStore(dir).get(b.digest)).toEqual(b.bytes);
  });

  test('a pack with a hostile table (a huge count or size) is not used and allocates nothing big', async () => {
    const dir = tmp();
    const packs = path.join(dir, '.isctl/blobs/packs');
    await fsp.mkdir(packs, { recursive: true });
    const d = blob('{"x":1}');
    const hostile = [
      `isctl-blob-pack 1 999999 999999999\n${d.digest} 7\n{"x":1}`,
      `isctl-blob-pack 1 1 ${d.digest.length + 13}\n${d.digest} 9999999999\n{"x":1}`,
      `isctl-blob-pack 1 1 ${d.digest.length + 3}\n${d.digest} 7\n{"x":1}trailing`,
      `isctl-blob-pack 2 1 ${d.digest.length + 3}\n${d.digest} 7\n{"x":1}`,
      `isctl-blob-pack 1 1 ${d.digest.length + 6}\n../../etc 7\n{"x":1}`,
    ];
    for (const text of hostile) writeFileSync(path.join(packs, `${sha256(Buffer.from(text))}.pack`), text);
    const alloc = vi.spyOn(Buffer, 'alloc');
    const store = createBlobStore(dir);
    expect(await store.get(d.digest)).toBeUndefined();
    expect(await store.has(d.digest)).toBe(false);
    expect(Math.max(...alloc.mock.calls.map(([n]) => Number(n)))).toBeLessThan(1 << 20);
  });

  test('a pack whose table adds up but names a blob larger than any isctl stores is not used', async () => {
    const dir = tmp();
    const packs = path.join(dir, '.isctl/blobs/packs');
    await fsp.mkdir(packs, { recursive: true });
    const big = Buffer.alloc(17 << 20, 0x20);
    const digest = `sha256:${sha256(big)}`;
    const toc = `${digest} ${big.length}\n`;
    const bytes = Buffer.concat([Buffer.from(`isctl-blob-pack 1 1 ${toc.length}\n${toc}`), big]);
    writeFileSync(path.join(packs, `${sha256(bytes)}.pack`), bytes);
    const alloc = vi.spyOn(Buffer, 'alloc');
    const store = createBlobStore(dir);
    expect(await store.has(digest)).toBe(false);
    expect(await store.get(digest)).toBeUndefined();
    expect(Math.max(0, ...alloc.mock.calls.map(([n]) => Number(n)))).toBeLessThan(1 << 20);
  });

  test('a pack removed after it was listed holds nothing: for a read at once, for has() after a read or a second', async () => {
    const dir = tmp();
    const blobs = many(40);
    await putAll(createBlobStore(dir), blobs);
    const store = createBlobStore(dir);
    expect(await store.has(blobs[0].digest)).toBe(true);
    rmSync(path.join(dir, '.isctl/blobs/packs'), { recursive: true });
    expect(await store.get(blobs[1].digest)).toBeUndefined();
    expect(await store.has(blobs[3].digest)).toBe(false);

    const other = createBlobStore(dir);
    await putAll(createBlobStore(dir), blobs);
    expect(await other.has(blobs[0].digest)).toBe(true);
    rmSync(path.join(dir, '.isctl/blobs/packs'), { recursive: true });
    // A pack seen present is taken to be there for a second (one access(2) per pack, not per blob).
    const t = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(t + 1_001);
    expect(await other.has(blobs[0].digest)).toBe(false);
    expect(await other.has(blobs[2].digest)).toBe(false);
  });

  test('a damaged loose copy is replaced by a loose file, which is read first', async () => {
    const dir = tmp();
    const blobs = many(40);
    await putAll(createBlobStore(dir), blobs.slice(0, 1));
    const loose = path.join(dir, '.isctl/blobs/sha256', blobs[0].digest.slice(7));
    writeFileSync(loose, '{"damaged":true}');
    await putAll(createBlobStore(dir), blobs);
    expect(readFileSync(loose)).toEqual(blobs[0].bytes);
    expect(packEntries(readFileSync(path.join(dir, '.isctl/blobs/packs', packsOf(dir)[0]))).length).toBe(39);
  });

  test('a full disk while the pack is written: a clear error naming the pack folder, and no file left', async () => {
    const dir = tmp();
    const store = createBlobStore(dir);
    for (const b of many(40)) await store.put(b.digest, b.bytes);
    const real = fsp.open.bind(fsp);
    vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const fh = await real(...args);
      if (String(args[0]).includes(TEMP_MARKER))
        vi.spyOn(fh, 'writeFile').mockRejectedValue(
          Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
        );
      return fh;
    });
    const err = await store.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateFileError);
    expect(String((err as Error).message)).toContain('.isctl/blobs/packs');
    expect(String((err as Error).message)).toContain('no space left on device');
    expect(listFiles(dir)).toEqual([]);
  });
});
