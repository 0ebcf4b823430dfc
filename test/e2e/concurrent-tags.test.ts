/**
 * 8 concurrent `isctl` processes each adding different tags to one stream lose
 * none (the folder lock serialises load → change → write). Runs the built CLI as separate OS
 * processes, importing from the bundled OCI layout so no registry is needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE_LAYOUT, spawnCli, tempDir } from '../helpers/index.js';

const LAYOUT = EXAMPLE_LAYOUT;

describe('concurrent isctl processes', () => {
  it('8 processes adding 5 different tags each to one stream lose none', async () => {
    const dir = tempDir();
    const procs = Array.from(
      { length: 8 },
      (_, p) =>
        spawnCli(['tag', `oci:${LAYOUT}:1.0`, ...Array.from({ length: 5 }, (_, k) => `app:p${p}-t${k}`)], { dir }).done,
    );
    const results = await Promise.all(procs);
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const stream = parse(fs.readFileSync(path.join(dir, 'imagestreams/default/app.yaml'), 'utf8'));
    const want = Array.from({ length: 8 }, (_, p) => Array.from({ length: 5 }, (_, k) => `p${p}-t${k}`))
      .flat()
      .sort();
    expect(stream.spec.tags.map((t: { name: string }) => t.name).sort()).toEqual(want);
    expect(stream.status.tags.map((t: { tag: string }) => t.tag).sort()).toEqual(want);
    expect(new Set(stream.status.tags.map((t: { items: { image: string }[] }) => t.items[0].image)).size).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'imagestreams/default')).filter((f) => f.includes('isctl-tmp'))).toEqual([]);
  }, 120_000);
});
