import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LockError } from '../../src/domain/errors.js';
import type { ImageStream } from '../../src/domain/types.js';
import { openStateStore } from '../../src/state/store.js';
import { compileStore } from '../helpers/compile-store.js';

let storeJs: string;
const dirs: string[] = [];
beforeAll(() => {
  storeJs = compileStore();
}, 120_000);
afterAll(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  rmSync(path.dirname(path.dirname(storeJs)), { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'isctl-lock-'));
  dirs.push(dir);
  writeFileSync(
    path.join(dir, 'shared.yaml'),
    '# shared stream\napiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n' +
      '  name: shared\nspec:\n  tags:\n  - name: base\n' +
      '    from: {kind: DockerImage, name: quay.io/acme/app:base}\nstatus:\n  tags:\n' +
      '  - tag: base\n    items: []\n',
  );
  return dir;
}

/** PID of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

function runWorker(dir: string, id: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        path.join(import.meta.dirname, '..', 'helpers', 'processes', 'add-tags.mjs'),
        storeJs,
        dir,
        String(id),
        String(count),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    p.on('error', reject);
    p.on('exit', (code) => resolve(code ?? -1));
  });
}

describe('the folder lock', () => {
  test('8 concurrent processes each adding different tags to one stream lose none', async () => {
    const dir = folder();
    const N = 6;
    const codes = await Promise.all(Array.from({ length: 8 }, (_, id) => runWorker(dir, id, N)));
    expect(codes).toEqual(Array(8).fill(0));
    const text = readFileSync(path.join(dir, 'shared.yaml'), 'utf8');
    const is = parse(text) as ImageStream;
    const names = new Set(is.spec.tags!.map((t) => t.name));
    for (let id = 0; id < 8; id++)
      for (let i = 0; i < N; i++) expect(names.has(`p${id}-${i}`), `p${id}-${i}`).toBe(true);
    expect(is.spec.tags).toHaveLength(8 * N + 1);
    expect(is.status!.tags![0].items).toHaveLength(8 * N);
    expect(text.startsWith('# shared stream\n')).toBe(true);
    expect(existsSync(path.join(dir, '.isctl', 'lock'))).toBe(false);
  }, 120_000);

  test('a stale lock left by a dead process is recovered', async () => {
    const dir = folder();
    mkdirSync(path.join(dir, '.isctl'));
    writeFileSync(
      path.join(dir, '.isctl', 'lock'),
      JSON.stringify({ pid: deadPid(), hostname: hostname(), started: '2024-01-01T00:00:00Z', token: 'x' }),
    );
    const t0 = Date.now();
    const { changes } = await openStateStore(dir, { lockTimeoutMs: 5000 }).update('default', (s) => {
      s.find<ImageStream>('ImageStream', 'default', 'shared')!.object.spec.lookupPolicy = { local: true };
    });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(changes).toHaveLength(1);
    expect(existsSync(path.join(dir, '.isctl', 'lock'))).toBe(false);
  });

  test('a lock held by a live process times out with a LockError naming the holder and the lock file', async () => {
    const dir = folder();
    mkdirSync(path.join(dir, '.isctl'));
    const lock = path.join(dir, '.isctl', 'lock');
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.ppid, hostname: hostname(), started: '2024-01-01T00:00:00Z', token: 'held' }),
    );
    const err = await openStateStore(dir, { lockTimeoutMs: 300 })
      .update('default', () => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockError);
    expect((err as Error).message).toBe(
      `the state folder is locked by process ${process.ppid} on ${hostname()} (since 2024-01-01T00:00:00Z): ${lock}`,
    );
    expect(existsSync(lock)).toBe(true); // somebody else's lock is never removed
  });

  test('temporary files left by a killed writer are removed by the next writing run', async () => {
    const dir = folder();
    const dead = deadPid();
    const stray = path.join(dir, `.shared.yaml.isctl-tmp-${dead}-deadbeef`);
    writeFileSync(stray, 'half a fi');
    mkdirSync(path.join(dir, '.isctl', 'cache'), { recursive: true });
    const hidden = [
      path.join(dir, '.isctl', `.lock.isctl-tmp-${dead}-00`),
      path.join(dir, '.isctl', 'cache', `.parsed-v1.json.isctl-tmp-${dead}-01`),
    ];
    for (const h of hidden) writeFileSync(h, '');
    const snap = await openStateStore(dir).read('default');
    expect(snap.objects).toHaveLength(1); // never read as state
    await openStateStore(dir).update('default', (s) => {
      s.find<ImageStream>('ImageStream', 'default', 'shared')!.object.spec.lookupPolicy = { local: true };
    });
    expect(existsSync(stray)).toBe(false);
    for (const h of hidden) expect(existsSync(h), h).toBe(false);
  });
});

describe('in one process', () => {
  test('concurrent updates take turns and lose nothing; a nested update is refused at once', async () => {
    const dir = folder();
    const store = openStateStore(dir);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        openStateStore(dir).update('default', async (s) => {
          await new Promise((r) => setTimeout(r, 5));
          s.find<ImageStream>('ImageStream', 'default', 'shared')!.object.spec.tags!.push({
            name: `in-${i}`,
            from: { kind: 'DockerImage', name: `x:${i}` },
          } as never);
        }),
      ),
    );
    const names = (await store.read('default'))
      .find<ImageStream>('ImageStream', 'default', 'shared')!
      .original!.spec.tags!.map((t) => t.name);
    expect(names.filter((n) => n.startsWith('in-')).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `in-${i}`).sort(),
    );
    const t0 = Date.now();
    await expect(store.update('default', () => store.update('default', () => undefined))).rejects.toThrow(
      /update\(\) called inside update\(\)/,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
