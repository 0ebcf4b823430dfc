/**
 * The shape of a command module: `register` adds one commander command (thin wiring: read flags,
 * call one core function, print).
 */
import type { Command } from 'commander';
import type { CliIO } from './io.js';

/** A command module under src/cli/commands/. */
export interface CommandModule {
  register(program: Command, io: CliIO): void;
}

/** Sets the exit code a command ends with, without throwing (output already printed). */
export function setExitCode(cmd: Command, code: number): void {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const r = root as unknown as { _exitCode?: number };
  r._exitCode = Math.max(r._exitCode ?? 0, code);
}
