/**
 * `apply -f` of a workload whose ImageChange trigger names a tag that already has an image: the
 * image is set at once in the same write, as OpenShift's trigger controller would on creation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, tempDir } from '../helpers/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('apply runs the triggers of what it applies', () => {
  it('a DeploymentConfig applied after its tag was imported gets the image and rolls out', async () => {
    const dir = tempDir();
    const imp = await runCli([
      '--dir',
      dir,
      'import-image',
      'hello:1.0',
      '--from',
      `oci:${path.join(ROOT, 'examples/hello-oci')}:1.0`,
      '--confirm',
    ]);
    expect(imp.code).toBe(0);
    const digest = parse(fs.readFileSync(path.join(dir, 'imagestreams/default/hello.yaml'), 'utf8')).status.tags[0]
      .items[0].image;

    const r = await runCli(['--dir', dir, 'apply', '-f', path.join(ROOT, 'examples/state/hello-deploy.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ref = `oci:${path.join(ROOT, 'examples/hello-oci')}@${digest}`;
    expect(r.stdout).toBe(
      'deploymentconfig.apps.openshift.io/hello created\n' +
        `deploymentconfig/hello: container "hello" image updated to ${ref}\n` +
        'deploymentconfig/hello: rolled out version 1 (config change)\n',
    );
    const dc = parse(fs.readFileSync(path.join(dir, 'deploymentconfigs/default/hello.yaml'), 'utf8'));
    expect(dc.spec.template.spec.containers[0].image).toBe(ref);
    expect(dc.status.latestVersion).toBe(1);

    // Applying the same file again: the applied template is taken, the trigger puts the image back: no change is written.
    const file = path.join(dir, 'deploymentconfigs/default/hello.yaml');
    const before = fs.readFileSync(file, 'utf8');
    const again = await runCli(['--dir', dir, 'apply', '-f', path.join(ROOT, 'examples/state/hello-deploy.yaml')]);
    expect(again.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });
});
