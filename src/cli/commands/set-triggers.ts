/** `isctl set triggers TYPE/NAME`: list, add, change or remove image and config triggers (oc set triggers). */
import type { CommandModule } from '../command.js';
import { globalOptions, type SubCommand } from '../globals.js';
import { buildCoreContext } from '../context.js';
import { setTriggers } from '../../core/triggers/set-triggers/set-triggers.js';
import { renderTriggerTable } from '../../output/set-tables.js';
import { printChanges } from '../report.js';
import { addOnBuildOptions, readOnBuild, runOnBuild } from '../on-build.js';
import { SET_GROUP } from './set.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';

const examples = `
Examples:
  # Print the triggers on the deployment config 'myapp'
  isctl set triggers dc/myapp

  # Set all triggers to manual
  isctl set triggers dc/myapp --manual

  # Enable all automatic triggers
  isctl set triggers dc/myapp --auto

  # Add an image trigger to a deployment config on the container 'web'
  isctl set triggers dc/myapp --from-image=myapp:latest -c web

  # Stop triggering on config change
  isctl set triggers dc/myapp --from-config --remove

  # Remove all triggers
  isctl set triggers bc/webapp --remove-all

  # Add an image trigger to a build config
  isctl set triggers bc/webapp --from-image=namespace1/image:latest

  # Add an image trigger to a stateful set on the main container
  isctl set triggers statefulset/db --from-image=namespace1/image:latest -c main
`;

async function action(arg: string, opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const hook = readOnBuild(opts, io);
  const dryRun = Boolean(opts.dryRun);
  const ctx = buildCoreContext(g, io, { dryRun });
  try {
    const result = await setTriggers(ctx, {
      resource: arg,
      flags: {
        fromImage: opts.fromImage,
        containers: opts.containers,
        fromConfig: Boolean(opts.fromConfig),
        auto: Boolean(opts.auto),
        manual: Boolean(opts.manual),
        remove: Boolean(opts.remove),
        removeAll: Boolean(opts.removeAll),
      },
      dryRun,
    });
    if (result.mode === 'list') {
      io.stdout.write(renderTriggerTable(result.rows));
      return 0;
    }
    if (result.changed) io.stdout.write(`${result.printedName} triggers updated${dryRun ? ' (dry run)' : ''}\n`);
    printChanges(io, result.changes, [result.triggers], g.color);
    const hooksFailed = dryRun ? 0 : await runOnBuild(hook, result.triggers.builds, io, g.dir);
    return hooksFailed > 0 ? 1 : 0;
  } finally {
    await ctx.source.close();
  }
}

function define(parent: SubCommand) {
  const cmd = parent
    .command('triggers')
    .usage('RESOURCE/NAME [--from-config|--from-image] [--auto|--manual]')
    .argument('<resource>', 'TYPE/NAME: dc, bc, deployment, statefulset, daemonset or cronjob')
    .summary('Update the triggers on one or more objects')
    .description(
      'Set or remove triggers.\n\n' +
        'Deployment configs, build configs, deployments, stateful sets, daemon sets and cron jobs may have image triggers ' +
        'that update their container images (or start a build) whenever an image stream tag changes. Deployment configs ' +
        'keep them in spec.triggers, build configs in spec.triggers, the others in the image.openshift.io/triggers ' +
        'annotation. Disabling the config change trigger of a deployment pauses it. With no flag, the triggers are listed.',
    )
    .option('--from-image <istag>', 'An image stream tag to trigger off of')
    .option(
      '-c, --containers <names>',
      'Comma delimited list of container names this trigger applies to on deployments',
    )
    .option('--from-config', 'If set, configuration changes will result in a change')
    .option('--auto', 'If true, enable all triggers, or just the specified trigger')
    .option('--manual', 'If true, set all triggers to manual, or just the specified trigger')
    .option('--remove', 'If true, remove the specified trigger(s).')
    .option('--remove-all', 'If true, remove all triggers.')
    .option('--dry-run', 'Show the change and its diff without writing anything')
    .addHelpText('after', examples);
  return addOnBuildOptions(cmd);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `set triggers` under the shared `set` command. */
export const setTriggersCommand: CommandModule = {
  register(program, { io, action: exits, group }) {
    define(group(...SET_GROUP)).action(exits((arg, opts, cmd) => action(arg, opts, cmd, io)));
  },
};
