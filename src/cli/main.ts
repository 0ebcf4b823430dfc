/**
 * The command-line entry: builds the commander program, runs one command, and returns the exit
 * code. The only place that reads argv and decides the exit code (ARCHITECTURE.md).
 */
import { Command, CommanderError } from 'commander';
import { addGlobalOptions } from './globals.js';
import { processIO, type CliIO } from './io.js';
import { renderError } from './errors.js';
import { commandNameOf, loadCommandModules } from './commands/index.js';
import type { CommandModule } from './command.js';
import { VERSION } from './version.js';

/** Builds the program with the given command modules registered; `io` is where output goes. */
export function buildProgram(io: CliIO, modules: readonly CommandModule[]): Command {
  const program = new Command('isctl');
  program
    .description('Manage OpenShift ImageStreams in a folder of YAML files, the oc way, without a cluster.')
    .version(`isctl ${VERSION}`, '--version', 'Print the version of isctl')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  addGlobalOptions(program);
  program.addHelpText(
    'after',
    `
Examples:
  # Import a tag into a new image stream kept in ./cluster
  isctl --dir ./cluster import-image myapp:1.0 --from quay.io/org/myapp:1.0 --confirm

  # List the image streams and describe one tag's image
  isctl get is
  isctl describe istag myapp:1.0

  # In CI: re-import every tag, apply triggers, exit 1 when files changed
  isctl refresh --exit-code

Use "isctl <command> --help" for more information about a given command.`,
  );
  for (const mod of modules) mod.register(program, io);
  for (const cmd of program.commands) inheritBehaviour(cmd, io);
  return program;
}

function inheritBehaviour(cmd: Command, io: CliIO): void {
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  cmd.showSuggestionAfterError(true);
  for (const sub of cmd.commands) inheritBehaviour(sub, io);
}

/** Runs isctl with `argv` (without node and script) and returns the exit code. */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const program = buildProgram(io, await loadCommandModules(commandNameOf(argv)));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return (program as unknown as { _exitCode?: number })._exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return 0;
      // commander already printed its message; oc prints the hint line after usage errors.
      io.stderr.write(`See '${commandPathOf(program, argv)} -h' for help and examples\n`);
      return 2;
    }
    const { text, exitCode } = renderError(err, commandPathOf(program, argv));
    io.stderr.write(text);
    return exitCode;
  }
}

function commandPathOf(program: Command, argv: string[]): string {
  // The first word naming a command, then a subcommand of it (`isctl set triggers`).
  const path = ['isctl'];
  let cmd: Command = program;
  for (const word of argv) {
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) continue;
    path.push(sub.name());
    cmd = sub;
  }
  return path.join(' ');
}
