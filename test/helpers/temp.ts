/** Temporary folders of a test process, removed when it exits (a test may remove one sooner). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.once('exit', () => removeTempDirs());

/** Removes every folder made so far (test/setup/temp-cleanup.ts calls it after each test file). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A new empty folder `isctl-NAME-XXXXXX` under the system temp folder. */
export function tempDir(name = 'test'): string {
  const dir = mkdtempSync(join(tmpdir(), `isctl-${name}-`));
  made.push(dir);
  return dir;
}
