/**
 * Triggers driven by a real import: `isctl import-image` against a real Distribution registry
 * rewrites a DeploymentConfig, an annotated Deployment and a BuildConfig in the same folder, and
 * `--on-build` sees the triggered build in its environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { startRegistry, pushImage, skopeoRawDigest, type TestRegistry } from '../helpers/registry/index.js';
import { runCli, tempDir as makeTempDir, testClock } from '../helpers/index.js';

const folders: string[] = [];
const tempFolder = (): string => {
  const d = makeTempDir('trigger-e2e');
  folders.push(d);
  return d;
};

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
}, 60_000);
afterAll(async () => {
  await reg?.stop();
  for (const d of folders) fs.rmSync(d, { recursive: true, force: true });
});

const WORKLOADS = `# Deployed from the web stream; isctl keeps the images current.
apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: " "   # filled in by the trigger
  triggers:
  - type: ConfigChange
  - type: ImageChange
    imageChangeParams:
      automatic: true
      containerNames: [web]
      from: {kind: ImageStreamTag, name: "web:1"}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  annotations:
    image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"web:1"},"fieldPath":"spec.template.spec.containers[0].image"}]'
spec:
  template:
    spec:
      containers:
      - name: worker
        image: example.com/placeholder:0
---
apiVersion: build.openshift.io/v1
kind: BuildConfig
metadata:
  name: child
spec:
  strategy:
    type: Docker
    dockerStrategy:
      from: {kind: ImageStreamTag, name: "web:1"}
  triggers:
  - type: ImageChange
    imageChange: {}
`;

const docs = (file: string) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());

describe('import-image drives the triggers of the folder', () => {
  it('first import rolls the DC out, updates the Deployment, starts a build; a new digest does it again', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'workloads.yaml');
    fs.writeFileSync(file, WORKLOADS);
    const clock = testClock('2026-11-22T10:00:00Z');
    await pushImage(reg, 'team/web', '1', { seed: 'trig-a' });
    const d1 = await skopeoRawDigest(reg, 'team/web:1');
    const ref1 = `${reg.host}/team/web@${d1}`;
    const buildsFile = path.join(tempFolder(), 'builds.txt');
    const hook =
      `printf '%s|%s|%s|%s|%s\\n' "$ISCTL_BUILD_NAME" "$ISCTL_BUILD_NAMESPACE" ` +
      `"$ISCTL_BUILD_IMAGE" "$ISCTL_BUILD_FILE" "$ISCTL_BUILD_TRIGGER" >> "${buildsFile}"`;

    const first = await runCli(
      [
        '--dir',
        dir,
        'import-image',
        'web:1',
        '--from',
        `${reg.host}/team/web:1`,
        '--confirm',
        '--insecure',
        '--on-build',
        hook,
      ],
      { clock },
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`deploymentconfig/web: container "web" image updated to ${ref1}\n`);
    expect(first.stdout).toContain(`deployment/worker: container "worker" image updated to ${ref1}\n`);
    expect(first.stdout).toContain(`buildconfig/child: build triggered by ${ref1}\n`);
    let [dc, worker, bc] = docs(file);
    expect(dc.spec.template.spec.containers[0].image).toBe(ref1);
    expect(dc.spec.triggers[1].imageChangeParams.lastTriggeredImage).toBe(ref1);
    expect(dc.status).toEqual({
      latestVersion: 1,
      details: { message: 'config change', causes: [{ type: 'ConfigChange' }] },
    });
    expect(worker.spec.template.spec.containers[0].image).toBe(ref1);
    expect(bc.status.imageChangeTriggers).toEqual([
      {
        lastTriggeredImageID: ref1,
        from: { name: 'web:1' },
        lastTriggerTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    ]);
    // Comments and untouched lines stay.
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('# Deployed from the web stream; isctl keeps the images current.\n')).toBe(true);
    // The value keeps the quoting it was written with.
    expect(text).toContain(`        image: "${ref1}"   # filled in by the trigger\n`);
    const builds = fs.readFileSync(buildsFile, 'utf8');
    expect(builds).toBe(`child|default|${ref1}|${path.join(dir, 'workloads.yaml')}|default/web:1\n`);

    await pushImage(reg, 'team/web', '1', { seed: 'trig-b' });
    const d2 = await skopeoRawDigest(reg, 'team/web:1');
    const ref2 = `${reg.host}/team/web@${d2}`;
    clock.advance(3600_000);
    const second = await runCli(['--dir', dir, 'import-image', 'web:1'], { clock });
    expect(second.code).toBe(0);
    [dc, worker, bc] = docs(file);
    expect(dc.spec.template.spec.containers[0].image).toBe(ref2);
    expect(dc.status).toEqual({
      latestVersion: 2,
      details: {
        message: 'image change',
        causes: [{ type: 'ImageChange', imageTrigger: { from: { kind: 'DockerImage', name: ref2 } } }],
      },
    });
    expect(worker.spec.template.spec.containers[0].image).toBe(ref2);
    expect(bc.status.lastVersion).toBe(2);
    expect(second.stdout).toContain(
      `-        image: "${ref1}"   # filled in by the trigger\n+        image: "${ref2}"   # filled in by the trigger\n`,
    );

    // Nothing new in the registry: nothing is written, no trigger fires.
    const before = fs.readFileSync(file, 'utf8');
    const third = await runCli(['--dir', dir, 'import-image', 'web:1'], { clock });
    expect(third.code).toBe(0);
    expect(third.stdout).not.toContain('image updated');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(
      parse(fs.readFileSync(path.join(dir, 'imagestreams', 'default', 'web.yaml'), 'utf8')).status.tags[0].items,
    ).toHaveLength(2);
  }, 60_000);
});
