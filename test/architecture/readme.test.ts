/**
 * README.md says what really happens on a fresh machine: its quick start's test command is what
 * .ci/run runs, it names every package test/setup/ensure-tools.sh installs, and no install line
 * (README, examples/ci) asks a package registry for isctl, which is not published there; the
 * tarball they name is the one `npm pack` writes for this version.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const readme = read('README.md');
const pkg = JSON.parse(read('package.json')) as { name: string; version: string };
const section = (title: string) => {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
};
const shBlocks = (text: string) => [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());

describe('README quick start', () => {
  it('is two commands: the offline import-image on the bundled OCI layout, then the whole test suite', () => {
    const blocks = shBlocks(section('Quick start'));
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/^npm ci && npx isctl --dir examples\/state import-image hello:1\.0$/);
    expect(blocks[1]).toBe('npm ci && npm test');
  });

  it('.ci/run runs exactly its test command', () => {
    const command = shBlocks(section('Quick start'))[1]!;
    const run = read('.ci/run')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#') && !/^(set|cd) /.test(l));
    expect(run).toEqual([command]);
  });

  it('names every package test/setup/ensure-tools.sh installs', () => {
    const installed = [...read('test/setup/ensure-tools.sh').matchAll(/need\+=\(([^)]+)\)/g)].flatMap((m) =>
      m[1]!.trim().split(/\s+/),
    );
    expect(installed.length).toBeGreaterThan(5);
    const quickStart = section('Quick start');
    expect(installed.filter((p) => !quickStart.includes(`\`${p}\``))).toEqual([]);
  });
});

describe('installing isctl', () => {
  const tarball = `${pkg.name}-${pkg.version}.tgz`;
  const sources = ['README.md', 'examples/ci/github-actions.yml', 'examples/ci/gitlab-ci.yml', 'examples/ci/README.md'];

  it('no install line asks a package registry for isctl (it is not published)', () => {
    for (const f of sources) expect(read(f), f).not.toMatch(/^[\s-]*(run: )?npm (install|i) (-g|--global) isctl\b/m);
  });

  it(`the tarballs named are the one npm pack writes (${tarball})`, () => {
    for (const f of sources) for (const m of read(f).matchAll(/isctl-\d[\w.-]*\.tgz/g)) expect(m[0], f).toBe(tarball);
    expect(section('Install')).toContain(`npm install -g ./${tarball}`);
    for (const f of ['examples/ci/github-actions.yml', 'examples/ci/gitlab-ci.yml'])
      expect(read(f), f).toContain(`npm install -g ./tools/${tarball}`);
  });
});
