/** Helpers for the UX tests: run the built CLI as a user would, and make temp state folders. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI; ISCTL_TEST_BIN points at another build (e.g. a private one while others rebuild dist/). */
export const BIN = process.env.ISCTL_TEST_BIN ?? path.join(ROOT, 'bin/isctl.js');
export { CORPUS } from '../fixtures/corpus.js';

/** A temp folder removed by the caller. */
export function tempDir(prefix = 'isctl-ux-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A folder with an `isctl` shim on it that runs the built CLI (what a global install provides). */
export function shimBin(): string {
  const dir = tempDir('isctl-bin-');
  const shim = path.join(dir, 'isctl');
  fs.writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  return dir;
}

/** Runs the built CLI with arguments; returns stdout, stderr and the exit code. */
export function runBin(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): { stdout: string; stderr: string; code: number } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/** Runs the CLI in-process with a fake IO capturing stdout and stderr. */
export async function runCli(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string>; tty?: boolean } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false },
    env: { ...options.env },
    cwd: options.cwd ?? ROOT,
    now: () => new Date('2026-11-22T12:00:00Z'),
  };
  const code = await run(argv, io);
  return { stdout, stderr, code };
}

/** Installs shells for the completion tests with apt-get when missing (as test/setup/ensure-tools.sh does for registries). */
export function ensureShells(names: string[]): void {
  const missing = names.filter((n) => spawnSync('sh', ['-c', `command -v ${n}`]).status !== 0);
  if (missing.length === 0) return;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  execFileSync(
    'sh',
    [
      '-c',
      `${sudo.join(' ')} apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive ${sudo.join(' ')} apt-get install -y ${missing.join(' ')} >/dev/null`,
    ],
    { stdio: 'inherit' },
  );
}
