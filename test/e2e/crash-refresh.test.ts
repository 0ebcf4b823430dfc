/**
 * Crashes during `refresh` (the writer of tag history): 50 ImageStreams whose tags
 * come from an OCI image layout on disk, plus a DeploymentConfig with an ImageChange trigger; the
 * layout moves every tag to a new image and `node bin/isctl.js refresh` is SIGKILLed at a random
 * point of its write phase. Every state file is its old or its new content (timestamps aside,
 * which differ between any two runs), every image-cache file matches its digest, and the next
 * refresh brings every stream to the new content and leaves nothing behind. (The DeploymentConfig
 * must be triggered after recovery too: refresh resyncs every workload's triggers.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, type BuiltImage } from '../helpers/registry/index.js';
import {
  badCacheFiles,
  cachedDigests,
  countWriteOps,
  listFiles,
  runCli,
  selfKillEnv,
  spawnCli,
  tempDir,
  useCliSnapshot,
} from '../helpers/index.js';

const RUNS = Number(process.env.ISCTL_CRASH_REFRESH_RUNS ?? 40);
const PARALLEL = Number(process.env.ISCTL_CRASH_PARALLEL ?? 6);
const STREAMS = 50;
const TEMP_MARKER = '.isctl-tmp-';
const _DC = 'streams/web-dc.yaml';

let cli: ReturnType<typeof useCliSnapshot>;
let work: string;
let template: string;
let oldFiles: Map<string, string>;
let newFiles: Map<string, string>;
let writePhaseMs = 300;
let writeOps = 0;

/** Writes an OCI image layout where tag `s<i>` of every stream points at `images[i]`. */
function writeLayout(dir: string, images: BuiltImage[]): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  for (const img of images)
    for (const b of [img.manifest, img.config, ...img.layers])
      writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  const manifests = images.map((img, i) => ({
    mediaType: img.manifest.mediaType,
    digest: img.manifest.digest,
    size: img.manifest.bytes.length,
    annotations: { 'org.opencontainers.image.ref.name': `s${i}` },
  }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
}

/** State files with every RFC 3339 time replaced: a refresh stamps the second it ran. */
function stateFiles(dir: string): Map<string, string> {
  const files = listFiles(dir).filter((f) => !f.startsWith('.isctl/') && !f.includes(TEMP_MARKER));
  return new Map(
    files.map((f) => [
      f,
      readFileSync(join(dir, f), 'utf8').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, 'T'),
    ]),
  );
}

function dcYaml(): string {
  return (
    `apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata:\n  name: web\nspec:\n` +
    `  replicas: 1\n  triggers:\n  - type: ImageChange\n    imageChangeParams:\n` +
    `      automatic: true\n      containerNames: [web]\n      from:\n` +
    `        kind: ImageStreamTag\n        name: s0:live\n  template:\n    spec:\n` +
    `      containers:\n      - name: web\n        image: placeholder\n`
  );
}

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

beforeAll(async () => {
  cli = useCliSnapshot();
  work = tempDir('crash-refresh');
  template = join(work, 'template');
  const layout = join(work, 'layout');
  mkdirSync(template);
  writeLayout(
    layout,
    Array.from({ length: STREAMS }, (_, i) => buildImage({ seed: `old-${i}` })),
  );
  mkdirSync(join(template, 'streams'));
  for (let i = 0; i < STREAMS; i++) {
    const r = await runCli(['import-image', `s${i}:live`, `--from=oci:${layout}:s${i}`, '--confirm'], {
      dir: template,
    });
    if (r.code !== 0) throw new Error(`seeding s${i}: ${r.stderr}`);
  }
  writeFileSync(join(template, 'streams', 'web-dc.yaml'), dcYaml());
  // refresh resyncs every workload's triggers, so this refresh rolls the DeploymentConfig out on the old images.
  expect((await runCli(['refresh'], { dir: template })).code).toBe(0);
  oldFiles = stateFiles(template);
  writeLayout(
    layout,
    Array.from({ length: STREAMS }, (_, i) => buildImage({ seed: `new-${i}` })),
  );
  const ref = join(work, 'reference');
  cpSync(template, ref, { recursive: true });
  const r = await runCli(['refresh'], { dir: ref });
  expect(r.stderr).toBe('');
  newFiles = stateFiles(ref);
  const timed = join(work, 'timed');
  cpSync(template, timed, { recursive: true });
  const started = writingStarts(timed, 60_000).then(() => Date.now());
  const p = spawnCli(['refresh'], { dir: timed });
  const [t0, res] = await Promise.all([started, p.done]);
  writePhaseMs = Math.max(30, Date.now() - t0);
  expect(res.code).toBe(0);
  const counted = join(work, 'counted');
  cpSync(template, counted, { recursive: true });
  writeOps = await countWriteOps(counted, ['refresh']);
  expect(writeOps).toBeGreaterThan(STREAMS);
}, 300_000);

afterAll(() => {
  cli?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function crashOnce(i: number): Promise<{ mixed: boolean; temps: number }> {
  const dir = join(work, `run-${i}`);
  cpSync(template, dir, { recursive: true });
  try {
    if (i % 3 !== 2) {
      // SIGKILL at a random writing file-system operation: image-cache blobs, state files, the lock.
      // Every fourth such run draws from the last eighth of the operations, where the state files
      // are renamed into place one by one, so that kills between two renames (the torn outcome a
      // transaction must never show) are certain to be tried, not left to a lucky draw.
      const tail = i % 4 === 0;
      const at = tail
        ? writeOps - Math.floor(Math.random() * Math.ceil(writeOps / 8))
        : 1 + Math.floor(Math.random() * writeOps);
      const r = await spawnCli(['refresh'], { dir, env: selfKillEnv(at) }).done;
      expect(r.signal, r.stderr).toBe('SIGKILL');
    } else {
      const p = spawnCli(['refresh'], { dir });
      if (await writingStarts(dir, 30_000)) await new Promise((r) => setTimeout(r, Math.random() * writePhaseMs));
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // it finished first
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
        `${f} after SIGKILL of refresh run ${i} is neither old nor new:\n${now?.slice(0, 400)}`,
      ).toBe(true);
      if (isNew && !isOld) news++;
      if (isOld && !isNew) olds++;
    }
    expect(badCacheFiles(dir)).toEqual([]);
    // The image data is on disk before any state file names it: every image a stream records,
    // old or new, has its manifest in the image cache (loose or packed).
    const cached = cachedDigests(dir);
    for (const [f, text] of after)
      for (const m of text.matchAll(/\bimage: (sha256:[a-f0-9]{64})/g))
        expect(cached.has(m[1]), `${f} after run ${i} names ${m[1]}, which the image cache lacks`).toBe(true);
    const temps = listFiles(dir).filter((f) => f.includes(TEMP_MARKER)).length;
    const next = await runCli(['refresh'], { dir });
    expect(next.code, next.stderr).toBe(0);
    expect(listFiles(dir).filter((f) => f.includes(TEMP_MARKER))).toEqual([]);
    expect(existsSync(join(dir, '.isctl', 'lock'))).toBe(false);
    expect(badCacheFiles(dir)).toEqual([]);
    const recovered = stateFiles(dir);
    // refresh resyncs every workload's triggers: even when the kill landed after a stream file and
    // before the DeploymentConfig's, the next refresh brings the DeploymentConfig up to date.
    expect(recovered).toEqual(newFiles);
    return { mixed: news > 0 && olds > 0, temps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SIGKILL during refresh', () => {
  it(`${RUNS} killed refreshes of ${STREAMS} streams and a triggered DeploymentConfig: old or new, never half; the next refresh completes`, async () => {
    expect(newFiles.size).toBe(oldFiles.size);
    const changed = [...oldFiles.keys()].filter((f) => oldFiles.get(f) !== newFiles.get(f));
    expect(changed.length).toBe(STREAMS + 1); // every stream file and the DeploymentConfig
    const outcomes: { mixed: boolean; temps: number }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < RUNS) outcomes.push(await crashOnce(next++));
      }),
    );
    const mixed = outcomes.filter((o) => o.mixed).length;
    console.log(
      'refresh crash runs:',
      JSON.stringify({
        runs: outcomes.length,
        killedMidWrite: mixed,
        leftTempFiles: outcomes.filter((o) => o.temps > 0).length,
        writePhaseMs,
        writeOps,
      }),
    );
    expect(outcomes).toHaveLength(RUNS);
    expect(mixed).toBeGreaterThanOrEqual(Math.ceil(RUNS / 20));
  }, 600_000);
});
