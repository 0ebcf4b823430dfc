/**
 * No line of code over 160 characters (the formatter wraps at 120 but leaves string literals
 * alone): split a long literal into a concatenation. Data files are exempt (test/fixtures,
 * test/golden, examples/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FOLDERS = ['src', 'test', 'bench', 'scripts', 'bin', '.ci'];
const EXEMPT = ['test/fixtures/', 'test/golden/'];
const CODE = /\.(ts|mts|js|mjs|cjs|sh)$|^run$/;
const LIMIT = 160;

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.name === 'node_modules' || EXEMPT.some((x) => `${rel}/`.startsWith(x))) return [];
    return e.isDirectory() ? files(rel) : CODE.test(e.name) ? [rel] : [];
  });
}

describe('line length', () => {
  it(`no line of code is longer than ${LIMIT} characters`, () => {
    const long = FOLDERS.flatMap(files).flatMap((f) =>
      readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (line.length > LIMIT ? [`${f}:${i + 1} (${line.length})`] : [])),
    );
    expect(long).toEqual([]);
  });
});
