/**
 * `refresh --exit-code`: codes after kubectl diff (k8s.io/kubectl pkg/cmd/diff/diff.go: 0 no
 * differences, 1 differences, >1 kubectl or diff failed; util/helpers.go CheckDiffErr), with one
 * more code so that nothing written is lost: 3 = files changed (and written) and something failed.
 * The summary counts tags and the workloads the triggers changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, runCli, tempDir, testClock } from '../helpers/index.js';

const stream = (tags: { name: string; from: string }[]) => `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: hello
spec:
  tags:
${tags.map((t) => `  - name: "${t.name}"\n    from:\n      kind: DockerImage\n      name: ${t.from}\n`).join('')}`;

const DC = `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: " "
  triggers:
  - type: ImageChange
    imageChangeParams:
      automatic: true
      containerNames: [web]
      from:
        kind: ImageStreamTag
        name: hello:1.0
`;

const GOOD = { name: '1.0', from: `oci:${EXAMPLE_LAYOUT}:1.0` };
const BROKEN = { name: 'gone', from: '127.0.0.1:1/team/gone:1' };

function folder(files: Record<string, string>): string {
  const dir = tempDir('oc-refresh');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
const clock = testClock('2026-11-22T12:00:00Z');
const refresh = (dir: string, ...args: string[]) => runCli(['refresh', ...args], { dir, clock });

describe('refresh --exit-code', () => {
  it('0 nothing changed, 1 changed (written), 2 failed with nothing written, 3 changed and written with failures', async () => {
    const ok = folder({ 'hello.yaml': stream([GOOD]) });
    expect((await refresh(ok, '--exit-code')).code).toBe(1);
    expect((await refresh(ok, '--exit-code')).code).toBe(0);

    const mixed = folder({ 'hello.yaml': stream([GOOD, BROKEN]) });
    const first = await refresh(mixed, '--exit-code');
    // The new digest of 1.0 is written even though `gone` failed: a CI job must commit it.
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(/^error: tag default\/hello:gone failed: /);
    expect(fs.readFileSync(path.join(mixed, 'hello.yaml'), 'utf8')).toMatch(
      /- tag: "1\.0"\n {4}items:\n {4}- created:/,
    );
    const before = fs.readFileSync(path.join(mixed, 'hello.yaml'), 'utf8');
    const second = await refresh(mixed, '--exit-code');
    expect(second.code).toBe(2);
    expect(fs.readFileSync(path.join(mixed, 'hello.yaml'), 'utf8')).toBe(before);
  });

  it('without --exit-code any failure exits 1, changes or not', async () => {
    const mixed = folder({ 'hello.yaml': stream([GOOD, BROKEN]) });
    expect((await refresh(mixed)).code).toBe(1);
    expect((await refresh(mixed)).code).toBe(1);
  });

  it('an error that stops the run is >1 (kubectl CheckDiffErr): 2', async () => {
    const ok = folder({ 'hello.yaml': stream([GOOD]) });
    const r = await refresh(ok, '--exit-code', 'nosuch');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('Error from server (NotFound): imagestreams.image.openshift.io "nosuch" not found\n');
  });
});

describe('the refresh summary', () => {
  it('says "1 tag checked" for one tag', async () => {
    const ok = folder({ 'hello.yaml': stream([GOOD]) });
    await refresh(ok);
    expect((await refresh(ok)).stdout).toBe('1 tag checked, 0 changed, 0 failed\n');
  });

  it('counts the workloads a trigger changed when no tag did, and that is a change for --exit-code', async () => {
    const dir = folder({ 'hello.yaml': stream([GOOD]) });
    expect((await refresh(dir)).code).toBe(0);
    // A DeploymentConfig added after the tag was imported catches up on the next refresh.
    fs.writeFileSync(path.join(dir, 'web.yaml'), DC);
    const r = await refresh(dir, '--exit-code');
    expect(r.stdout.split('\n')).toContain('1 tag checked, 0 changed, 0 failed, 1 workload updated by triggers');
    expect(r.code).toBe(1);
  });
});
