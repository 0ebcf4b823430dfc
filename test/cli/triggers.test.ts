/** `isctl rollout latest` and `isctl set triggers`, run in-process on a temp state folder. */
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/index.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const STATE = `# team web
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
spec:
  tags:
  - name: latest
    from: {kind: DockerImage, name: quay.io/acme/app:latest}
status:
  dockerImageRepository: ""
  tags:
  - tag: latest
    items:
    - created: "2026-11-22T10:00:00Z"
      dockerImageReference: quay.io/acme/app@${D2}
      image: ${D2}
      generation: 2
    - created: "2026-11-01T10:00:00Z"
      dockerImageReference: quay.io/acme/app@${D1}
      image: ${D1}
      generation: 1
---
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: empty
spec: {}
---
apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: quay.io/acme/app@${D1}
      - name: proxy
        image: nginx:1.25
  triggers:
  - type: ConfigChange
  - type: ImageChange
    imageChangeParams:
      automatic: false   # rolled out by hand
      containerNames: [web]
      from: {kind: ImageStreamTag, name: "app:latest"}
      lastTriggeredImage: quay.io/acme/app@${D1}
status:
  latestVersion: 3
---
apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: waiting
spec:
  template:
    spec:
      containers:
      - name: main
        image: " "
  triggers:
  - type: ImageChange
    imageChangeParams:
      automatic: true
      containerNames: [main]
      from: {kind: ImageStreamTag, name: "empty:latest"}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  template:
    spec:
      containers:
      - name: worker
        image: quay.io/acme/app@${D1}
---
apiVersion: build.openshift.io/v1
kind: BuildConfig
metadata:
  name: child
spec:
  strategy:
    type: Docker
    dockerStrategy:
      from: {kind: ImageStreamTag, name: "app:latest"}
  triggers:
  - type: GitHub
    github: {secret: s3cr3t}
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = tempDir('cli-triggers');
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'app.yaml'), STATE);
  return dir;
}

async function isctl(
  dir: string,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string; file: string }> {
  const r = await runCli(argv, { dir, env: { NO_COLOR: '1' } });
  return { ...r, file: fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8') };
}

describe('isctl rollout latest', () => {
  it('resolves the manual trigger and records a manual rollout', async () => {
    const dir = folder();
    const r = await isctl(dir, 'rollout', 'latest', 'dc/web');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `deploymentconfig.apps.openshift.io/web rolled out
deploymentconfig/web: container "web" image updated to quay.io/acme/app@${D2}
deploymentconfig/web: rolled out version 4 (manual change)
--- a/app.yaml
+++ b/app.yaml
@@ -36,7 +36,7 @@
     spec:
       containers:
       - name: web
-        image: quay.io/acme/app@${D1}
+        image: quay.io/acme/app@${D2}
       - name: proxy
         image: nginx:1.25
   triggers:
@@ -46,9 +46,13 @@
       automatic: false   # rolled out by hand
       containerNames: [web]
       from: {kind: ImageStreamTag, name: "app:latest"}
-      lastTriggeredImage: quay.io/acme/app@${D1}
+      lastTriggeredImage: quay.io/acme/app@${D2}
 status:
-  latestVersion: 3
+  latestVersion: 4
+  details:
+    message: manual change
+    causes:
+    - type: Manual
 ---
 apiVersion: apps.openshift.io/v1
 kind: DeploymentConfig
`,
    );
  });

  it('--dry-run prints the same and leaves every byte', async () => {
    const dir = folder();
    const r = await isctl(dir, 'rollout', 'latest', 'web', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deploymentconfig.apps.openshift.io\/web rolled out \(dry run\)\n/);
    expect(r.stdout).toContain('+  latestVersion: 4');
    expect(r.file).toBe(STATE);
  });

  // oc pkg/cli/rollout/latest.go: PrintFlags("rolled out"), the printer made in Complete; Run prints
  // the config Instantiate returned, or on --dry-run=client the one it read; -o revision is the
  // deprecated printer of status.latestVersion.
  it('-o prints the rolled-out config alone (json, yaml, name, jsonpath, revision), and the one read on --dry-run', async () => {
    const json = await isctl(folder(), 'rollout', 'latest', 'dc/web', '-o', 'json');
    expect(json.code).toBe(0);
    const dc = JSON.parse(json.stdout);
    expect(dc).toMatchObject({
      apiVersion: 'apps.openshift.io/v1',
      kind: 'DeploymentConfig',
      metadata: { name: 'web' },
    });
    expect(dc.status).toMatchObject({
      latestVersion: 4,
      details: { message: 'manual change', causes: [{ type: 'Manual' }] },
    });
    expect(dc.spec.template.spec.containers[0].image).toBe(`quay.io/acme/app@${D2}`);
    expect(json.file).toContain('latestVersion: 4');
    const yaml = await isctl(folder(), 'rollout', 'latest', 'dc/web', '-o', 'yaml');
    expect(yaml.stdout).toMatch(/^apiVersion: apps.openshift.io\/v1\n/);
    expect(yaml.stdout).toContain('  latestVersion: 4\n');
    expect(yaml.stdout).not.toContain('---');
    expect((await isctl(folder(), 'rollout', 'latest', 'dc/web', '-o', 'name')).stdout).toBe(
      'deploymentconfig.apps.openshift.io/web\n',
    );
    expect(
      (await isctl(folder(), 'rollout', 'latest', 'dc/web', '-o', 'jsonpath={.status.latestVersion}')).stdout,
    ).toBe('4');
    const revision = await isctl(folder(), 'rollout', 'latest', 'dc/web', '-o', 'revision');
    expect(revision.stdout).toBe('4');
    expect(revision.stderr).toMatch(
      /^--output=revision is deprecated\. Use `--output=jsonpath=\{\.status\.latestVersion\}`/,
    );
    const dry = await isctl(folder(), 'rollout', 'latest', 'dc/web', '--dry-run', '-o', 'json');
    expect(JSON.parse(dry.stdout).status.latestVersion).toBe(3);
    expect(dry.file).toBe(STATE);
  });

  it('an -o no printer knows is refused before anything is written', async () => {
    const r = await isctl(folder(), 'rollout', 'latest', 'dc/web', '-o', 'wide');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: unable to match a printer suitable for the output format "wide", allowed formats are: json, jsonpath, name, yaml\n',
    );
    expect(r.file).toBe(STATE);
  });

  it('refuses a DC whose triggers never resolved, writing nothing', async () => {
    const dir = folder();
    const r = await isctl(dir, 'rollout', 'latest', 'dc/waiting');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: cannot trigger a deployment for "waiting" because it contains unresolved images\n/,
    );
    expect(r.file).toBe(STATE);
  });

  it('names a missing DC as the API does, and rejects other kinds', async () => {
    const dir = folder();
    const missing = await isctl(dir, 'rollout', 'latest', 'dc/nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): deploymentconfigs.apps.openshift.io "nope" not found\n');
    const kind = await isctl(dir, 'rollout', 'latest', 'deployment/worker');
    expect(kind.code).toBe(1);
    expect(kind.stderr).toMatch(/^error: rollout latest works on deployment configs only, not "deployment"/);
  });
});

describe('isctl set triggers', () => {
  it('lists the triggers as oc does', async () => {
    const r = await isctl(folder(), 'set', 'triggers', 'dc/web');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'NAME                   TYPE    VALUE             AUTO\n' +
        'deploymentconfigs/web  config                    true\n' +
        'deploymentconfigs/web  image   app:latest (web)  false\n',
    );
  });

  it('--auto flips the DC trigger; the controller then rolls out the new image', async () => {
    const dir = folder();
    const r = await isctl(dir, 'set', 'triggers', 'dc/web', '--from-image=app:latest', '-c', 'web');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deploymentconfig.apps.openshift.io\/web triggers updated\n/);
    expect(r.file).toContain('      automatic: true   # rolled out by hand\n');
    expect(r.file).toContain(`        image: quay.io/acme/app@${D2}\n`);
    expect(r.file).toContain('  latestVersion: 4\n  details:\n    message: image change\n');
  });

  it('adds the annotation to a Deployment as oc writes it, and sets the image', async () => {
    const dir = folder();
    const r = await isctl(dir, 'set', 'triggers', 'deployment/worker', '--from-image=app:latest', '-c', 'worker');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deployment.apps\/worker triggers updated\n/);
    expect(r.file).toContain(
      `image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"app:latest"},` +
        `"fieldPath":"spec.template.spec.containers[?(@.name==\\"worker\\")].image"}]'`,
    );
    expect(r.file).toContain(`      - name: worker\n        image: quay.io/acme/app@${D2}\n`);
    const list = await isctl(dir, 'set', 'triggers', 'deploy/worker');
    expect(list.stdout).toContain('deployments/worker  image   app:latest (worker)  true');
  });

  it("checks flags and container names with oc's messages, writing nothing", async () => {
    const dir = folder();
    const both = await isctl(dir, 'set', 'triggers', 'dc/web', '--auto', '--manual');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^error: you must specify at most one of --auto or --manual\n/);
    const names = await isctl(dir, 'set', 'triggers', 'dc/web', '--from-image=app:latest', '-c', 'nope');
    expect(names.code).toBe(1);
    expect(names.stderr).toBe(
      'error: DeploymentConfig default/web (app.yaml): not all container names exist: nope (accepts: proxy, web)\n',
    );
    const registry = await isctl(dir, 'set', 'triggers', 'dc/web', '--from-image=quay.io/acme/app:latest', '-c', 'web');
    expect(registry.stderr).toMatch(
      /^error: the value of --from-image must point to an image stream tag on this server\n/,
    );
    expect(registry.file).toBe(STATE);
  });

  it('--remove-all leaves an empty trigger list', async () => {
    const dir = folder();
    const r = await isctl(dir, 'set', 'triggers', 'dc/web', '--remove-all');
    expect(r.code).toBe(0);
    expect(r.file).toContain('  triggers: []\nstatus:\n  latestVersion: 3\n');
  });

  it('BuildConfigs: the strategy image shows as a manual trigger; --auto adds imageChange: {} and the build fires', async () => {
    const dir = folder();
    const list = await isctl(dir, 'set', 'triggers', 'bc/child');
    expect(list.stdout).toBe(
      'NAME                TYPE    VALUE       AUTO\n' +
        'buildconfigs/child  config              false\n' +
        'buildconfigs/child  image   app:latest  false\n',
    );
    const r = await isctl(dir, 'set', 'triggers', 'bc/child', '--from-image=app:latest');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('buildconfig.build.openshift.io/child triggers updated\n');
    expect(r.stdout).toContain(`buildconfig/child: build triggered by quay.io/acme/app@${D2}\n`);
    expect(r.file).toContain(`  triggers:
  - type: GitHub
    github: {secret: s3cr3t}
  - type: ImageChange
    imageChange: {}
status:
  lastVersion: 1
  imageChangeTriggers:
  - lastTriggeredImageID: quay.io/acme/app@${D2}
    from:
      name: app:latest
    lastTriggerTime: "2026-11-22T12:00:00Z"
`);
    const manual = await isctl(dir, 'set', 'triggers', 'bc/child', '--from-image=app:latest', '--manual');
    expect(manual.code).toBe(0);
    expect(manual.file).toContain('  triggers:\n  - type: GitHub\n    github: {secret: s3cr3t}\nstatus:\n');
  });

  it('isctl tag drives the triggers too: a Deployment following app:prod gets the pinned image', async () => {
    const dir = folder();
    const set = await isctl(dir, 'set', 'triggers', 'deployment/worker', '--from-image=app:prod', '-c', 'worker');
    expect(set.code).toBe(0);
    expect(set.file).toContain(`        image: quay.io/acme/app@${D1}\n`); // app:prod has no image yet
    const tag = await isctl(dir, 'tag', 'app:latest', 'app:prod');
    expect(tag.stderr).toBe('');
    expect(tag.code).toBe(0);
    expect(tag.stdout).toContain(`deployment/worker: container "worker" image updated to quay.io/acme/app@${D2}\n`);
    expect(tag.file).toContain(`      - name: worker\n        image: quay.io/acme/app@${D2}\n`);
  });

  it('a DC without triggers gets the API default ConfigChange written out before the new image trigger', async () => {
    const dir = folder();
    fs.writeFileSync(
      path.join(dir, 'bare.yaml'),
      'apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata:\n  name: bare\nspec:\n' +
        '  template:\n    spec:\n      containers:\n      - name: main\n        image: busybox\n',
    );
    const r = await isctl(dir, 'set', 'triggers', 'dc/bare', '--from-image=app:latest', '-c', 'main');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'bare.yaml'), 'utf8')).toBe(`apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: bare
spec:
  template:
    spec:
      containers:
      - name: main
        image: quay.io/acme/app@${D2}
  triggers:
  - type: ConfigChange
  - type: ImageChange
    imageChangeParams:
      automatic: true
      containerNames:
      - main
      from:
        kind: ImageStreamTag
        name: app:latest
      lastTriggeredImage: quay.io/acme/app@${D2}
status:
  latestVersion: 1
  details:
    message: config change
    causes:
    - type: ConfigChange
`);
  });
});
