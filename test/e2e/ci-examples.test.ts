/**
 * The CI examples the README points at (examples/ci): valid YAML of the shape GitHub Actions and
 * GitLab CI expect, running `isctl refresh --exit-code`, opening a pull/merge request only when
 * something changed, with shell blocks that pass `bash -n` and never print the credentials.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, shimBin, tempDir } from '../helpers/index.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** The file `npm pack` writes for this version (asked of npm itself). */
function packFileName(): string {
  const r = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { filename: string }[])[0]!.filename;
}

const load = (name: string) =>
  parse(fs.readFileSync(path.join(ROOT, 'examples/ci', name), 'utf8')) as Record<string, any>;

function bashSyntax(script: string): string {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return r.status === 0 ? '' : r.stderr;
}

function noSecretLeak(script: string): void {
  expect(script).not.toMatch(
    /(echo|cat|printf '%s\\n')[^\n]*\$\{?(REGISTRY_AUTH_JSON|ISCTL_GITLAB_TOKEN|GH_TOKEN)\b[^\n]*$/m,
  );
  expect(script).not.toMatch(/set -x/);
}

describe('examples/ci/github-actions.yml', () => {
  const wf = load('github-actions.yml');
  const steps = wf.jobs.refresh.steps as {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    id?: string;
    with?: Record<string, string>;
  }[];

  it('is a scheduled workflow that may push and open pull requests', () => {
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(wf.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    expect(steps[0].uses).toMatch(/^actions\/checkout@/);
  });

  it('runs isctl refresh --exit-code: 1 and 3 open the pull request, 2 and 3 fail the job after it', () => {
    const refresh = steps.find((s) => s.id === 'refresh')!;
    expect(refresh.run).toMatch(/isctl refresh\b[^\n]*--exit-code/);
    expect(refresh.run).toContain('case "$code" in 1|3) changed=true ;; *) changed=false ;; esac');
    expect(refresh.run).toContain('case "$code" in 2|3) failed=true ;; *) failed=false ;; esac');
    expect(refresh.run).toContain('>> "$GITHUB_OUTPUT"');
    const pr = steps.findIndex((s) => s.uses?.startsWith('peter-evans/create-pull-request@'));
    const fail = steps.findIndex((s) => s.if === "steps.refresh.outputs.failed == 'true'");
    expect(fail).toBeGreaterThan(pr);
    expect(steps[fail]!.run).toMatch(/exit 1\s*$/);
  });

  it('installs isctl from the tarball npm pack writes (isctl is not published to a registry)', () => {
    const install = steps.find((s) => s.name === 'Install isctl')!;
    expect(packFileName()).toBe(`${pkg.name}-${pkg.version}.tgz`);
    expect(install.run).toBe(`npm install -g ./tools/${packFileName()}`);
  });

  it('opens the pull request only when something changed', () => {
    const pr = steps.find((s) => s.uses?.startsWith('peter-evans/create-pull-request@'))!;
    expect(pr.if).toBe("steps.refresh.outputs.changed == 'true'");
    expect(pr.with?.branch).toBe('isctl/refresh');
  });

  it('refresh step: runs against a copy of examples/state and reports changed=true, then false', () => {
    const refresh = steps.find((s) => s.id === 'refresh')!;
    const work = tempDir();
    const bin = shimBin();
    try {
      fs.cpSync(path.join(ROOT, 'examples/state'), path.join(work, 'examples/state'), { recursive: true });
      fs.cpSync(path.join(ROOT, 'examples/hello-oci'), path.join(work, 'examples/hello-oci'), { recursive: true });
      const output = path.join(work, 'github-output');
      const runStep = () =>
        spawnSync('bash', ['-e', '-c', refresh.run!], {
          cwd: work,
          encoding: 'utf8',
          env: {
            PATH: `${bin}:${process.env.PATH}`,
            HOME: work,
            RUNNER_TEMP: work,
            GITHUB_OUTPUT: output,
            ISCTL_DIR: 'examples/state',
            NO_COLOR: '1',
            REGISTRY_AUTH_JSON: '',
          },
        });
      const first = runStep();
      expect(first.status, first.stderr).toBe(0);
      expect(fs.readFileSync(output, 'utf8')).toBe('changed=true\nfailed=false\n');
      const body = fs.readFileSync(path.join(work, 'pr-body.md'), 'utf8');
      expect(body).toContain('```mermaid\nflowchart LR');
      expect(body).toContain('hello:1.0');
      fs.rmSync(output);
      const second = runStep();
      expect(second.status, second.stderr).toBe(0);
      expect(fs.readFileSync(output, 'utf8')).toBe('changed=false\nfailed=false\n');
      // A tag whose registry is gone, next to one that changes: the change is proposed and the
      // failure reported (refresh --exit-code 3), nothing lost.
      fs.rmSync(output);
      fs.writeFileSync(
        path.join(work, 'examples/state/gone.yaml'),
        'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: gone\n' +
          'spec:\n  tags:\n  - name: "1"\n    from:\n      kind: DockerImage\n      name: 127.0.0.1:1/team/gone:1\n',
      );
      const third = runStep();
      expect(third.status, third.stderr).toBe(0);
      expect(fs.readFileSync(output, 'utf8')).toBe('changed=true\nfailed=true\n');
      fs.rmSync(output);
      const fourth = runStep();
      expect(fourth.status, fourth.stderr).toBe(0);
      expect(fs.readFileSync(output, 'utf8')).toBe('changed=false\nfailed=true\n');
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('has shell steps that parse and do not print credentials', () => {
    for (const s of steps.filter((x) => x.run)) {
      expect(bashSyntax(s.run!), s.name).toBe('');
      noSecretLeak(s.run!);
    }
  });
});

describe('examples/ci/gitlab-ci.yml', () => {
  const ci = load('gitlab-ci.yml');
  const job = ci['isctl-refresh'] as {
    image: string;
    rules: { if: string }[];
    script: string[];
    variables: Record<string, string>;
  };

  it('is a scheduled job', () => {
    expect(job.image).toMatch(/^node:2\d/);
    expect(job.rules.map((r) => r.if)).toContain('$CI_PIPELINE_SOURCE == "schedule"');
  });

  it('runs isctl refresh --exit-code, pushes a branch and opens a merge request through the API', () => {
    const script = job.script.join('\n');
    expect(script).toMatch(/isctl refresh\b[^\n]*--exit-code/);
    expect(script).toContain('if [ "$code" -eq 0 ]; then echo "isctl: nothing changed"; exit 0; fi');
    // 2 fails at once; 3 pushes and opens the merge request first, then fails (refresh --exit-code).
    expect(script).toContain('if [ "$code" -eq 2 ] || [ "$code" -gt 3 ]; then');
    expect(job.script.at(-1)).toContain('if [ "$code" -eq 3 ]; then');
    expect(script).toContain('git push --force');
    expect(script).toContain('--request POST');
    expect(script).toContain('$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests');
  });

  it('installs isctl from the tarball npm pack writes', () => {
    expect(job.script).toContain(`npm install -g ./tools/${packFileName()}`);
  });

  it('has a script that parses and does not print credentials', () => {
    const script = job.script.join('\n');
    expect(bashSyntax(script)).toBe('');
    noSecretLeak(script);
  });
});
