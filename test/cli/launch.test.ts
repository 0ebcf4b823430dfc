/**
 * The launcher of the bundle (src/cli/launch.ts): where the code cache lives, when it is read,
 * written, refused and thrown away. A small CommonJS file stands in for dist/isctl.cjs, so the
 * test needs no build and starts no process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheId, cacheLocation, loadBundle } from '../../src/cli/launch.js';
import { tempPathFor } from '../../src/state/temp-names.js';
import { tempDir } from '../helpers/index.js';

function fakeBundle(dir: string, answer: number): string {
  const file = path.join(dir, 'isctl.cjs');
  // Enough functions for V8 to have something to cache; `run` answers with a number to tell builds apart.
  const helpers = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n');
  fs.writeFileSync(
    file,
    `"use strict";\n${helpers}\nmodule.exports = { run: async (argv) => f0(${answer}) + argv.length };\n`,
  );
  return file;
}

/**
 * The same bytes at another path: V8 keeps what one process compiled by source and file name,
 * and would answer a second load of the same file from memory, never looking at the cache.
 */
function copyOf(file: string): string {
  const dir = fs.mkdtempSync(path.join(path.dirname(file), 'copy-'));
  fs.copyFileSync(file, path.join(dir, 'isctl.cjs'));
  return path.join(dir, 'isctl.cjs');
}

const cacheFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

describe('cacheLocation', () => {
  it("is this user's own folder in the temporary folder, keyed by the command word", () => {
    expect(cacheLocation({}, ['--dir', 'st/ate', 'get', 'is'], '/tmp', 1000)).toEqual({
      dir: '/tmp/isctl-compile-cache-1000',
      key: 'get',
    });
    expect(cacheLocation({}, ['--help'], '/tmp/', 0)).toEqual({ dir: '/tmp/isctl-compile-cache-0', key: 'none' });
  });
  it('follows NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE as Node.js 22 does for its own cache', () => {
    expect(cacheLocation({ NODE_COMPILE_CACHE: '/var/cache/node/' }, ['refresh'], '/tmp', 0)).toEqual({
      dir: '/var/cache/node/isctl',
      key: 'refresh',
    });
    expect(cacheLocation({ NODE_DISABLE_COMPILE_CACHE: '1' }, ['get'], '/tmp', 0)).toBeUndefined();
  });
});

describe('loadBundle', () => {
  it('compiles without a cache, writes one after the run, and the next run uses it', async () => {
    const work = tempDir('launch');
    const file = fakeBundle(work, 40);
    const cache = { dir: path.join(work, 'cache'), key: 'get' };

    const first = await loadBundle(file, cache);
    expect(first.status).toBe('miss');
    expect(await first.bundle.run(['a', 'b'])).toBe(42);
    first.saveCache();
    const written = cacheFiles(cache.dir);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^[0-9a-f]{16}-get\.bin$/);
    expect(fs.statSync(cache.dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(cache.dir, written[0])).mode & 0o777).toBe(0o600);

    const second = await loadBundle(file, cache);
    expect(second.status).toBe('hit');
    expect(await second.bundle.run([])).toBe(40);
    second.saveCache();
    expect(cacheFiles(cache.dir)).toEqual(written);
  });

  it('the same bytes at another path get a cache of their own, so stack traces name the file that runs', async () => {
    const work = tempDir('launch');
    const file = fakeBundle(work, 40);
    fs.appendFileSync(file, 'module.exports.where = () => new Error("here").stack.split("\\n")[1];\n');
    const cache = { dir: path.join(work, 'cache'), key: 'get' };
    const first = await loadBundle(file, cache);
    first.saveCache();
    const other = copyOf(file);
    const second = await loadBundle(other, cache);
    expect(second.status).toBe('miss');
    expect((second.bundle as unknown as { where: () => string }).where()).toContain(other);
    second.saveCache();
    expect(cacheFiles(cache.dir)).toHaveLength(2);
  });

  it('a new build of the same length gets a cache of its own', async () => {
    const work = tempDir('launch');
    const cache = { dir: path.join(work, 'cache'), key: 'get' };
    const old = await loadBundle(fakeBundle(work, 40), cache);
    old.saveCache();
    const before = cacheFiles(cache.dir);

    // Same byte length (V8's own check would accept the old bytecode): the content decides.
    const next = await loadBundle(fakeBundle(work, 41), cache);
    expect(next.status).toBe('miss');
    expect(await next.bundle.run([])).toBe(41);
    next.saveCache();
    const after = cacheFiles(cache.dir);
    // The old build's file stays: another clone or install on the machine may still use it.
    expect(after).toHaveLength(2);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it('keeps at most 32 cache files, the newest, and removes temporary files a killed run left', async () => {
    const work = tempDir('launch');
    const cache = { dir: path.join(work, 'cache'), key: 'get' };
    fs.mkdirSync(cache.dir, { mode: 0o700 });
    const hour = Date.now() / 1000 - 3600;
    for (let i = 0; i < 40; i++) {
      const f = path.join(cache.dir, `${'0'.repeat(14)}${String(i).padStart(2, '0')}-get.bin`);
      fs.writeFileSync(f, 'x');
      fs.utimesSync(f, hour + i, hour + i);
    }
    const leftover = path.join(cache.dir, `${'a'.repeat(16)}-get.bin.123.456.tmp`);
    fs.writeFileSync(leftover, 'half');
    fs.utimesSync(leftover, hour, hour);

    const loaded = await loadBundle(fakeBundle(work, 40), cache);
    loaded.saveCache();
    const left = cacheFiles(cache.dir);
    expect(left).toHaveLength(32);
    expect(left).not.toContain(path.basename(leftover));
    // The 9 oldest made room for the new one.
    for (let i = 0; i < 9; i++) expect(left).not.toContain(`${'0'.repeat(14)}${String(i).padStart(2, '0')}-get.bin`);
  });

  it('a temporary file is removed when its writer is provably gone, as in the state folder; a live one stays', async () => {
    const work = tempDir('launch');
    const cache = { dir: path.join(work, 'cache'), key: 'get' };
    fs.mkdirSync(cache.dir, { mode: 0o700 });
    // Named as src/state/temp-names.ts names them: this process's own (a write in flight) …
    const live = path.basename(tempPathFor(path.join(cache.dir, `${'b'.repeat(16)}-get.bin`)));
    expect(live).toMatch(new RegExp(`^\\.b{16}-get\\.bin\\.isctl-tmp-${process.pid}-`));
    // … and one of a PID no process has (beyond any pid_max).
    const dead = live.replace(`-tmp-${process.pid}-`, `-tmp-${2 ** 30}-`).replace(/^\.b/, '.c');
    for (const name of [live, dead]) fs.writeFileSync(path.join(cache.dir, name), 'half');

    (await loadBundle(fakeBundle(work, 40), cache)).saveCache();
    const left = cacheFiles(cache.dir);
    expect(left).toContain(live);
    expect(left).not.toContain(dead);
    expect(left.filter((n) => !n.startsWith('.'))).toHaveLength(1);
  });

  it('a cache file that cannot be replaced leaves no temporary file behind', async () => {
    const work = tempDir('launch');
    const file = fakeBundle(work, 40);
    const cache = { dir: path.join(work, 'cache'), key: 'get' };
    fs.mkdirSync(cache.dir, { mode: 0o700 });
    // A folder (not empty) where the cache file goes: the rename fails.
    const occupied = path.join(cache.dir, `${cacheId(file, fs.readFileSync(file))}-get.bin`);
    fs.mkdirSync(occupied);
    fs.writeFileSync(path.join(occupied, 'x'), '');
    const loaded = await loadBundle(file, cache);
    expect(() => loaded.saveCache()).not.toThrow();
    expect(cacheFiles(cache.dir)).toEqual([path.basename(occupied)]);
  });

  it('a cache file V8 refuses is compiled around and replaced', async () => {
    const work = tempDir('launch');
    const file = fakeBundle(work, 40);
    const cache = { dir: path.join(work, 'cache'), key: 'get' };
    (await loadBundle(file, cache)).saveCache();
    // A copy never loaded in this process (V8 would answer a second load of one file from memory),
    // whose cache file holds garbage.
    const copy = copyOf(file);
    const name = `${cacheId(copy, fs.readFileSync(copy))}-get.bin`;
    fs.writeFileSync(path.join(cache.dir, name), 'not bytecode', { mode: 0o600 });

    const refused = await loadBundle(copy, cache);
    expect(refused.status).toBe('rejected');
    expect(await refused.bundle.run([])).toBe(40);
    refused.saveCache();
    expect(fs.readFileSync(path.join(cache.dir, name)).length).toBeGreaterThan(100);
  });

  it('never reads or writes a cache folder other users can write to', async () => {
    const work = tempDir('launch');
    const file = fakeBundle(work, 40);
    const cache = { dir: path.join(work, 'cache'), key: 'get' };
    (await loadBundle(file, cache)).saveCache();
    fs.chmodSync(cache.dir, 0o777);

    // The same file: its cache file is there, and only the folder's mode keeps it from being read.
    const loaded = await loadBundle(file, cache);
    expect(loaded.status).toBe('miss');
    const [name] = cacheFiles(cache.dir);
    fs.rmSync(path.join(cache.dir, name));
    loaded.saveCache();
    expect(cacheFiles(cache.dir)).toEqual([]);
  });

  it('without a cache location it compiles plainly and writes nothing', async () => {
    const work = tempDir('launch');
    const loaded = await loadBundle(fakeBundle(work, 40), undefined);
    expect(loaded.status).toBe('off');
    expect(await loaded.bundle.run([])).toBe(40);
    loaded.saveCache();
    expect(fs.readdirSync(work)).toEqual(['isctl.cjs']);
  });

  it('a cache folder that cannot be made costs only the speed-up', async () => {
    const work = tempDir('launch');
    fs.writeFileSync(path.join(work, 'not-a-folder'), '');
    const loaded = await loadBundle(fakeBundle(work, 40), { dir: path.join(work, 'not-a-folder', 'cache'), key: 'x' });
    expect(await loaded.bundle.run([])).toBe(40);
    expect(() => loaded.saveCache()).not.toThrow();
  });
});
