/** Temporary folders of a test process, removed when it exits (a test may remove one sooner). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.once('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A new empty folder `isctl-NAME-XXXXXX` under the system temp folder. */
export function tempDir(name = 'test'): string {
  const dir = mkdtempSync(join(tmpdir(), `isctl-${name}-`));
  made.push(dir);
  return dir;
}
