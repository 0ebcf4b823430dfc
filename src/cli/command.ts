/**
 * The shape of a command module: `register` adds one commander command (thin wiring: read flags,
 * build the context, call one core function, print) whose action returns the exit code. Flags
 * are typed by @commander-js/extra-typings from the option declarations themselves.
 */
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { ExitCode } from './errors.js';
import type { Program, SubCommand } from './globals.js';
import type { CliIO } from './io.js';

/** What a command module gets when it registers. */
export interface CommandSetup {
  io: CliIO;
  /**
   * Wraps an action so that the code it returns becomes the exit code of the run (main decides
   * nothing else: a thrown error is rendered by src/cli/errors.ts).
   */
  action<A extends unknown[]>(fn: (...args: A) => Promise<ExitCode> | ExitCode): (...args: A) => Promise<void>;
  /** The group command `name` (`set`, `create`, `rollout`), created by the first module that asks. */
  group(name: string, description: string): SubCommand;
}

/** A command module under src/cli/commands/. */
export interface CommandModule {
  register(program: Program, setup: CommandSetup): void;
}

/** The words a user types to run `cmd`: `isctl set triggers`. */
export function commandPath(cmd: CommandUnknownOpts): string {
  const words: string[] = [];
  for (let c: CommandUnknownOpts | null = cmd; c; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}
