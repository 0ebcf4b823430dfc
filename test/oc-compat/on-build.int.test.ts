/**
 * A failing `--on-build` command fails the run: the BuildConfig it ran for is named on stderr and
 * the exit code is not 0 (with `refresh --exit-code`: 3, the changes having been written).
 * A command that outlives `--on-build-timeout` (ISCTL_ON_BUILD_TIMEOUT) is stopped and fails the
 * run the same way. The hooks are real /bin/sh processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, ensureBuilt, runCli, spawnCli, tempDir, testClock } from '../helpers/index.js';

const STREAM = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: hello
spec:
  tags:
  - name: "1.0"
    from:
      kind: DockerImage
      name: oci:${EXAMPLE_LAYOUT}:1.0
`;

const BC = `apiVersion: build.openshift.io/v1
kind: BuildConfig
metadata:
  name: app
spec:
  strategy:
    type: Docker
    dockerStrategy:
      from:
        kind: ImageStreamTag
        name: hello:1.0
  triggers:
  - type: ImageChange
    imageChange: {}
`;

function folder(): string {
  const dir = tempDir('oc-onbuild');
  fs.writeFileSync(path.join(dir, 'hello.yaml'), STREAM);
  fs.writeFileSync(path.join(dir, 'bc.yaml'), BC);
  return dir;
}
const clock = testClock('2026-11-22T12:00:00Z');

describe('--on-build', () => {
  it('refresh: a hook that exits 3 fails the run and is named; the changes stay written', async () => {
    const dir = folder();
    const r = await runCli(['refresh', '--on-build', 'echo building "$ISCTL_BUILD_NAME"; exit 3'], { dir, clock });
    expect(r.stdout).toContain('building app\n');
    expect(r.stderr).toContain('error: --on-build command exited with 3 for buildconfig/app in namespace default\n');
    expect(r.code).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'bc.yaml'), 'utf8')).toContain('lastTriggeredImageID');
  });

  it('refresh --exit-code: changed and a hook failed is 3', async () => {
    const r = await runCli(['refresh', '--exit-code', '--on-build', 'exit 1'], { dir: folder(), clock });
    expect(r.stderr).toContain('error: --on-build command exited with 1 for buildconfig/app in namespace default\n');
    expect(r.code).toBe(3);
  });

  it('import-image: a failing hook exits 1, a passing one 0', async () => {
    const failing = await runCli(['import-image', 'hello:1.0', '--on-build', 'exit 4'], { dir: folder(), clock });
    expect(failing.stderr).toContain(
      'error: --on-build command exited with 4 for buildconfig/app in namespace default\n',
    );
    expect(failing.code).toBe(1);
    const passing = await runCli(['import-image', 'hello:1.0', '--on-build', 'true'], { dir: folder(), clock });
    expect(passing.stderr).toBe('');
    expect(passing.code).toBe(0);
  });

  const TIMED_OUT =
    'error: --on-build command did not finish within 1s for buildconfig/app in namespace default: ' +
    'it and every process it started were stopped; raise --on-build-timeout (or ISCTL_ON_BUILD_TIMEOUT) if it needs longer\n';

  it('refresh: a hook that outlives --on-build-timeout is stopped, named, and fails the run', async () => {
    const dir = folder();
    const started = Date.now();
    const r = await runCli(['refresh', '--on-build-timeout', '1s', '--on-build', 'echo waiting; sleep 60'], {
      dir,
      clock,
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.stdout).toContain('waiting\n');
    expect(r.stderr).toContain(TIMED_OUT);
    expect(r.code).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'bc.yaml'), 'utf8')).toContain('lastTriggeredImageID');
  });

  it('refresh --exit-code with ISCTL_ON_BUILD_TIMEOUT: changed and a hook timed out is 3', async () => {
    const r = await runCli(['refresh', '--exit-code', '--on-build', 'sleep 60'], {
      dir: folder(),
      clock,
      env: { ISCTL_ON_BUILD_TIMEOUT: '1' },
    });
    expect(r.stderr).toContain(TIMED_OUT);
    expect(r.code).toBe(3);
  });

  it('serve --once: a hung hook does not hang the pass; it is named and the pass exits 3', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'hello.yaml'), `${STREAM}    importPolicy:\n      scheduled: true\n`);
    const r = await runCli(['serve', '--once', '--on-build-timeout', '1s', '--on-build', 'sleep 60'], { dir, clock });
    expect(r.stderr).toContain(TIMED_OUT);
    expect(r.code).toBe(3);
  });

  it('a limit that is not a duration, or 0, is refused before anything is written', async () => {
    for (const [flag, value, source] of [
      ['--on-build-timeout', '0', '--on-build-timeout'],
      ['--on-build-timeout', 'soon', '--on-build-timeout'],
    ]) {
      const dir = folder();
      const r = await runCli(['refresh', flag!, value!, '--on-build', 'true'], { dir, clock });
      expect(r.stderr).toMatch(new RegExp(`^error: invalid ${source} "${value}": `));
      expect(r.code).not.toBe(0);
      expect(fs.readFileSync(path.join(dir, 'bc.yaml'), 'utf8')).toBe(BC);
    }
    const dir = folder();
    const env = await runCli(['import-image', 'hello:1.0', '--on-build', 'true'], {
      dir,
      clock,
      env: { ISCTL_ON_BUILD_TIMEOUT: '0' },
    });
    expect(env.stderr).toMatch(
      /^error: invalid ISCTL_ON_BUILD_TIMEOUT "0": the timeout must be greater than 0 \(isctl never waits without bound\)\n/,
    );
    expect(fs.readFileSync(path.join(dir, 'bc.yaml'), 'utf8')).toBe(BC);
    const alone = await runCli(['refresh', '--on-build-timeout', '5s'], { dir, clock });
    expect(alone.stderr).toContain('error: --on-build-timeout needs --on-build');
    expect(fs.readFileSync(path.join(dir, 'bc.yaml'), 'utf8')).toBe(BC);
  });

  describe('as a process', () => {
    beforeAll(() => ensureBuilt());

    it('Ctrl-C (SIGINT) of isctl reaches the hook, which runs in a process group of its own', async () => {
      const dir = folder();
      const pidFile = path.join(dir, 'hook.pid');
      const cli = spawnCli(['refresh', '--on-build', `echo $$ > "${pidFile}"; sleep 60`], { dir });
      const end = Date.now() + 20_000;
      while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8') === '') {
        if (Date.now() > end) throw new Error('the hook did not start');
        await new Promise((r) => setTimeout(r, 20));
      }
      const hook = Number(fs.readFileSync(pidFile, 'utf8'));
      process.kill(cli.pid, 'SIGINT');
      const r = await Promise.race([
        cli.done,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('isctl did not end')), 10_000)),
      ]);
      expect(r.signal).toBe('SIGINT');
      // The hook has ended: signal 0 finds no process (a zombie has ended too).
      let alive = true;
      for (let i = 0; i < 250 && alive; i++) {
        try {
          process.kill(hook, 0);
          alive = !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${hook}/stat`, 'utf8'));
        } catch {
          alive = false;
        }
        if (alive) await new Promise((r) => setTimeout(r, 20));
      }
      expect(alive).toBe(false);
    });
  });
});
