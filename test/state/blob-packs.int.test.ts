/**
 * A bulk import against Debian's docker-registry writes its manifests and configs as one pack
 * (`.isctl/blobs/packs/<sha256>.pack`), holding exactly the bytes skopeo reads from the registry,
 * and every later command shows the same image as it would from loose files: `describe istag` of
 * a tag imported alone (two loose files) prints the same lines.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage, skopeoInspect, startRegistry, type TestRegistry } from '../helpers/registry/index.js';
import { packEntries, runCli, tempDir, testClock } from '../helpers/index.js';
import { sha256 } from '../helpers/registry/images.js';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
  for (let i = 0; i < 20; i++) await pushImage(reg, 'packed/app', `t${String(i).padStart(2, '0')}`, { seed: `pk${i}` });
}, 120_000);
afterAll(async () => {
  await reg?.stop();
});

describe('image-cache packs from a real registry', () => {
  it('import-image --all of 20 tags: one pack of the registry’s bytes; describe istag reads it as it reads loose files', async () => {
    const clock = testClock('2026-12-07T10:00:00Z');
    const bulk = tempDir('packs-bulk');
    const r = await runCli(
      ['import-image', 'app', '--from', `${reg.host}/packed/app`, '--all', '--confirm', '--insecure'],
      { dir: bulk, clock },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(bulk, '.isctl/blobs/sha256'))).toBe(false);
    const packs = readdirSync(path.join(bulk, '.isctl/blobs/packs'));
    expect(packs).toHaveLength(1);
    const pack = readFileSync(path.join(bulk, '.isctl/blobs/packs', packs[0]));
    expect(packs[0]).toBe(`${sha256(pack).slice(7)}.pack`);
    const held = new Map(packEntries(pack).map((e) => [e.digest, e.bytes]));
    expect(held.size).toBe(40);
    // skopeo, the independent client, reads the same manifest and config bytes.
    for (const tag of ['t00', 't07', 't19']) {
      const manifest = (await skopeoInspect(reg, `packed/app:${tag}`, { raw: true })) as Buffer;
      expect(held.get(sha256(manifest))).toEqual(manifest);
      const config = (await skopeoInspect(reg, `packed/app:${tag}`, { raw: true, config: true })) as Buffer;
      expect(held.get(sha256(config))).toEqual(config);
    }

    const single = tempDir('packs-single');
    const one = await runCli(
      ['import-image', 'app:t07', '--from', `${reg.host}/packed/app:t07`, '--confirm', '--insecure'],
      { dir: single, clock },
    );
    expect(one.code, one.stderr).toBe(0);
    expect(readdirSync(path.join(single, '.isctl/blobs/sha256'))).toHaveLength(2);
    const fromPack = await runCli(['describe', 'istag', 'app:t07'], { dir: bulk, clock });
    const fromLoose = await runCli(['describe', 'istag', 'app:t07'], { dir: single, clock });
    expect(fromPack.code, fromPack.stderr).toBe(0);
    expect(fromPack.stdout).toContain('Image Size:');
    expect(fromPack.stdout).toBe(fromLoose.stdout);

    // A refresh with nothing new writes no second pack.
    const again = await runCli(['refresh'], { dir: bulk, clock });
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(path.join(bulk, '.isctl/blobs/packs'))).toEqual(packs);
  }, 120_000);
});
