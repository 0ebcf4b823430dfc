/**
 * Markers through the CLI, in-process: `tag` from an ImageStreamTag moves `app:stable`, the marked
 * values of a Helm values file follow in the same run (and in its diff), `graph` draws the marker
 * as a target with its file:line, and `-n` decides the namespace of markers that name none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, testClock } from '../helpers/index.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const stream = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
  namespace: default
spec:
  tags:
  - name: "1.0"
    from: {kind: DockerImage, name: "quay.io/team/app:1.0"}
status:
  dockerImageRepository: ""
  tags:
  - tag: "1.0"
    items:
    - created: "2026-11-01T00:00:00Z"
      dockerImageReference: quay.io/team/app@${D1}
      image: ${D1}
      generation: 2
`;
const values = `image:
  repository: quay.io/other # {"$imagestreamtag": "app:stable:name"}
  digest: "" # {"$imagestreamtag": "app:stable:digest"}
  full: x # {"$imagestreamtag": "app:stable"}
  bad: y # {"$imagestreamtag": "app:stable:size"}
`;

describe('markers from the command line', () => {
  it('tag moves the tag and the marked values in one run; bad markers are errors with file:line', async () => {
    const dir = tempDir('markers-cli');
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream);
    fs.writeFileSync(path.join(dir, 'values.yaml'), values);
    const r = await runCli(['--dir', dir, 'tag', 'app:1.0', 'app:stable'], { clock: testClock() });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')).toBe(`image:
  repository: quay.io/team/app # {"$imagestreamtag": "app:stable:name"}
  digest: "${D1}" # {"$imagestreamtag": "app:stable:digest"}
  full: quay.io/team/app@${D1} # {"$imagestreamtag": "app:stable"}
  bad: y # {"$imagestreamtag": "app:stable:size"}
`);
    expect(r.stdout).toContain(`values.yaml:2: "app:stable:name" updated to quay.io/team/app\n`);
    expect(r.stdout).toContain(`+  digest: "${D1}" # {"$imagestreamtag": "app:stable:digest"}\n`);
    expect(r.stderr).toContain('error: values.yaml:5: marker "app:stable:size": unknown field "size"');
    const again = await runCli(['--dir', dir, 'tag', 'app:1.0', 'app:stable'], { clock: testClock() });
    expect(again.stdout).not.toContain('updated to');
  });

  it('graph draws each marker as a target named by its file and line', async () => {
    const dir = tempDir('markers-graph');
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream);
    fs.writeFileSync(path.join(dir, 'values.yaml'), values);
    const r = await runCli(['--dir', dir, '-o', 'json', 'graph'], { clock: testClock() });
    const g = JSON.parse(r.stdout) as {
      nodes: { id: string; label: string }[];
      edges: { from: string; to: string; label: string }[];
    };
    expect(g.nodes.filter((n) => n.id.startsWith('marker:')).map((n) => n.label)).toEqual([
      'values.yaml:2',
      'values.yaml:3',
      'values.yaml:4',
    ]);
    expect(g.edges.find((e) => e.to === 'marker:values.yaml:3')).toMatchObject({
      from: 'tag:default/app:stable',
      label: 'marker digest',
    });
    const mmd = await runCli(['--dir', dir, 'graph'], { clock: testClock() });
    expect(mmd.stdout).toMatch(/>"values\.yaml:3"\]/);
  });

  it('rollout latest brings the markers level in the same transaction', async () => {
    const dir = tempDir('markers-rollout');
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream);
    const ref = `quay.io/team/app@${D1}`;
    fs.writeFileSync(
      path.join(dir, 'dc.yaml'),
      `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        image: ${ref}
  triggers:
  - type: ImageChange
    imageChangeParams:
      automatic: true
      containerNames: [web]
      from: {kind: ImageStreamTag, name: "app:1.0"}
      lastTriggeredImage: ${ref}
`,
    );
    fs.writeFileSync(path.join(dir, 'values.yaml'), 'digest: old # {"$imagestreamtag": "app:1.0:digest"}\n');
    const r = await runCli(['--dir', dir, 'rollout', 'latest', 'dc/web'], { clock: testClock() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`values.yaml:1: "app:1.0:digest" updated to ${D1}`);
    expect(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')).toBe(
      `digest: ${D1} # {"$imagestreamtag": "app:1.0:digest"}\n`,
    );
  });
});
