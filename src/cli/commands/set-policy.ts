/** `isctl set policy STREAM:TAG`: change or remove the version policy of a tag (isctl extension). */
import type { CommandModule } from '../command.js';
import { globalOptions, type SubCommand } from '../globals.js';
import { buildCoreContext } from '../context.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';
import { setPolicy } from '../../core/tag-policy.js';
import { heldBackText } from '../../output/changes.js';
import { printChanges } from '../report.js';
import { escapeControls } from '../../domain/escape.js';
import { SET_GROUP } from './set.js';

const examples = `
Examples:
  # Follow the newest 1.3.x from now on (the repository is the one from.name names)
  isctl set policy app:stable --policy semver:~1.3

  # Add a cooldown to the policy the tag already has
  isctl set policy app:stable --min-age 72h

  # Stop following a policy: the tag stays pinned where it is
  isctl set policy app:stable --remove
`;

async function action(target: string, opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const dryRun = Boolean(opts.dryRun);
  const ctx = buildCoreContext(g, io, { dryRun });
  try {
    const r = await setPolicy(
      ctx,
      g.namespace,
      {
        target,
        remove: Boolean(opts.remove),
        ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
        ...(opts.tagFilter !== undefined ? { tagFilter: opts.tagFilter } : {}),
        ...(opts.tagExtract !== undefined ? { tagExtract: opts.tagExtract } : {}),
        ...(opts.minAge !== undefined ? { minAge: opts.minAge } : {}),
      },
      dryRun,
    );
    for (const m of r.messages) io.stdout.write(escapeControls(`${m}${dryRun ? ' (dry run)' : ''}\n`));
    for (const { dest, report } of r.reports) {
      if (report.heldBack) io.stdout.write(escapeControls(`${dest} held back ${heldBackText(report.heldBack)}\n`));
    }
    for (const f of r.importFailures) io.stderr.write(escapeControls(`error: tag ${f.dest} failed: ${f.message}\n`));
    printChanges(io, r.changes, r.triggers, g.color);
    return r.importFailures.length > 0 ? 1 : 0;
  } finally {
    await ctx.source.close();
  }
}

function define(parent: SubCommand) {
  return parent
    .command('policy')
    .argument('<STREAM:TAG>', 'The tag whose policy changes')
    .summary('Change or remove the version policy of a tag (isctl extension)')
    .description(
      'Change the version policy a DockerImage tag follows (see tag --policy) and evaluate it at once, or remove it with ' +
        '--remove. Flags not given keep their current value; pass an empty value (--tag-filter "") to drop one.',
    )
    .option('--policy <policy>', 'semver:RANGE, numerical:asc|desc or alphabetical:asc|desc')
    .option('--tag-filter <regex>', 'Only tags matching this regular expression (RE2 syntax)')
    .option('--tag-extract <template>', "Order by this template of the filter's groups, e.g. '$version'")
    .option('--min-age <duration>', 'Take a new tag only when isctl first saw it at least this long ago (e.g. 72h)')
    .option('--remove', 'Remove the policy; from.name stays where it is')
    .option('--dry-run', 'Show the change and its diff without writing anything')
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `set policy`. */
export const setPolicyCommand: CommandModule = {
  register(program, { io, action: exits, group }) {
    define(group(...SET_GROUP)).action(exits((target, opts, cmd) => action(target, opts, cmd, io)));
  },
};
