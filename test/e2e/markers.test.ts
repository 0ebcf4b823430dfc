/**
 * Marker comments against a real Distribution registry: Helm values and a kustomization follow
 * `app:stable` through `# {"$imagestreamtag": …}` comments (the ImageStream-tag counterpart of
 * Flux's setters, fluxcd/image-automation-controller pkg/update/setters.go). After a new digest is
 * imported exactly the marked values change, `--dry-run` writes nothing, `kubectl kustomize`
 * renders the new digest, and a marker naming a missing stream is reported with file and line.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pushImage, skopeoRawDigest, startRegistry, type TestRegistry } from '../helpers/registry/index.js';
import { runCli, tempDir, testClock } from '../helpers/index.js';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
}, 60_000);
afterAll(async () => {
  await reg?.stop();
});

const values = (host: string) => `# values.yaml (Helm)
image:
  repository: ${host}/team/app # {"$imagestreamtag": "app:stable:name"}
  tag: "1.0" # {"$imagestreamtag": "app:stable:tag"}
  digest: "" # {"$imagestreamtag": "app:stable:digest"}
sidecar: {image: "${host}/team/app:1.0"} # {"$imagestreamtag": "app:stable"}
`;
const kustomization = (host: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: app
    newName: ${host}/team/app # {"$imagestreamtag": "app:stable:name"}
    digest: sha256:0000 # {"$imagestreamtag": "app:stable:digest"}
`;
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - name: app
          image: app
`;

describe('markers follow a stream tag in Helm values and kustomize images', () => {
  it('a new digest changes exactly the marked values; dry-run writes nothing; kustomize renders it', async () => {
    const dir = tempDir('markers-e2e');
    fs.mkdirSync(path.join(dir, 'chart'));
    fs.mkdirSync(path.join(dir, 'deploy'));
    fs.writeFileSync(path.join(dir, 'chart', 'values.yaml'), values(reg.host));
    fs.writeFileSync(path.join(dir, 'deploy', 'kustomization.yaml'), kustomization(reg.host));
    fs.writeFileSync(path.join(dir, 'deploy', 'deployment.yaml'), deployment);
    fs.writeFileSync(path.join(dir, 'other.yaml'), 'image: x # {"$imagestreamtag": "nosuch:tag"}\n');
    const clock = testClock('2026-12-01T10:00:00Z');

    await pushImage(reg, 'team/app', '1.0', { seed: 'marker-a' });
    const d1 = await skopeoRawDigest(reg, 'team/app:1.0');
    const first = await runCli(['--dir', dir, 'tag', `${reg.host}/team/app:1.0`, 'app:stable', '--insecure'], {
      clock,
    });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(
      'error: other.yaml:1: marker "nosuch:tag": imagestreams.image.openshift.io "nosuch" not found',
    );
    const valuesText = fs.readFileSync(path.join(dir, 'chart', 'values.yaml'), 'utf8');
    expect(valuesText).toBe(`# values.yaml (Helm)
image:
  repository: ${reg.host}/team/app # {"$imagestreamtag": "app:stable:name"}
  tag: "1.0" # {"$imagestreamtag": "app:stable:tag"}
  digest: "${d1}" # {"$imagestreamtag": "app:stable:digest"}
sidecar: {image: "${reg.host}/team/app@${d1}"} # {"$imagestreamtag": "app:stable"}
`);
    expect(first.stdout).toContain(`chart/values.yaml:5: "app:stable:digest" updated to ${d1}`);

    await pushImage(reg, 'team/app', '1.0', { seed: 'marker-b' });
    const d2 = await skopeoRawDigest(reg, 'team/app:1.0');
    expect(d2).not.toBe(d1);
    const before = fs.readFileSync(path.join(dir, 'deploy', 'kustomization.yaml'), 'utf8');
    const dry = await runCli(['--dir', dir, 'refresh', '--dry-run'], { clock });
    expect(dry.stdout).toContain(`+    digest: ${d2} # {"$imagestreamtag": "app:stable:digest"}`);
    expect(fs.readFileSync(path.join(dir, 'deploy', 'kustomization.yaml'), 'utf8')).toBe(before);

    const second = await runCli(['--dir', dir, 'refresh', '--exit-code'], { clock });
    expect(second.code).toBe(3); // changed (written), with a failure: the nosuch marker
    const after = fs.readFileSync(path.join(dir, 'deploy', 'kustomization.yaml'), 'utf8');
    expect(after).toBe(before.replace(`digest: ${d1}`, `digest: ${d2}`));
    // Exactly the marked values changed: every other byte of both files is as before.
    expect(fs.readFileSync(path.join(dir, 'chart', 'values.yaml'), 'utf8')).toBe(valuesText.replaceAll(d1, d2));
    expect(second.stdout).toContain(
      `-    digest: ${d1} # {"$imagestreamtag": "app:stable:digest"}\n+    digest: ${d2} #`,
    );
    const json = await runCli(['--dir', dir, '-o', 'json', 'refresh', '--dry-run'], { clock });
    const report = JSON.parse(json.stdout) as { triggers: { markerProblems: string[] } };
    expect(report.triggers.markerProblems).toEqual([
      'other.yaml:1: marker "nosuch:tag": imagestreams.image.openshift.io "nosuch" not found in namespace "default"',
    ]);

    const rendered = execFileSync('kubectl', ['kustomize', path.join(dir, 'deploy')], { encoding: 'utf8' });
    const doc = parse(rendered) as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(doc.spec.template.spec.containers[0].image).toBe(`${reg.host}/team/app@${d2}`);
  }, 120_000);
});

describe('lint: digests pinned in the folder that no stream tag records', () => {
  it("reports one platform's image of a recorded manifest list and a digest no stream records", async () => {
    const dir = tempDir('lint-e2e');
    const pushed = await pushImage(reg, 'team/multi', '1', { multiArch: true, seed: 'lint-a' });
    expect(pushed.digest).toBe(await skopeoRawDigest(reg, 'team/multi:1'));
    const imp = await runCli(
      [
        '--dir',
        dir,
        'import-image',
        'multi:1',
        '--from',
        `${reg.host}/team/multi:1`,
        '--confirm',
        '--insecure',
        '--import-mode',
        'PreserveOriginal',
      ],
      { clock: testClock() },
    );
    expect(imp.code).toBe(0);
    const child = pushed.images[1].manifest.digest;
    const unknown = `sha256:${'e'.repeat(64)}`;
    fs.writeFileSync(
      path.join(dir, 'deploy.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: ok
        image: ${reg.host}/team/multi@${pushed.digest}
      - name: arm
        image: ${reg.host}/team/multi@${child}
`,
    );
    fs.writeFileSync(path.join(dir, 'values.yaml'), `digest: ${unknown} # {"$imagestreamtag": "multi:1:digest"}\n`);
    const r = await runCli(['--dir', dir, 'lint'], { clock: testClock() });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^deploy\\.yaml: deployment/web container "arm" pins ${child}, the linux/\\S+ image of the manifest list ${pushed.digest} that default/multi:1 records`,
      ),
    );
    expect(lines[1]).toBe(
      `values.yaml:1: marker "multi:1:digest" pins ${unknown}, which no image stream tag in the folder records`,
    );
    // Once the marker is set from the stream (a refresh), only the workload is left.
    const refreshed = await runCli(['--dir', dir, 'refresh'], { clock: testClock() });
    expect(refreshed.stderr).toContain(
      `warning: deploy.yaml: deployment/web container "arm" pins ${child}, the linux/`,
    );
    expect(refreshed.stderr).not.toContain(unknown); // the marker was set from the stream in this run
    const after = await runCli(['--dir', dir, 'lint'], { clock: testClock() });
    expect(after.stdout.trim().split('\n')).toHaveLength(1);
  }, 120_000);
});
