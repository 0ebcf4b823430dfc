/**
 * `--on-build` hooks run as real shell processes: what a hook sees of the build, and that a hook
 * that does not finish is stopped — with every process it started — at its time limit.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBuildHooks } from '../../src/cli/build-hooks.js';
import { tempDir } from '../helpers/index.js';

const BUILD = { namespace: 'ns', name: 'app', file: 'bc.yaml', image: 'quay.io/a/b@sha256:1', trigger: 'ns/b:latest' };

/** True while `pid` runs (a zombie waiting for its parent's wait() has stopped running). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits (bounded) until `pid` no longer runs. */
async function gone(pid: number, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!running(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !running(pid);
}

/**
 * Runs one hook for BUILD with these limits, under this test's PATH; the script may write a PID to
 * the file it is given. Returns the hook's result, how long the run took and that PID.
 */
async function runTimedHook(
  script: (pidFile: string) => string,
  limits: { timeoutMs: number; killGraceMs: number },
): Promise<{ result: Awaited<ReturnType<typeof runBuildHooks>>[number] | undefined; ms: number; pid?: number }> {
  const pidFile = path.join(tempDir('hooks'), 'hook.pid');
  const started = Date.now();
  const [result] = await runBuildHooks([BUILD], script(pidFile), { PATH: process.env.PATH }, limits);
  const ms = Date.now() - started;
  return { result, ms, ...(fs.existsSync(pidFile) ? { pid: Number(fs.readFileSync(pidFile, 'utf8')) } : {}) };
}

describe('runBuildHooks', () => {
  it('passes the build only through the environment: object data cannot inject shell code', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isctl-hooks-'));
    try {
      const evil = `x$(touch ${path.join(dir, 'pwned')})\`touch ${path.join(dir, 'pwned2')}\``;
      const results = await runBuildHooks(
        [
          {
            namespace: 'ns',
            name: evil,
            file: 'apps/bc.yaml',
            image: 'quay.io/a/b@sha256:1',
            trigger: 'ns/b:latest',
            version: 4,
          },
        ],
        'printf "%s\\n%s\\n%s\\n%s\\n%s\\n" "$ISCTL_BUILD_NAME" "$ISCTL_BUILD_NAMESPACE" ' +
          '"$ISCTL_BUILD_IMAGE" "$ISCTL_BUILD_FILE" "$ISCTL_BUILD_VERSION"; exit 3',
        { PATH: process.env.PATH },
        { stateDir: '/state' },
      );
      expect(results[0]!.exitCode).toBe(3);
      expect(results[0]!.stdout).toBe(`${evil}\nns\nquay.io/a/b@sha256:1\n/state/apps/bc.yaml\n4\n`);
      expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'pwned2'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops a hook that outlives its limit, and the processes it started, and says it timed out', async () => {
    // The hook starts a process of its own in the background and waits: both must be stopped.
    const hook = await runTimedHook((pidFile) => `sleep 60 & echo $! > "${pidFile}"; echo started; wait`, {
      timeoutMs: 500,
      killGraceMs: 1000,
    });
    expect(hook.ms).toBeLessThan(10_000);
    expect(hook.result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM', stdout: 'started\n' });
    expect(hook.pid).toBeGreaterThan(1);
    expect(await gone(hook.pid!)).toBe(true);
  });

  it('kills a hook that ignores SIGTERM after the grace period', async () => {
    const hook = await runTimedHook(() => `trap '' TERM; echo ready; while :; do sleep 0.1; done`, {
      timeoutMs: 300,
      killGraceMs: 300,
    });
    expect(hook.ms).toBeLessThan(10_000);
    expect(hook.result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL', stdout: 'ready\n' });
  });

  it("does not wait for pipes held by a process that left the hook's process group", async () => {
    // setsid puts the sleep in a session of its own, out of reach of the group kill; it keeps stdout open.
    const hook = await runTimedHook((pidFile) => `setsid sleep 30 & echo $! > "${pidFile}"; wait`, {
      timeoutMs: 300,
      killGraceMs: 300,
    });
    expect(hook.ms).toBeLessThan(10_000);
    expect(hook.result!.timedOut).toBe(true);
    try {
      process.kill(hook.pid!, 'SIGKILL');
    } catch {
      // It ended already.
    }
  });

  it('a hook that finishes in time is not marked timed out', async () => {
    const results = await runBuildHooks([BUILD], 'exit 0', { PATH: process.env.PATH }, { timeoutMs: 10_000 });
    expect(results[0]).toMatchObject({ timedOut: false, exitCode: 0 });
  });
});
