/**
 * Compiles the state store (and what it imports) to JavaScript for tests that spawn real OS
 * processes, into node_modules/.cache so that `yaml` resolves; independent of the shared dist/.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Compiles src/state/store.ts; returns the path of the compiled store module. */
export function compileStore(): string {
  const out = path.join(
    ROOT,
    'node_modules',
    '.cache',
    `isctl-state-test-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  mkdirSync(out, { recursive: true });
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--outDir',
      out,
      '--rootDir',
      path.join(ROOT, 'src'),
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--target',
      'ES2022',
      '--skipLibCheck',
      '--types',
      'node',
      '--strict',
      '--verbatimModuleSyntax',
      path.join(ROOT, 'src', 'state', 'store.ts'),
    ],
    { stdio: 'pipe' },
  );
  return path.join(out, 'state', 'store.js');
}
