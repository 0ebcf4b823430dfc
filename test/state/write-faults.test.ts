/**
 * What a write does when the disk or the folder works against it: a full disk (ENOSPC, injected
 * into node:fs at each write of a run in turn) changes no state file or names exactly those it
 * changed, and leaves no temporary file; a folder link leading out of the state folder is refused
 * before any folder is created; temporary files are removed only when their writer is provably
 * gone, by the same rules as the folder lock.
 */
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeStaleTempFiles, tempPathFor } from '../../src/state/atomic.js';
import { TEMP_MARKER } from '../../src/state/discover.js';
import { openStateStore } from '../../src/state/store.js';
import { fullDisk } from '../helpers/faults.js';
import { EXAMPLE_LAYOUT, ROOT, runCli, tempDir } from '../helpers/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A copy of examples/state and the OCI layout it imports from, side by side as in the repository. */
function exampleCopy(): string {
  const root = tempDir('write-faults');
  fs.cpSync(path.join(ROOT, 'examples', 'state'), path.join(root, 'state'), {
    recursive: true,
    filter: (src) => !src.split(path.sep).includes('.isctl'),
  });
  fs.cpSync(EXAMPLE_LAYOUT, path.join(root, 'hello-oci'), { recursive: true });
  return path.join(root, 'state');
}

/** Every file below `dir` (relative), with its bytes; `.isctl/` apart when `state` is set. */
function files(dir: string, state = false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!(state && e.name === '.isctl')) walk(r);
      } else out.set(r, fs.readFileSync(path.join(dir, r), 'latin1'));
    }
  };
  walk('');
  return out;
}

/** The `failAt`-th write of new data in this process fails with ENOSPC after writing half of its data. */
const fullDiskAt = (failAt: number) => fullDisk((_file, n) => n === failAt);

describe('a full disk (ENOSPC) during import-image', () => {
  it('at every write of the run in turn: every state file is old or every one new, never a mix; no temporary file stays', async () => {
    const reference = exampleCopy();
    const before = files(reference, true);
    const ok = await runCli(['import-image', 'hello:1.0'], { dir: reference });
    expect(ok.code, ok.stderr).toBe(0);
    const after = files(reference, true);
    // The run changes the stream and rolls out the DeploymentConfig: two state files.
    const changed = [...after.keys()].filter((f) => after.get(f) !== before.get(f));
    expect(changed).toEqual(expect.arrayContaining(['hello-deploy.yaml']));
    expect(changed.length).toBeGreaterThanOrEqual(2);

    let sawStateFileFail = false;
    for (let failAt = 1; failAt <= 40; failAt++) {
      const dir = exampleCopy();
      const fault = fullDiskAt(failAt);
      const r = await runCli(['import-image', 'hello:1.0'], { dir });
      vi.restoreAllMocks();
      const now = files(dir, true);
      const where = `ENOSPC at write ${failAt} (${fault.failed() ?? 'none'}): exit ${r.code}, ${r.stderr}`;
      if (r.code === 0) expect(now, where).toEqual(after);
      else {
        expect(now, where).toEqual(before);
        expect(r.stderr, where).toContain('no space left on device');
        expect(r.stderr, where).not.toContain(TEMP_MARKER);
        if (/no file was changed/.test(r.stderr)) sawStateFileFail = true;
      }
      const stray = [...files(dir).keys()].filter((f) => f.includes(TEMP_MARKER) || f === '.isctl/lock');
      expect(stray, where).toEqual([]);
      if (fault.failed() === undefined) break; // the run made fewer writes than failAt: every write was tried
    }
    expect(sawStateFileFail).toBe(true);
  });

  it('a rename that fails part way names exactly the files changed and those not, and leaves no temporary file', async () => {
    const dir = exampleCopy();
    const before = files(dir, true);
    const realRename = fsp.rename.bind(fsp);
    let renames = 0;
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      // The second state-file rename of the transaction fails (image-cache and lock files pass).
      if (!String(to).includes(`${path.sep}.isctl${path.sep}`) && ++renames === 2)
        throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      return realRename(from, to);
    });
    const r = await runCli(['import-image', 'hello:1.0'], { dir });
    vi.restoreAllMocks();
    expect(r.code).toBe(1);
    const now = files(dir, true);
    const changed = [...now.keys()].filter((f) => now.get(f) !== before.get(f));
    expect(changed).toHaveLength(1);
    const notChanged = [...before.keys()].filter((f) => f !== changed[0] && f.endsWith('.yaml'));
    const m =
      /could not be written \(EIO: i\/o error\); the command stopped part way; changed: (.*); not changed: (.*)\n/.exec(
        r.stderr,
      );
    expect(m, r.stderr).not.toBeNull();
    expect(m?.[1]).toBe(changed[0]);
    for (const f of m?.[2].split(', ') ?? []) expect(notChanged).toContain(f);
    expect([...files(dir).keys()].filter((f) => f.includes(TEMP_MARKER))).toEqual([]);
  });
});

/** A state folder whose `.isctl/<sub>` is a link to an empty folder outside it. */
function linkedOut(sub: string): { dir: string; outside: string } {
  const root = tempDir('link-out');
  const dir = path.join(root, 'state');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(path.join(dir, '.isctl'), { recursive: true });
  fs.mkdirSync(outside);
  fs.symlinkSync(outside, path.join(dir, '.isctl', sub));
  return { dir, outside };
}
describe('a folder link that leads out of the state folder', () => {
  it('create imagestream: imagestreams/ linked outside is refused before any folder is created there', async () => {
    const root = tempDir('link-out');
    const dir = path.join(root, 'state');
    const outside = path.join(root, 'outside');
    fs.mkdirSync(dir);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(dir, 'imagestreams'));
    const r = await runCli(['create', 'imagestream', 'app'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: imagestreams/default/app.yaml: resolves to ' +
        `${fs.realpathSync(outside)}/default/app.yaml, outside the state folder; isctl never writes through such a link`,
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('apply and project: deploymentconfigs/ or .isctl linked outside gets nothing created outside', async () => {
    const root = tempDir('link-out');
    const dir = path.join(root, 'state');
    const outside = path.join(root, 'outside');
    fs.mkdirSync(dir);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(dir, 'deploymentconfigs'));
    const dc = path.join(root, 'dc.yaml');
    fs.writeFileSync(
      dc,
      'apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata:\n  name: web\nspec:\n  replicas: 1\n',
    );
    const applied = await runCli(['apply', '-f', dc], { dir });
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain('outside the state folder; isctl never writes through such a link');
    expect(fs.readdirSync(outside)).toEqual([]);

    const dir2 = path.join(root, 'state2');
    const outside2 = path.join(root, 'outside2');
    fs.mkdirSync(dir2);
    fs.mkdirSync(outside2);
    fs.symlinkSync(outside2, path.join(dir2, '.isctl'));
    const project = await runCli(['project', 'team'], { dir: dir2 });
    expect(project.code).toBe(1);
    expect(project.stderr).toContain('outside the state folder; isctl never writes through such a link');
    expect(fs.readdirSync(outside2)).toEqual([]);
  });

  it('the object index and its views: .isctl/cache linked outside gets nothing written there', async () => {
    const { dir, outside } = linkedOut('cache');
    const stream = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app\nspec: {}\n';
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream);
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(dir, 'app.yaml'), old, old);
    const r = await runCli(['get', 'is', '-A'], { dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('app');
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('the image cache: .isctl/blobs linked outside is refused before a folder is made in it', async () => {
    const { dir, outside } = linkedOut('blobs');
    const bytes = Buffer.from('{}');
    const digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(bytes).digest('hex')}`;
    const { blobs } = openStateStore(dir);
    await blobs.put(digest, bytes);
    await expect(blobs.flush()).rejects.toThrow('.isctl/blobs/sha256 leads outside the state folder');
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe('temporary files of other writers', () => {
  const put = (dir: string, name: string) => {
    fs.writeFileSync(path.join(dir, name), 'half');
    return name;
  };

  it('are named by PID, start time, host and boot, and removed only when that writer is provably gone', async () => {
    const dir = tempDir('temp-files');
    const mine = path.basename(tempPathFor(path.join(dir, 'a.yaml')));
    expect(mine).toMatch(
      new RegExp(`^\\.a\\.yaml${TEMP_MARKER.replace(/\./g, '\\.')}${process.pid}-\\d+-[0-9a-f]{16}-[0-9a-f]{8}$`),
    );
    const [, start, ids] = /-(\d+)-([0-9a-f]{16})-/.exec(mine) ?? [];
    const host = ids.slice(0, 8);
    const boot = ids.slice(8);
    const dead = { pid: 2 ** 30 }; // no process has this PID (beyond any pid_max)
    const live = process.ppid; // the test runner that forked this worker
    const names = {
      own: put(dir, mine),
      // This very PID, recorded by an earlier process (PID 1 of a restarted container): dead.
      ownPidEarlierProcess: put(dir, `.b.yaml${TEMP_MARKER}${process.pid}-1-${host}${boot}-00000001`),
      // A live PID whose process started at another time: the PID was reused.
      reusedPid: put(dir, `.c.yaml${TEMP_MARKER}${live}-1-${host}${boot}-00000002`),
      earlierBoot: put(dir, `.d.yaml${TEMP_MARKER}${live}-${start}-${host}00000000-00000003`),
      deadPid: put(dir, `.e.yaml${TEMP_MARKER}${dead.pid}-${start}-${host}${boot}-00000004`),
      otherHost: put(dir, `.f.yaml${TEMP_MARKER}${dead.pid}-${start}-00000000${boot}-00000005`),
      // An older name carries the PID only: with this process's PID it is an earlier process's.
      legacyOwnPid: put(dir, `.g.yaml${TEMP_MARKER}${process.pid}-0badc0de`),
      legacyLive: put(dir, `.h.yaml${TEMP_MARKER}${live}-0badc0de`),
    };
    const removed = await removeStaleTempFiles(dir, Object.values(names));
    expect(removed.sort()).toEqual(
      [names.ownPidEarlierProcess, names.reusedPid, names.earlierBoot, names.deadPid, names.legacyOwnPid].sort(),
    );
  });
});
