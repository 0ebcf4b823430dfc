/**
 * Every command that runs triggers brings them level with the streams: a workload that a killed
 * run did not reach catches up on the next command, whichever it is. OpenShift's trigger
 * controller is level driven for the same reason (openshift-controller-manager
 * pkg/image/controller/trigger/image_trigger_controller.go: "Because image triggers are
 * explicitly level driven … The controller will try forever to apply image changes").
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, ROOT, runCli, tempDir } from '../../helpers/index.js';

const readState = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

/** A copy of examples/state and the OCI layout it imports from, side by side as in the repository. */
function exampleCopy(): string {
  const root = tempDir('catch-up');
  fs.cpSync(path.join(ROOT, 'examples', 'state'), path.join(root, 'state'), {
    recursive: true,
    filter: (src) => !src.split(path.sep).includes('.isctl'),
  });
  fs.cpSync(EXAMPLE_LAYOUT, path.join(root, 'hello-oci'), { recursive: true });
  return path.join(root, 'state');
}

const imageOf = (text: string) => /image: (\S+)/.exec(text.slice(text.indexOf('containers:')))?.[1];

describe('a DeploymentConfig a killed run did not reach', () => {
  it('is rolled out by the same import-image run again (the stream file was renamed, the DC file was not)', async () => {
    const dir = exampleCopy();
    const dcBefore = readState(dir, 'hello-deploy.yaml');
    const first = await runCli(['import-image', 'hello:1.0'], { dir });
    expect(first.code, first.stderr).toBe(0);
    const rolledOut = readState(dir, 'hello-deploy.yaml');
    expect(imageOf(rolledOut)).toMatch(/@sha256:[0-9a-f]{64}"?$/);
    // SIGKILL between the two renames leaves exactly this: the new stream file, the old DC file.
    fs.writeFileSync(path.join(dir, 'hello-deploy.yaml'), dcBefore);

    const again = await runCli(['import-image', 'hello:1.0'], { dir });
    expect(again.code, again.stderr).toBe(0);
    expect(readState(dir, 'hello-deploy.yaml')).toBe(rolledOut);
    expect(again.stdout).toContain('+++ b/hello-deploy.yaml');
  });

  it('is rolled out by a tag command on another stream, too', async () => {
    const dir = exampleCopy();
    const dcBefore = readState(dir, 'hello-deploy.yaml');
    expect((await runCli(['import-image', 'hello:1.0'], { dir })).code).toBe(0);
    const rolledOut = readState(dir, 'hello-deploy.yaml');
    fs.writeFileSync(path.join(dir, 'hello-deploy.yaml'), dcBefore);

    const tag = await runCli(['tag', 'hello:1.0', 'other:copy'], { dir });
    expect(tag.code, tag.stderr).toBe(0);
    expect(readState(dir, 'hello-deploy.yaml')).toBe(rolledOut);
  });
});

describe('every command that runs triggers catches up', () => {
  it.each([
    ['refresh', () => ['refresh']],
    ['apply of an unchanged stream', (dir: string) => ['apply', '-f', path.join(dir, 'hello.yaml')]],
    // A change of its triggers (an unchanged `set triggers` writes nothing and runs none, as oc).
    ['set triggers', () => ['set', 'triggers', 'dc/hello', '--from-config', '--remove']],
  ])('%s rolls out the DeploymentConfig a killed import-image did not reach', async (_name, argv) => {
    const dir = exampleCopy();
    const dcBefore = readState(dir, 'hello-deploy.yaml');
    expect((await runCli(['import-image', 'hello:1.0'], { dir })).code).toBe(0);
    const rolledOut = readState(dir, 'hello-deploy.yaml');
    fs.writeFileSync(path.join(dir, 'hello-deploy.yaml'), dcBefore);

    const r = await runCli(argv(dir), { dir });
    expect(r.code, r.stderr).toBe(0);
    expect(imageOf(readState(dir, 'hello-deploy.yaml'))).toBe(imageOf(rolledOut));
  });
});
