/**
 * Crashes: 200 runs of the built CLI, each SIGKILLed at a random moment while
 * `apply -f` rewrites 60 ImageStreams in 42 files (single-object YAML, a multi-document YAML, a
 * JSON List) and creates 5 new files (half the runs kill themselves at a random writing
 * file-system operation, see self-kill.mjs). Afterwards every file is byte-equal to its old or its new
 * content, never half; the next run removes the temporary files and the dead process's lock and
 * finishes the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countWriteOps, listFiles, runCli, selfKillEnv, spawnCli, tempDir, useCliSnapshot } from '../helpers/index.js';

const RUNS = Number(process.env.ISCTL_CRASH_RUNS ?? 200);
const PARALLEL = Number(process.env.ISCTL_CRASH_PARALLEL ?? 6);
const TEMP_MARKER = '.isctl-tmp-';

let work: string;
let template: string;
let input: string;
let oldFiles: Map<string, string>;
let newFiles: Map<string, string>;

function stream(name: string, from: string, extra = ''): string {
  return (
    `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\n` +
    `  labels:\n    team: crash${extra}\nspec:\n  tags:\n  - name: "1.0"\n    from:\n` +
    `      kind: DockerImage\n      name: ${from}\n`
  );
}

function jsonStream(name: string, from: string): object {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, labels: { team: 'crash' } },
    spec: { tags: [{ name: '1.0', from: { kind: 'DockerImage', name: from } }] },
  };
}

/** The state folder before: 40 single-stream files, a 10-document YAML file and a JSON List of 10. */
function writeTemplate(dir: string): void {
  mkdirSync(join(dir, 'streams'), { recursive: true });
  for (let i = 0; i < 40; i++)
    writeFileSync(
      join(dir, 'streams', `s${i}.yaml`),
      `# stream ${i}, kept by hand\n${stream(`s${i}`, `registry.example.com/crash/s${i}:1.0`)}`,
    );
  writeFileSync(
    join(dir, 'streams', 'multi.yaml'),
    Array.from({ length: 10 }, (_, i) => stream(`m${i}`, `registry.example.com/crash/m${i}:1.0`)).join('---\n'),
  );
  writeFileSync(
    join(dir, 'streams', 'list.json'),
    `${JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: Array.from({ length: 10 }, (_, i) => jsonStream(`j${i}`, `registry.example.com/crash/j${i}:1.0`)),
      },
      null,
      2,
    )}\n`,
  );
}

/** The input of `apply -f`: every stream moves to 2.0 and gains a label; 5 new streams. */
function writeInput(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const names = [
    ...Array.from({ length: 40 }, (_, i) => `s${i}`),
    ...Array.from({ length: 10 }, (_, i) => `m${i}`),
    ...Array.from({ length: 10 }, (_, i) => `j${i}`),
  ];
  writeFileSync(
    join(dir, 'all.yaml'),
    names.map((n) => stream(n, `registry.example.com/crash/${n}:2.0`, '\n    release: two')).join('---\n'),
  );
  for (let i = 0; i < 5; i++)
    writeFileSync(join(dir, `new${i}.yaml`), stream(`new${i}`, `registry.example.com/crash/new${i}:2.0`));
}

/**
 * State files (not the .isctl folder) and their text. A created object carries the second it was
 * created (`creationTimestamp`), which differs between two runs; only that value is normalised.
 */
function stateFiles(dir: string): Map<string, string> {
  const files = listFiles(dir).filter((f) => !f.startsWith('.isctl/') && !f.includes(TEMP_MARKER));
  return new Map(
    files.map((f) => [
      f,
      readFileSync(join(dir, f), 'utf8').replace(/creationTimestamp: "[^"\n]*"/g, 'creationTimestamp: "T"'),
    ]),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true when a state file (not .isctl/) is first touched — the write phase began — or false after `maxMs`. */
function writingStarts(dir: string, maxMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const w = watch(dir, { recursive: true }, (_e, name) => {
      if (name && !String(name).startsWith('.isctl')) finish(true);
    });
    const t = setTimeout(() => finish(false), maxMs);
    function finish(v: boolean) {
      clearTimeout(t);
      w.close();
      resolve(v);
    }
  });
}

/** Length of the write phase of an unkilled run (first state-file event to exit), in ms. */
let writePhaseMs = 300;
/** Writing file-system operations of an unkilled run (self-kill.mjs counts them). */
let writeOps = 0;

interface Outcome {
  mixed: boolean;
  allNew: boolean;
  allOld: boolean;
  tempFilesLeft: number;
  lockLeft: boolean;
}

async function crashOnce(i: number): Promise<Outcome> {
  const dir = join(work, `run-${i}`);
  cpSync(template, dir, { recursive: true });
  try {
    // Half the runs SIGKILL themselves at a random writing file-system operation (self-kill.mjs: exact
    // whatever the load); the rest are killed from here, at a random moment of the write phase or
    // (one in five) of the whole run.
    if (i % 2 === 0) {
      const p = spawnCli(['apply', '-f', input], { dir, env: selfKillEnv(1 + Math.floor(Math.random() * writeOps)) });
      const r = await p.done;
      expect(r.signal, r.stderr).toBe('SIGKILL');
    } else {
      const p = spawnCli(['apply', '-f', input], { dir });
      if (i % 5 === 1) await sleep(Math.random() * 2500);
      else if (await writingStarts(dir, 15_000)) await sleep(Math.random() * writePhaseMs);
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already finished
      }
      await p.done;
    }
    const after = stateFiles(dir);
    let news = 0;
    let olds = 0;
    for (const f of new Set([...oldFiles.keys(), ...newFiles.keys(), ...after.keys()])) {
      const now = after.get(f);
      const isOld = now === oldFiles.get(f);
      const isNew = now === newFiles.get(f);
      expect(
        isOld || isNew,
        `${f} after SIGKILL in run ${i} is neither its old nor its new content:\n${now?.slice(0, 400)}`,
      ).toBe(true);
      if (isNew && !isOld) news++;
      if (isOld && !isNew) olds++;
    }
    const outcome: Outcome = {
      mixed: news > 0 && olds > 0,
      allNew: olds === 0,
      allOld: news === 0,
      tempFilesLeft: listFiles(dir).filter((f) => f.includes(TEMP_MARKER)).length,
      lockLeft: existsSync(join(dir, '.isctl', 'lock')),
    };
    // The next run cleans up after the dead one (its lock and temp files) and finishes the job.
    const next = await runCli(['apply', '-f', input], { dir });
    expect(next.stderr, `recovery run after crash ${i}`).toBe('');
    expect(next.code).toBe(0);
    expect(listFiles(dir).filter((f) => f.includes(TEMP_MARKER))).toEqual([]);
    expect(existsSync(join(dir, '.isctl', 'lock'))).toBe(false);
    expect(stateFiles(dir)).toEqual(newFiles);
    return outcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let cli: ReturnType<typeof useCliSnapshot>;

beforeAll(async () => {
  cli = useCliSnapshot();
  work = tempDir('crash');
  template = join(work, 'template');
  input = join(work, 'input');
  writeTemplate(template);
  writeInput(input);
  oldFiles = stateFiles(template);
  const ref = join(work, 'reference');
  cpSync(template, ref, { recursive: true });
  const r = await runCli(['apply', '-f', input], { dir: ref });
  if (r.code !== 0) throw new Error(`reference apply failed: ${r.stderr}`);
  newFiles = stateFiles(ref);
  // Measure the write phase of a real process run.
  const timed = join(work, 'timed');
  cpSync(template, timed, { recursive: true });
  const started = writingStarts(timed, 30_000).then(() => Date.now());
  const p = spawnCli(['apply', '-f', input], { dir: timed });
  const [t0, res] = await Promise.all([started, p.done]);
  writePhaseMs = Math.max(50, Date.now() - t0);
  expect(res.code).toBe(0);
  rmSync(timed, { recursive: true, force: true });
  const counted = join(work, 'counted');
  cpSync(template, counted, { recursive: true });
  writeOps = await countWriteOps(counted, ['apply', '-f', input]);
  expect(writeOps).toBeGreaterThan(oldFiles.size);
  rmSync(counted, { recursive: true, force: true });
  // A second apply of the same input changes nothing: "new" is a fixed point, so recovery can be compared with it.
  const again = await runCli(['apply', '-f', input], { dir: ref });
  expect(stateFiles(ref)).toEqual(newFiles);
  expect(again.code).toBe(0);
}, 120_000);

afterAll(() => {
  cli?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('SIGKILL while rewriting many files', () => {
  it(`${RUNS} killed runs: every file is its old or new content, never half; the next run cleans up and completes`, async () => {
    expect(newFiles.size).toBe(oldFiles.size + 5);
    for (const [f, text] of oldFiles) expect(newFiles.get(f), f).not.toBe(text);
    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < RUNS) outcomes.push(await crashOnce(next++));
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const count = (p: (o: Outcome) => boolean) => outcomes.filter(p).length;
    const summary = {
      runs: outcomes.length,
      killedMidWrite: count((o) => o.mixed),
      beforeAnyWrite: count((o) => o.allOld),
      afterLastWrite: count((o) => o.allNew),
      leftTempFiles: count((o) => o.tempFilesLeft > 0),
      leftLock: count((o) => o.lockLeft),
    };
    console.log('crash runs:', JSON.stringify({ ...summary, writePhaseMs, writeOps }));
    expect(outcomes).toHaveLength(RUNS);
    // The kills must really land inside the write phase, or this test proves nothing.
    expect(summary.killedMidWrite).toBeGreaterThanOrEqual(Math.ceil(RUNS / 20));
    expect(summary.leftLock).toBeGreaterThan(0);
  }, 600_000);
});

describe('temporary image-cache files', () => {
  it('a temporary file a killed import left in .isctl/blobs is removed by the next run that writes the cache; a live writer’s is kept', async () => {
    const { startRegistry, pushImage } = await import('../helpers/registry/index.js');
    const reg = await startRegistry({ mode: 'plain' });
    const d = tempDir('blob-temp');
    try {
      await pushImage(reg, 'team/app', '1.0', { seed: 'blob-temp-1' });
      await pushImage(reg, 'team/app', '2.0', { seed: 'blob-temp-2' });
      expect(
        (
          await runCli(['import-image', 's:1.0', `--from=${reg.host}/team/app:1.0`, '--confirm', '--insecure'], {
            dir: d,
          })
        ).code,
      ).toBe(0);
      const dead = spawnCli(['--version'], { dir: d });
      await dead.done; // its PID no longer exists
      const blobs = join(d, '.isctl', 'blobs', 'sha256');
      const hex = 'ab'.repeat(32);
      const stale = join(blobs, `.${hex}${TEMP_MARKER}${dead.pid}-0badc0de`);
      const live = join(blobs, `.${hex}${TEMP_MARKER}${reg.pid}-0badc0de`);
      writeFileSync(stale, '{"half": ');
      writeFileSync(live, '{"being written');
      const next = await runCli(
        ['import-image', 's:2.0', `--from=${reg.host}/team/app:2.0`, '--confirm', '--insecure'],
        { dir: d },
      );
      expect(next.code).toBe(0);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      await reg.stop();
      rmSync(d, { recursive: true, force: true });
    }
  }, 60_000);
});
