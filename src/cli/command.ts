/**
 * The shape of a command module: `register` adds one commander command (thin wiring: read flags,
 * build the context, call one core function, print) whose action returns the exit code.
 */
import type { Command } from 'commander';
import type { ExitCode } from './errors.js';
import type { CliIO } from './io.js';

/** What a command module gets when it registers: the IO, and how its action hands back its exit code. */
export interface CommandSetup {
  io: CliIO;
  /**
   * Wraps an action so that the code it returns becomes the exit code of the run (main decides
   * nothing else: a thrown error is rendered by src/cli/errors.ts).
   */
  action<A extends unknown[]>(fn: (...args: A) => Promise<ExitCode> | ExitCode): (...args: A) => Promise<void>;
}

/** A command module under src/cli/commands/. */
export interface CommandModule {
  register(program: Command, setup: CommandSetup): void;
}

/** The words a user types to run `cmd`: `isctl set triggers`. */
export function commandPath(cmd: Command): string {
  const words: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}
