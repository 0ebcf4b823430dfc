/** `isctl --version` prints the package version in-process (the bin/isctl.js fast path: version.int.test.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('isctl --version', () => {
  it('matches package.json in-process', async () => {
    const r = await runCli(['--version']);
    expect(r).toEqual({ code: 0, stdout: `isctl ${pkg.version}\n`, stderr: '' });
  });
  // cobra legacyArgs reports an unknown command on its own line; kubectl checkErr exits 1 (helpers.go).
  it('an unknown command is an error with exit code 1 and no hint line', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: unknown command 'frobnicate'\n");
  });
  it('global options are accepted after the command as well as before', async () => {
    const dir = tempDir();
    const before = await runCli(['--dir', dir, '-n', 'ci', 'create', 'imagestream', 'a']);
    const after = await runCli(['create', 'imagestream', 'b', '--dir', dir, '-n', 'ci']);
    expect([before.code, after.code]).toEqual([0, 0]);
    expect(fs.readdirSync(path.join(dir, 'imagestreams', 'ci')).sort()).toEqual(['a.yaml', 'b.yaml']);
  });
});
