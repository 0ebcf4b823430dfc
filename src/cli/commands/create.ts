/** `isctl create imagestream NAME`: an empty image stream in the state folder (oc create imagestream). */
import type { Command } from 'commander';
import type { CommandModule } from '../command.js';
import { globalOptions } from '../globals.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';
import { createImageStream } from '../../core/create.js';
import { parseOutputFormat } from '../../output/printer.js';
import { resourceName, toJson, toYaml } from '../../output/serialize.js';
import { buildCoreContext } from '../context.js';

const examples = `
Examples:
  # Create a new image stream
  isctl create imagestream mysql

  # Create a new image stream whose tags are used by workloads by their short name
  isctl create imagestream mysql --lookup-local
`;

/** Returns the `create` command of `program`, creating it the first time (other `create X` subcommands share it). */
export function ensureCreateCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'create');
  if (existing) return existing;
  return program.command('create').description('Create a resource in the state folder');
}

async function action(name: string, opts: Record<string, unknown>, cmd: Command, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const format = parseOutputFormat(g.output);
  const dryRun = Boolean(opts.dryRun);
  const ctx = buildCoreContext(g, io, { dryRun });
  const { stream } = await createImageStream(ctx, { name, lookupLocal: Boolean(opts.lookupLocal), dryRun });
  if (format.kind === 'json') io.stdout.write(toJson(stream));
  else if (format.kind === 'yaml') io.stdout.write(toYaml(stream));
  else if (format.kind === 'name') io.stdout.write(`${resourceName(stream)}\n`);
  else io.stdout.write(`${resourceName(stream)} created${dryRun ? ' (dry run)' : ''}\n`);
  return 0;
}

/** Registers `create imagestream` (alias `create is`). */
export const createCommand: CommandModule = {
  register(program, { io, action: exits }) {
    ensureCreateCommand(program)
      .command('imagestream')
      .alias('is')
      .usage('NAME [--lookup-local] [--dry-run]')
      .argument('<name>', 'name of the new image stream')
      .summary('Create a new empty image stream')
      .description(
        'Create a new empty image stream in the state folder (default path imagestreams/NAMESPACE/NAME.yaml).\n\n' +
          'Image streams hold tags that point to images in registries; add tags with "isctl tag" or "isctl import-image".',
      )
      .option(
        '--lookup-local',
        'If true, the image stream will be the source for any top-level image reference in this project.',
      )
      .option('--dry-run', 'Only print the object that would be created, without writing it')
      .addHelpText('after', examples)
      .action(exits((name: string, opts: Record<string, unknown>, cmd: Command) => action(name, opts, cmd, io)));
  },
};
