import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openStateStore } from '../../src/state/store.js';
import { compileStore } from '../helpers/compile-store.js';

let storeJs: string;
let dir: string;
beforeAll(() => {
  storeJs = compileStore();
  dir = mkdtempSync(path.join(tmpdir(), 'isctl-crash-'));
}, 120_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(path.dirname(path.dirname(storeJs)), { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGKILL at random moments while many files are rewritten: every file is whole; the next run cleans up', async () => {
  const FILES = 20;
  for (let i = 0; i < FILES; i++)
    writeFileSync(
      path.join(dir, `s${i}.yaml`),
      `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: s${i}\nspec:\n  tags: []\n`,
    );
  for (let run = 0; run < 12; run++) {
    const child = spawn(
      process.execPath,
      [path.join(import.meta.dirname, '..', 'helpers', 'processes', 'rewrite-loop.mjs'), storeJs, dir],
      { stdio: 'ignore' },
    );
    await sleep(300 + Math.random() * 700);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    for (let i = 0; i < FILES; i++) {
      const is = parse(readFileSync(path.join(dir, `s${i}.yaml`), 'utf8'));
      // A whole file: its tag list and its round counter were written together.
      expect(is.spec.tags.length, `s${i}.yaml`).toBe(Number(is.metadata.annotations?.round ?? 0));
    }
    // The killed writer's lock is stale and its temporary files are removed by the next writing run.
    await openStateStore(dir, { lockTimeoutMs: 10_000 }).update('default', () => undefined);
    expect(readdirSync(dir).filter((f) => f.includes('isctl-tmp'))).toEqual([]);
  }
}, 120_000);
