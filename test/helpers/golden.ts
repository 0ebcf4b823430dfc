/**
 * Golden files: expected output kept byte for byte under test/golden/. One rule for every test:
 * `UPDATE_GOLDEN=1 npx vitest run FILE` rewrites the files the run compares (review the diff
 * before committing); without it a missing file is an error.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/** test/golden/ */
export const GOLDEN_DIR = path.resolve(import.meta.dirname, '../golden');

/** Asserts `actual` equals test/golden/<file> byte for byte (`file` relative, with its extension). */
export function expectGolden(file: string, actual: string): void {
  const full = path.join(GOLDEN_DIR, file);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, actual);
  }
  if (!existsSync(full)) throw new Error(`golden file ${full} is missing; run with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(readFileSync(full, 'utf8'));
}

/** Hand-written expectations write a TAB as →; this turns them back into TABs. */
export function arrows(s: string): string {
  return s.replace(/→/g, '\t');
}
