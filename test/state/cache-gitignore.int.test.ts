/**
 * isctl's caches live in `.isctl/cache`, a folder whose `.gitignore` ignores everything in it, so
 * that `git status` in a state folder that is a Git clone shows the user's files only. A full disk
 * (ENOSPC, injected into node:fs) while that `.gitignore` is first written must not leave it
 * empty: an empty one would be kept for good and every cache file would show up in `git status`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fullDisk } from '../helpers/faults.js';
import { runCli, tempDir } from '../helpers/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a full disk while the cache folder is first made', () => {
  it("no cache file shows up in git status: the folder's .gitignore is whole or missing, and the next run makes it", async () => {
    const dir = tempDir('cache-gitignore');
    execFileSync('git', ['init', '--quiet', dir]);
    const stream = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app\nspec: {}\n';
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream);
    // Older than the index's mtime tick: the file is recorded in the index on the first run.
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(dir, 'app.yaml'), old, old);
    const status = () =>
      execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' });

    // Every new .gitignore (or temporary file for one, `..gitignore.isctl-tmp-…`) is created, and nothing of it written.
    const fault = fullDisk((file) => /^\.+gitignore/.test(path.basename(file)), 'none');
    const first = await runCli(['get', 'is', '-A'], { dir });
    vi.restoreAllMocks();
    expect(fault.failed()).toMatch(/gitignore/);
    // The cache is only a speed-up: the command answers all the same.
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('app');
    expect(status()).toBe('?? app.yaml\n');

    const second = await runCli(['get', 'is', '-A'], { dir });
    expect(second.code, second.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, '.isctl', 'cache', '.gitignore'), 'utf8')).toBe('*\n');
    expect(fs.readdirSync(path.join(dir, '.isctl', 'cache')).length).toBeGreaterThan(1);
    expect(status()).toBe('?? app.yaml\n');
  });
});
