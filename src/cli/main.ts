/**
 * The command-line entry: builds the commander program, runs one command, and returns its exit
 * code. The only module that touches the process itself (its streams, environment, signals and
 * exit); bin/isctl.js sets process.exitCode from what `run` returns.
 */
import { Command, CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { addGlobalOptions, type Program, type SubCommand } from './globals.js';
import type { CliIO, SignalSource } from './io.js';
import { stateErrorCount } from './state-report.js';
import { renderError, type ExitCode } from './errors.js';
import { commandNameOf, loadCommandModules } from './commands/index.js';
import type { CommandModule, CommandSetup } from './command.js';
import { VERSION } from './version.js';

/** The IO of the real process. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    signals: processSignals,
  };
}

/** SIGTERM/SIGINT of this process: the first resolves `received`, a second exits 1 at once. */
const processSignals: SignalSource = {
  listen(onForced) {
    let count = 0;
    let resolveSignal!: (s: NodeJS.Signals) => void;
    const received = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
    const onSignal = (signal: NodeJS.Signals) => {
      count++;
      if (count > 1) {
        onForced(signal);
        process.exit(1);
      }
      resolveSignal(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    return {
      received,
      release: () => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      },
    };
  },
};

/** Builds the program with the given command modules registered; `io` is where output goes. */
export function buildProgram(io: CliIO, modules: readonly CommandModule[], action?: CommandSetup['action']): Program {
  const program = addGlobalOptions(
    new Command('isctl')
      .description('Manage OpenShift ImageStreams in a folder of YAML files, the oc way, without a cluster.')
      .version(`isctl ${VERSION}`, '--version', 'Print the version of isctl')
      .showSuggestionAfterError(true)
      .exitOverride(),
  );
  configureOutput(program, io);
  program.addHelpText(
    'after',
    `
Examples:
  # Import a tag into a new image stream kept in ./cluster
  isctl --dir ./cluster import-image myapp:1.0 --from quay.io/org/myapp:1.0 --confirm

  # List the image streams and describe one tag's image
  isctl get is
  isctl describe istag myapp:1.0

  # In CI: re-import every tag, apply triggers; exit 1 when files changed, 3 when changed with failures
  isctl refresh --exit-code

Use "isctl <command> --help" for more information about a given command.`,
  );
  const groups = new Map<string, SubCommand>();
  const setup: CommandSetup = {
    io,
    action:
      action ??
      ((fn) =>
        async (...args) =>
          void (await fn(...args))),
    group(name, description) {
      let g = groups.get(name);
      if (!g) groups.set(name, (g = program.command(name).description(description)));
      return g;
    },
  };
  for (const mod of modules) mod.register(program, setup);
  for (const cmd of program.commands) inheritBehaviour(cmd, io);
  return program;
}

/** Help goes to the streams of `io`; errors are printed by `run` (src/cli/errors.ts), not by commander. */
function configureOutput(cmd: CommandUnknownOpts, io: CliIO): void {
  cmd.configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: () => {},
  });
}

function inheritBehaviour(cmd: CommandUnknownOpts, io: CliIO): void {
  cmd.exitOverride();
  configureOutput(cmd, io);
  cmd.showSuggestionAfterError(true);
  for (const sub of cmd.commands) inheritBehaviour(sub, io);
}

/** Runs isctl with `argv` (without node and script) and returns the exit code. */
export async function run(argv: string[], io: CliIO = processIO()): Promise<ExitCode> {
  let exitCode: ExitCode = 0;
  const action: CommandSetup['action'] =
    (fn) =>
    async (...args) => {
      // A file of the folder that could not be read fails the run, after the command did what it could.
      exitCode = Math.max(await fn(...args), stateErrorCount(io) > 0 ? 1 : 0);
    };
  const program = buildProgram(io, await loadCommandModules(commandNameOf(argv)), action);
  try {
    await program.parseAsync(boolFlagValues(program, argv), { from: 'user' });
    return exitCode;
  } catch (err) {
    const rendered = renderError(err, commandPathOf(program, argv));
    io.stderr.write(rendered.text);
    return rendered.exitCode;
  }
}

/** Go's strconv.ParseBool, which pflag uses for `--flag=value` of a boolean flag. */
const GO_BOOLS: Record<string, boolean> = {
  ...Object.fromEntries(['1', 't', 'T', 'TRUE', 'true', 'True'].map((v) => [v, true])),
  ...Object.fromEntries(['0', 'f', 'F', 'FALSE', 'false', 'False'].map((v) => [v, false])),
};

/**
 * `--insecure=true`, `--confirm=false`: pflag gives boolean flags an optional `=value` (oc's docs
 * write `--scheduled=true`); commander knows only `--insecure`. Such words of a boolean flag of the
 * command (or a global one) become the flag, its `--no-` form, or nothing for false, before `--`.
 */
export function boolFlagValues(program: CommandUnknownOpts, argv: string[]): string[] {
  const chain: CommandUnknownOpts[] = [program];
  for (const word of argv) {
    if (word === '--') break;
    const cur = chain[chain.length - 1];
    const sub = cur.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) chain.push(sub);
  }
  const options = chain.flatMap((c) => c.options);
  const out: string[] = [];
  let rest = false;
  for (const word of argv) {
    if (word === '--') rest = true;
    const m = rest ? null : /^(--[^=]+)=(.*)$/.exec(word);
    const flag = m ? options.find((o) => o.long === m[1] && (o.isBoolean() || o.negate)) : undefined;
    if (!m || !flag) {
      out.push(word);
      continue;
    }
    const value = GO_BOOLS[m[2]];
    if (value === undefined)
      // pflag's error for a value ParseBool refuses; printed with the --help line (FlagErrorFunc).
      throw new CommanderError(
        1,
        'commander.invalidArgument',
        `error: invalid argument "${m[2]}" for "${m[1]}" flag: strconv.ParseBool: parsing "${m[2]}": invalid syntax`,
      );
    // `--no-headers=false` is `--headers` when that exists; a false without an opposite is the default.
    const name = m[1].startsWith('--no-') ? m[1].slice(5) : m[1].slice(2);
    const opposite = options.find((o) => o.long === (flag.negate ? `--${name}` : `--no-${name}`));
    if (value) out.push(m[1]);
    else if (opposite) out.push(opposite.long!);
  }
  return out;
}

function commandPathOf(program: Program, argv: string[]): string {
  // The first word naming a command, then a subcommand of it (`isctl set triggers`).
  const path = ['isctl'];
  let cmd: CommandUnknownOpts = program;
  for (const word of argv) {
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) continue;
    path.push(sub.name());
    cmd = sub;
  }
  return path.join(' ');
}
