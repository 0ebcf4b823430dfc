/** `isctl set policy STREAM:TAG`: change or remove the version policy of a tag (isctl extension). */
import type { Command } from 'commander';
import type { CommandModule } from '../command.js';
import { globalOptions } from '../globals.js';
import { buildCoreContext } from '../context.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';
import { setPolicy } from '../../core/tag-policy.js';
import { heldBackText } from '../../output/changes.js';
import { printChanges } from '../report.js';
import { escapeControls } from '../../domain/escape.js';
import { ensureSetCommand } from './set.js';

const examples = `
Examples:
  # Follow the newest 1.3.x from now on (the repository is the one from.name names)
  isctl set policy app:stable --policy semver:~1.3

  # Add a cooldown to the policy the tag already has
  isctl set policy app:stable --min-age 72h

  # Stop following a policy: the tag stays pinned where it is
  isctl set policy app:stable --remove
`;

async function action(target: string, opts: Record<string, unknown>, cmd: Command, io: CliIO): Promise<ExitCode> {
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
        ...(opts.policy !== undefined ? { policy: String(opts.policy) } : {}),
        ...(opts.tagFilter !== undefined ? { tagFilter: String(opts.tagFilter) } : {}),
        ...(opts.tagExtract !== undefined ? { tagExtract: String(opts.tagExtract) } : {}),
        ...(opts.minAge !== undefined ? { minAge: String(opts.minAge) } : {}),
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

/** Registers `set policy`. */
export const setPolicyCommand: CommandModule = {
  register(program, { io, action: exits }) {
    ensureSetCommand(program)
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
      .addHelpText('after', examples)
      .action(exits((target: string, opts: Record<string, unknown>, cmd: Command) => action(target, opts, cmd, io)));
  },
};
