/**
 * Packaging as a user meets it: `npm pack` → `npm install -g --prefix TMP` → the installed `isctl`
 * runs on its bundle alone (no node_modules: every package it uses is inside dist/isctl.cjs), and
 * imports the bundled OCI layout into the bundled example stream offline (README quick start).
 * Also checks the tarball carries only what it needs. Needs dist/ built (`npm test` builds it first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/index.js';

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let work: string;
let packed: PackResult;
let prefix: string;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
};

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

beforeAll(() => {
  work = tempDir('pack');
  // --ignore-scripts: dist/ is already built; `prepare` would build it again.
  packed = (
    JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT)) as PackResult[]
  )[0];
  prefix = path.join(work, 'prefix');
  npm(['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', path.join(work, packed.filename)], work);
}, 180_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('npm package', () => {
  it('contains only the CLI, its compiled code, the examples and the README', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('bin/isctl.js');
    expect(paths).toContain('dist/isctl.cjs');
    expect(paths).toContain('README.md');
    expect(paths).toContain('examples/state/hello.yaml');
    expect(paths.some((p) => p.startsWith('examples/hello-oci/blobs/'))).toBe(true);
    const unexpected = paths.filter((p) => !/^(bin\/|dist\/|examples\/|README\.md$|package\.json$|LICENSE$)/.test(p));
    expect(unexpected).toEqual([]);
    for (const dir of ['src/', 'test/', 'bench/', '.ci/', 'node_modules/'])
      expect(paths.filter((p) => p.startsWith(dir))).toEqual([]);
    expect(paths.filter((p) => /\.test\.|\.ts$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
  });

  it('leaves out the image cache a run of the quick start writes (examples/state/.isctl/)', () => {
    // A copy of what `files` selects, after `isctl --dir examples/state import-image hello:1.0` ran in it.
    const copy = path.join(work, 'after-quick-start');
    for (const f of ['package.json', 'README.md', 'LICENSE', 'bin', 'examples'])
      fs.cpSync(path.join(ROOT, f), path.join(copy, f), { recursive: true });
    const blob = path.join(copy, 'examples/state/.isctl/blobs/sha256', 'a'.repeat(64));
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.writeFileSync(blob, '{}');
    const dry = JSON.parse(npm(['pack', '--dry-run', '--ignore-scripts', '--json'], copy)) as PackResult[];
    const paths = dry[0]!.files.map((f) => f.path);
    expect(paths).toContain('examples/state/hello.yaml');
    expect(paths.filter((p) => p.includes('.isctl'))).toEqual([]);
  });

  it('ships exactly what `npm run build` writes into dist/ (no stale file of an older build)', () => {
    const dist = packed.files
      .map((f) => f.path)
      .filter((p) => p.startsWith('dist/'))
      .sort();
    expect(dist).toEqual([
      'dist/THIRD-PARTY-NOTICES.md',
      'dist/isctl.cjs',
      'dist/isctl.cjs.map',
      'dist/launch.js',
      'dist/openpgp.cjs',
    ]);
  });

  it('installs globally without any package and runs isctl from its bundle alone', () => {
    // Every runtime package is bundled (scripts/build.mjs): an install fetches nothing, so it also works offline.
    expect(pkg.dependencies ?? {}).toEqual({});
    const installed = path.join(prefix, 'lib/node_modules/isctl');
    expect(fs.existsSync(path.join(installed, 'node_modules'))).toBe(false);
    const r = spawnSync(path.join(prefix, 'bin/isctl'), ['--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`isctl ${pkg.version}\n`);
    // A command that loads the bundle (commander, yaml, chalk inside it), not only the --version fast path.
    const help = spawnSync(path.join(prefix, 'bin/isctl'), ['get', '--help'], { encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: isctl get');
  });

  it('runs through npx from the tarball (what `npx isctl` does after publishing)', () => {
    const out = npm(
      [
        'exec',
        '--yes',
        '--cache',
        path.join(work, 'npx-cache'),
        `--package=${path.join(work, packed.filename)}`,
        '--',
        'isctl',
        '--version',
      ],
      work,
    );
    expect(out).toBe(`isctl ${pkg.version}\n`);
  }, 120_000);

  it('imports the bundled OCI layout into the bundled example stream, offline', () => {
    const examples = path.join(work, 'examples');
    fs.cpSync(path.join(prefix, 'lib/node_modules/isctl/examples'), examples, { recursive: true });
    // No proxy and no registry: the example must not need the network.
    const env = { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1' };
    const r = spawnSync(
      path.join(prefix, 'bin/isctl'),
      ['--dir', path.join(examples, 'state'), 'import-image', 'hello:1.0'],
      { encoding: 'utf8', env },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('imagestream.image.openshift.io/hello imported');
    expect(fs.readFileSync(path.join(examples, 'state/hello.yaml'), 'utf8')).toMatch(/image: sha256:[0-9a-f]{64}/);
    const d = spawnSync(
      path.join(prefix, 'bin/isctl'),
      ['--dir', path.join(examples, 'state'), 'describe', 'istag', 'hello:1.0'],
      { encoding: 'utf8', env },
    );
    expect(d.status).toBe(0);
    expect(d.stdout).toContain('Image Name:');
  });
});
