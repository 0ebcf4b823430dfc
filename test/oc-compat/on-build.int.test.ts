/**
 * A failing `--on-build` command fails the run: the BuildConfig it ran for is named on stderr and
 * the exit code is not 0 (with `refresh --exit-code`: 3, the changes having been written).
 * The hooks are real /bin/sh processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, runCli, tempDir, testClock } from '../helpers/index.js';

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
});
