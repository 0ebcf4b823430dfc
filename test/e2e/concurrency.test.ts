/**
 * Concurrency: 8 OS processes run 50 mixed commands each — tag (imported from a real
 * registry, and --reference), import-image, refresh, apply -f — on one state folder, while
 * `isctl serve --interval 1s` re-imports a scheduled tag on the same folder and the registry moves
 * that tag. A stale lock left by a SIGKILLed isctl is in place when they start. At the end every
 * command succeeded and its effect is present, every file parses, nothing is left behind, and
 * the whole run finished within a bound (no deadlock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStateFile } from '../../src/state/parse.js';
import { freePort, pushImage, skopeoRawDigest, startRegistry, type TestRegistry } from '../helpers/registry/index.js';
import { useCliSnapshot, getStream, listFiles, ROOT, runCli, spawnCli, statusTag, tempDir } from '../helpers/index.js';

const WORKERS = 8;
const OPS = Number(process.env.ISCTL_CONCURRENCY_OPS ?? 50);
const BOUND_MS = 300_000;

let reg: TestRegistry;
let work: string;
let state: string;
let cli: ReturnType<typeof useCliSnapshot>;

beforeAll(async () => {
  cli = useCliSnapshot();
  reg = await startRegistry({ mode: 'plain' });
  work = tempDir('concurrency');
  state = join(work, 'state');
  mkdirSync(state);
});
afterAll(async () => {
  await reg?.stop();
  cli?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface OpResult {
  i: number;
  argv: string[];
  code: number;
  ms: number;
  stderr: string;
}

/** The commands of worker `w`: a fixed mix so that every effect can be checked afterwards. */
function opsFor(w: number): { argv: string[]; kind: string; id: string }[] {
  return Array.from({ length: OPS }, (_, i) => {
    const id = `w${w}-${i}`;
    switch (i % 5) {
      case 0:
        return { kind: 'tag-import', id, argv: ['tag', '--insecure', `${reg.host}/team/app:one`, `shared:${id}`] };
      case 1:
        return {
          kind: 'tag-reference',
          id,
          argv: ['tag', '--reference', `registry.example.com/ref/${id}:1.0`, `shared:${id}`],
        };
      case 2:
        return {
          kind: 'import',
          id,
          argv: ['import-image', `imp-${id}:t`, `--from=${reg.host}/team/app:two`, '--confirm', '--insecure'],
        };
      case 3:
        return { kind: 'refresh', id, argv: ['refresh'] };
      default:
        return { kind: 'apply', id, argv: ['apply', '-f', join(work, 'apply', `${id}.yaml`)] };
    }
  }).map((o) => ({ ...o, argv: ['--dir', state, ...o.argv] }));
}

/** Runs one worker process; resolves with its per-command results. */
function runWorker(w: number, ops: string[][]): Promise<{ results: OpResult[]; exit: number | null; stderr: string }> {
  const file = join(work, `ops-${w}.json`);
  writeFileSync(file, JSON.stringify({ ops, env: { HOME: state, NO_COLOR: '1' }, spawnEvery: 10 }));
  const child = spawn(
    process.execPath,
    [join(ROOT, 'test', 'helpers', 'processes', 'concurrency-worker.mjs'), file, cli.root],
    {
      cwd: state,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => {
    child.on('close', (exit) =>
      resolve({
        results: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as OpResult),
        exit,
        stderr: err,
      }),
    );
  });
}

/** Leaves a stale lock: a real isctl process is SIGKILLed while it holds the folder lock. */
async function leaveStaleLock(): Promise<number> {
  const lock = join(state, '.isctl', 'lock');
  const gate = join(work, 'gate.yaml');
  // Many documents make apply hold the lock long enough to be caught holding it.
  writeFileSync(
    gate,
    Array.from(
      { length: 400 },
      (_, i) => `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: gate-${i}\n`,
    ).join('---\n'),
  );
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = spawnCli(['apply', '-f', gate, '--dry-run'], { dir: state });
    for (let t = 0; t < 3000 && !existsSync(lock); t += 2) await new Promise((r) => setTimeout(r, 2));
    const holder = existsSync(lock) ? JSON.parse(readFileSync(lock, 'utf8')) : undefined;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // it finished first; try again
    }
    await p.done;
    if (holder?.pid === p.pid && existsSync(lock)) return p.pid;
  }
  throw new Error('could not catch an isctl process holding the lock');
}

describe('8 processes x 50 commands on one state folder, with serve running', () => {
  it(
    'loses no update, leaves every file parseable, recovers a stale lock and never deadlocks',
    async () => {
      const one = await pushImage(reg, 'team/app', 'one', { seed: 'conc-one' });
      const two = await pushImage(reg, 'team/app', 'two', { seed: 'conc-two' });
      await pushImage(reg, 'team/app', 'live', { seed: 'conc-live-0' });
      expect(await skopeoRawDigest(reg, 'team/app:one')).toBe(one.digest);
      expect(await skopeoRawDigest(reg, 'team/app:two')).toBe(two.digest);
      // The scheduled tag serve keeps importing.
      const sched = await runCli(['tag', '--scheduled', '--insecure', `${reg.host}/team/app:live`, 'sched:live'], {
        dir: state,
      });
      expect(sched.stderr).toBe('');
      mkdirSync(join(work, 'apply'));
      const plans = Array.from({ length: WORKERS }, (_, w) => opsFor(w));
      for (const o of plans.flat().filter((x) => x.kind === 'apply')) {
        writeFileSync(
          join(work, 'apply', `${o.id}.yaml`),
          `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app-${o.id}\n` +
            `  labels:\n    applied-by: ${o.id}\nspec:\n  lookupPolicy:\n    local: true\n`,
        );
      }
      const deadPid = await leaveStaleLock();
      expect(JSON.parse(readFileSync(join(state, '.isctl', 'lock'), 'utf8')).pid).toBe(deadPid);

      const port = await freePort();
      const serve = spawnCli(['serve', '--interval', '1s', '--listen', `127.0.0.1:${port}`, '--log-format', 'json'], {
        dir: state,
      });
      const started = Date.now();
      let moved = '';
      const mover = (async () => {
        // The registry moves the scheduled tag while the workers run.
        for (let k = 1; k <= 3; k++) {
          await new Promise((r) => setTimeout(r, 3000));
          moved = (await pushImage(reg, 'team/app', 'live', { seed: `conc-live-${k}` })).digest;
        }
      })();
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`not finished after ${BOUND_MS} ms: deadlock?`)), BOUND_MS),
      );
      const workers = await Promise.race([
        Promise.all(
          plans.map((p, w) =>
            runWorker(
              w,
              p.map((o) => o.argv),
            ),
          ),
        ),
        timeout,
      ]);
      await mover;
      const elapsed = Date.now() - started;

      // Every command of every worker ran and succeeded.
      for (const [w, r] of workers.entries()) {
        expect(r.exit, `worker ${w}: ${r.stderr}`).toBe(0);
        expect(r.results).toHaveLength(OPS);
        for (const x of r.results)
          expect({ argv: x.argv.slice(2).join(' '), code: x.code, stderr: x.code === 0 ? '' : x.stderr }).toEqual({
            argv: x.argv.slice(2).join(' '),
            code: 0,
            stderr: '',
          });
      }

      // serve picks up the last push of the scheduled tag (within a few intervals).
      let live: string | undefined;
      for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
        live = statusTag(await getStream(state, 'sched'), 'live')?.items?.[0]?.image;
        if (live === moved) break;
      }
      expect(live).toBe(moved);
      process.kill(serve.pid, 'SIGTERM');
      const served = await serve.done;
      expect(served.code, served.stderr.slice(-2000)).toBe(0);

      // Every effect is present.
      const shared = await getStream(state, 'shared');
      const specTags = new Map<string, string>(
        (shared.spec.tags ?? []).map((t: { name: string; from: { name: string } }) => [t.name, t.from.name]),
      );
      for (const o of plans.flat()) {
        if (o.kind === 'tag-import') {
          expect(specTags.get(o.id), o.id).toBe(`${reg.host}/team/app:one`);
          expect(statusTag(shared, o.id)?.items?.[0]?.image, o.id).toBe(one.digest);
        } else if (o.kind === 'tag-reference') {
          expect(specTags.get(o.id), o.id).toBe(`registry.example.com/ref/${o.id}:1.0`);
        } else if (o.kind === 'import') {
          expect(statusTag(await getStream(state, `imp-${o.id}`), 't')?.items?.[0]?.image, o.id).toBe(two.digest);
        } else if (o.kind === 'apply') {
          const s = await getStream(state, `app-${o.id}`);
          expect(s.metadata.labels['applied-by']).toBe(o.id);
        }
      }
      expect(specTags.size).toBe(plans.flat().filter((o) => o.kind.startsWith('tag')).length);

      // Every file parses, nothing is left behind (no temp file, no lock).
      const files = listFiles(state);
      for (const f of files.filter((x) => /\.(ya?ml|json)$/.test(x) && !x.startsWith('.isctl/'))) {
        expect(parseStateFile(f, readFileSync(join(state, f), 'utf8')).problems, f).toEqual([]);
      }
      expect(files.filter((f) => f.includes('.isctl-tmp-'))).toEqual([]);
      expect(existsSync(join(state, '.isctl', 'lock'))).toBe(false);
      const all = await runCli(['get', 'is', '-A'], { dir: state });
      expect(all.code).toBe(0);
      console.log(
        `concurrency: ${WORKERS} workers x ${OPS} commands in ${elapsed} ms; slowest command ` +
          `${Math.max(...workers.flatMap((r) => r.results.map((x) => x.ms)))} ms`,
      );
      expect(elapsed).toBeLessThan(BOUND_MS);
    },
    BOUND_MS + 120_000,
  );
});
