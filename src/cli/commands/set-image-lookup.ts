/** `isctl set image-lookup`: how short image names resolve through image streams (oc set image-lookup). */
import { CommanderError } from '@commander-js/extra-typings';
import type { CommandModule } from '../command.js';
import { globalOptions, type SubCommand } from '../globals.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';
import { setImageLookup } from '../../core/set-image-lookup.js';
import { parseOutputFormat } from '../../output/printer.js';
import { ObjectPrinter } from '../../output/print-flags.js';
import { renderImageLookupTable } from '../../output/set-tables.js';
import { buildCoreContext } from '../context.js';
import { SET_GROUP } from './set.js';

const examples = `
Examples:
  # Print all of the image streams and whether they resolve local names
  isctl set image-lookup

  # Use local name lookup on image stream mysql
  isctl set image-lookup mysql

  # Force a deployment to use local name lookup
  isctl set image-lookup deploy/mysql

  # Show the current status of the deployment lookup
  isctl set image-lookup deploy/mysql --list

  # Disable local name lookup on image stream mysql
  isctl set image-lookup mysql --enabled=false

  # Set local name lookup on all image streams
  isctl set image-lookup --all
`;

function parseBool(v: string | boolean | undefined): boolean {
  if (v === undefined || v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  // A flag value pflag cannot parse is a flag error (cobra's FlagErrorFunc adds the --help line).
  throw new CommanderError(
    1,
    'commander.invalidArgument',
    `invalid argument "${v}" for "--enabled" flag: strconv.ParseBool: parsing "${v}": invalid syntax`,
  );
}

async function action(args: string[], opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const dryRun = Boolean(opts.dryRun);
  const enabled = parseBool(opts.enabled);
  // imagelookup.go Complete: the printer is made (and -o checked) before anything is read.
  const format = parseOutputFormat(g.output, 'print-flags');
  const printer = new ObjectPrinter(format, 'image lookup updated', dryRun);
  const ctx = buildCoreContext(g, io, { dryRun });
  const r = await setImageLookup(ctx, {
    args,
    all: Boolean(opts.all),
    list: Boolean(opts.list),
    enabled,
    dryRun,
    output: format.kind !== 'table',
  });
  if (r.rows) {
    io.stdout.write(renderImageLookupTable(r.rows));
    return 0;
  }
  for (const c of r.changed) io.stdout.write(printer.print(c.object));
  return 0;
}

function define(parent: SubCommand) {
  return parent
    .command('image-lookup')
    .usage('STREAMNAME [...] [--enabled=false] [--all] [--list] [--dry-run]')
    .argument('[names...]', 'image streams (NAME) or workloads (TYPE/NAME, e.g. deploy/mysql)')
    .summary('Change how images are resolved when deploying applications')
    .description(
      'Use an image stream from pods and other objects.\n\n' +
        'Local name lookup lets an image stream be the source of images for workloads that reference it by short name: if lookup is ' +
        "enabled for an image stream named 'mysql', a workload that references 'mysql:latest' gets the pull spec of that image stream tag. " +
        'On a workload (TYPE/NAME) the alpha.image.policy.openshift.io/resolve-names annotation forces lookup for all of its images.',
    )
    .option('--enabled [bool]', 'Mark the image stream as resolving tagged images in this namespace.', true)
    .option('--all', 'If true, select all image streams in the namespace.')
    .option('--list', 'Display the current states of the requested resources.')
    .option('--dry-run', 'Only print what would change')
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `set image-lookup` under the shared `set` command. */
export const setImageLookupCommand: CommandModule = {
  register(program, { io, action: exits, group }) {
    define(group(...SET_GROUP)).action(exits((names, opts, cmd) => action(names, opts, cmd, io)));
  },
};
