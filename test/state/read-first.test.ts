/**
 * `update(…, { readFirst })`: a transaction that writes nothing runs on the command's own read, with
 * neither the lock nor a second load (refresh when every tag is unchanged); one that writes runs
 * again under the lock on what the files say then.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { LockError } from '../../src/domain/errors.js';
import { openStateStore } from '../../src/state/store.js';
import { tempPathFor } from '../../src/state/atomic.js';
import { TEMP_MARKER } from '../../src/state/discover.js';
import type { ImageStream } from '../../src/domain/types.js';
import type { Snapshot } from '../../src/state/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const streamText = (tag: string) =>
  'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app\n  namespace: default\n' +
  `spec:\n  tags:\n  - name: "${tag}"\n    from:\n      kind: DockerImage\n      name: quay.example/app:${tag}\n`;

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'isctl-read-first-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'imagestreams', 'default'), { recursive: true });
  writeFileSync(path.join(dir, 'imagestreams', 'default', 'app.yaml'), streamText('1.0'));
  return dir;
}

/**
 * Another writer holds the folder lock: a lock file naming a live process of this machine that is
 * not this one (the test runner that forked this worker), as test/state/lock.test.ts does.
 */
function hold(dir: string): () => void {
  mkdirSync(path.join(dir, '.isctl'), { recursive: true });
  const lock = path.join(dir, '.isctl', 'lock');
  const holder = { hostname: hostname(), started: '2024-01-01T00:00:00Z', token: 'theirs', pid: process.ppid };
  writeFileSync(lock, JSON.stringify(holder));
  return () => rmSync(lock, { force: true });
}

const tagOf = (s: Snapshot) => s.find<ImageStream>('ImageStream', 'default', 'app')!.current.spec!.tags![0].name;

describe('update with readFirst', () => {
  test('a transaction that changes nothing answers from the read, while another writer holds the lock', async () => {
    const dir = folder();
    const store = openStateStore(dir, { lockTimeoutMs: 200 });
    const read = await store.read('default');
    const release = hold(dir);
    try {
      const { result, changes } = await store.update('default', (s) => tagOf(s), { readFirst: read });
      expect(result).toBe('1.0');
      expect(changes).toEqual([]);
      // Without readFirst the same transaction waits for the lock and gives up at its deadline.
      const err = await store.update('default', (s) => tagOf(s)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockError);
    } finally {
      release();
    }
  });

  test('a stale lock a killed writer left is still recovered by a transaction that changes nothing', async () => {
    const dir = folder();
    const store = openStateStore(dir, { lockTimeoutMs: 2000 });
    const read = await store.read('default');
    mkdirSync(path.join(dir, '.isctl'), { recursive: true });
    const lock = path.join(dir, '.isctl', 'lock');
    // A process that no longer exists (beyond any pid_max), on this machine.
    writeFileSync(
      lock,
      JSON.stringify({ hostname: hostname(), started: '2024-01-01T00:00:00Z', token: 't', pid: 2 ** 30 }),
    );
    const { changes } = await store.update('default', (s) => tagOf(s), { readFirst: read });
    expect(changes).toEqual([]);
    expect(existsSync(lock)).toBe(false);
  });

  test('temporary files of a killed writer are removed by a transaction that changes nothing', async () => {
    const dir = folder();
    const target = path.join(dir, 'imagestreams', 'default', 'app.yaml');
    // The name a writer gives its temporary file, with the PID of a process that no longer exists.
    const own = path.basename(tempPathFor(target));
    const dead = path.join(
      path.dirname(target),
      own.replace(`${TEMP_MARKER}${process.pid}-`, `${TEMP_MARKER}${2 ** 30}-`),
    );
    writeFileSync(dead, 'half');
    const store = openStateStore(dir);
    const read = await store.read('default');
    const { changes } = await store.update('default', (s) => tagOf(s), { readFirst: read });
    expect(changes).toEqual([]);
    expect(existsSync(dead)).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe(streamText('1.0'));
  });

  test('a dry run answers from the read, changes included, without the lock', async () => {
    const dir = folder();
    const store = openStateStore(dir, { lockTimeoutMs: 200 });
    const read = await store.read('default');
    const release = hold(dir);
    try {
      const { changes } = await store.update(
        'default',
        (s) => {
          s.find<ImageStream>('ImageStream', 'default', 'app')!.object.spec!.tags![0].name = '2.0';
        },
        { dryRun: true, readFirst: read },
      );
      expect(changes.map((c) => c.path)).toEqual(['imagestreams/default/app.yaml']);
      expect(changes[0].after).toContain('- name: "2.0"');
    } finally {
      release();
    }
    expect(readFileSync(path.join(dir, 'imagestreams', 'default', 'app.yaml'), 'utf8')).toBe(streamText('1.0'));
  });

  test('a transaction that writes runs again under the lock, on what the file says by then', async () => {
    const dir = folder();
    const store = openStateStore(dir);
    const read = await store.read('default');
    // Another writer changes the file after this command's read.
    writeFileSync(path.join(dir, 'imagestreams', 'default', 'app.yaml'), streamText('1.5'));
    const seen: string[] = [];
    const { changes } = await store.update(
      'default',
      (s) => {
        seen.push(tagOf(s));
        s.find<ImageStream>('ImageStream', 'default', 'app')!.object.metadata.labels = { seen: seen.join('-') };
      },
      { readFirst: read },
    );
    // First on the read (1.0), then under the lock on the file as it is now (1.5): only that run writes.
    expect(seen).toEqual(['1.0', '1.5']);
    expect(changes).toHaveLength(1);
    const text = readFileSync(path.join(dir, 'imagestreams', 'default', 'app.yaml'), 'utf8');
    expect(text).toContain('- name: "1.5"');
    expect(text).toContain('seen: 1.0-1.5');
  });
});

// src/cli/context.ts reads the folder's mirror sets this way: a registry command does not load
// every file of the folder a second time for them.
describe('read with reuse', () => {
  test("answers with the store's latest read of that namespace, and reads when there is none", async () => {
    const dir = folder();
    const store = openStateStore(dir);
    const fresh = await store.read('default', { reuse: true });
    expect(tagOf(fresh)).toBe('1.0');
    const latest = await store.read('default');
    expect(latest).not.toBe(fresh);
    expect(await store.read('default', { reuse: true })).toBe(latest);
    // Another namespace is another view of the folder: read again.
    expect(await store.read('team', { reuse: true })).not.toBe(latest);
    // Another store (another command) never sees this one's snapshot.
    expect(await openStateStore(dir).read('default', { reuse: true })).not.toBe(latest);
  });
});
