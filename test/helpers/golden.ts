/** Byte-exact golden-file comparison; `UPDATE_GOLDEN=1` rewrites the files (review the diff!). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

const dir = path.resolve(import.meta.dirname, '../golden');

/** Asserts `actual` equals test/golden/<name>.txt byte for byte. */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(dir, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** Shows TABs as → (the notation of oc-cli.md §4.5) for hand-written expectations. */
export function arrows(s: string): string {
  return s.replace(/→/g, '\t');
}
