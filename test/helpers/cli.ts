/** Runs the isctl CLI in-process, as a user would type it, with a captured IO and a settable clock. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

/** What a command printed and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clock tests can move forward. */
export interface TestClock {
  now: () => Date;
  set(iso: string): void;
  advance(ms: number): void;
}

/** A clock starting at `iso`. */
export function testClock(iso = '2026-11-22T12:00:00Z'): TestClock {
  let t = new Date(iso).getTime();
  return { now: () => new Date(t), set: (s) => (t = new Date(s).getTime()), advance: (ms) => (t += ms) };
}

/** Runs `isctl ARGV` in-process. */
export async function isctl(
  argv: string[],
  o: { cwd?: string; env?: Record<string, string | undefined>; clock?: TestClock; stdin?: NodeJS.ReadableStream } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { HOME: o.env?.HOME ?? os.tmpdir(), PATH: process.env.PATH, ...o.env },
    cwd: o.cwd ?? process.cwd(),
    now: o.clock?.now ?? (() => new Date('2026-11-22T12:00:00Z')),
    ...(o.stdin ? { stdin: o.stdin } : {}),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** A new empty temp folder. */
export function tempFolder(prefix = 'isctl-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Reads a file of a state folder. */
export function readState(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8');
}
