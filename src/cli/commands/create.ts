/** `isctl create imagestream NAME`: an empty image stream in the state folder (oc create imagestream). */
import type { CommandModule } from '../command.js';
import { globalOptions, type SubCommand } from '../globals.js';
import type { CliIO } from '../io.js';
import { CREATE_GROUP } from './set.js';
import type { ExitCode } from '../errors.js';
import { createImageStream } from '../../core/create.js';
import { parseOutputFormat } from '../../output/printer.js';
import { resourceName, toJson, toYaml } from '../../output/serialize.js';
import { renderJsonPath } from '../../output/jsonpath.js';
import { buildCoreContext } from '../context.js';
import { UsageError } from '../../domain/errors.js';

const examples = `
Examples:
  # Create a new image stream
  isctl create imagestream mysql

  # Create a new image stream whose tags are used by workloads by their short name
  isctl create imagestream mysql --lookup-local
`;

async function action(names: string[], opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  // openshift/oc pkg/cli/create/create.go NameFromCommandArgs.
  if (names.length !== 1) throw new UsageError(`exactly one NAME is required, got ${names.length}`);
  const name = names[0];
  const g = globalOptions(cmd, io);
  // create.go CreateSubcommandOptions.Complete: PrintFlags.ToPrinter, before the Create.
  const format = parseOutputFormat(g.output, 'print-flags');
  const dryRun = Boolean(opts.dryRun);
  const ctx = buildCoreContext(g, io, { dryRun });
  const { stream } = await createImageStream(ctx, { name, lookupLocal: Boolean(opts.lookupLocal), dryRun });
  if (format.kind === 'json') io.stdout.write(toJson(stream));
  else if (format.kind === 'yaml') io.stdout.write(toYaml(stream));
  else if (format.kind === 'name') io.stdout.write(`${resourceName(stream)}\n`);
  else if (format.kind === 'jsonpath') io.stdout.write(renderJsonPath(format.template, stream));
  else io.stdout.write(`${resourceName(stream)} created${dryRun ? ' (dry run)' : ''}\n`);
  return 0;
}

function define(parent: SubCommand) {
  return parent
    .command('imagestream')
    .alias('is')
    .usage('NAME [--lookup-local] [--dry-run]')
    .argument('[name...]', 'name of the new image stream')
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
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `create imagestream` (alias `create is`). */
export const createCommand: CommandModule = {
  register(program, { io, action: exits, group }) {
    define(group(...CREATE_GROUP)).action(exits((names, opts, cmd) => action(names, opts, cmd, io)));
  },
};
