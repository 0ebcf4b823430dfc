/** `isctl --version` through bin/isctl.js, the fast path that answers before loading the CLI. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('isctl --version', () => {
  it('matches package.json through bin/isctl.js', () => {
    expect(execFileSync(process.execPath, [path.join(ROOT, 'bin/isctl.js'), '--version'], { encoding: 'utf8' })).toBe(
      `isctl ${pkg.version}\n`,
    );
  });
});
