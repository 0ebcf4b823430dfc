/** `isctl rollout latest dc/NAME`: a manual rollout from the latest images of the DC's triggers (oc rollout latest). */
import type { CommandModule } from '../command.js';
import { globalOptions, type SubCommand } from '../globals.js';
import { buildCoreContext } from '../context.js';
import { deploymentConfigName, rolloutLatest, type RolloutLatestResult } from '../../core/rollout.js';
import { factsFromTagChanges, type CommitReport } from '../../core/gitops.js';
import type { CoreContext } from '../../core/context.js';
import { addCommitOptions, changeDocument, commitReportLines, readCommitFlags, runWithCommit } from '../git-commit.js';
import { printChanges } from '../report.js';
import { renderTriggerReport } from '../../output/changes.js';
import { parseOutputFormat } from '../../output/printer.js';
import { ObjectPrinter } from '../../output/print-flags.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';

const examples = `
Examples:
  # Start a new rollout based on the latest images defined in the image change triggers
  isctl rollout latest dc/nginx

  # Show the change without writing it
  isctl rollout latest dc/nginx --dry-run
`;

async function latest(arg: string, opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const dryRun = Boolean(opts.dryRun);
  // latest.go Complete: the printer is made (and -o checked) before anything is read. -o revision
  // is oc's deprecated printer of status.latestVersion (no newline after it).
  const revision = g.output === 'revision';
  if (revision)
    io.stderr.write(
      '--output=revision is deprecated. Use `--output=jsonpath={.status.latestVersion}` or `--output=go-template={{.status.latestVersion}}` instead\n',
    );
  const printer = revision
    ? undefined
    : new ObjectPrinter(parseOutputFormat(g.output, 'print-flags'), 'rolled out', dryRun);
  const name = deploymentConfigName(arg);
  const commit = readCommitFlags(opts, dryRun);
  const ctx = buildCoreContext(g, io, { dryRun });
  try {
    const runOn = (c: CoreContext, d: boolean) => rolloutLatest(c, { name, again: Boolean(opts.again), dryRun: d });
    const report = (r: RolloutLatestResult) => ({
      updated: [r.workload],
      warnings: [],
      builds: [],
      markers: r.markers.updated,
      markerProblems: r.markers.problems,
    });
    let result: RolloutLatestResult;
    let git: CommitReport | undefined;
    if (commit) {
      const out = await runWithCommit(io, ctx, commit, (c) => async ({ dryRun: d }) => {
        const r = await runOn(c, d);
        return {
          result: r,
          changes: r.changes,
          facts: factsFromTagChanges('rollout latest', [], [report(r)]),
          data: changeDocument('rollout latest', [], r.changes, [report(r)]),
        };
      });
      result = out.run.result;
      git = out.report;
    } else result = await runOn(ctx, dryRun);
    // latest.go prints the config the server returned (as apps.openshift.io/v1, whatever the file
    // says); on a client dry run, the one it read.
    const shown = { ...(dryRun ? result.original : result.object), apiVersion: 'apps.openshift.io/v1' };
    if (!printer)
      io.stdout.write(String((shown as { status?: { latestVersion?: number } }).status?.latestVersion ?? 0));
    else io.stdout.write(printer.print(shown));
    if (!printer || printer.machineReadable) {
      // stdout holds only what -o asked for; what else happened goes to stderr.
      for (const w of renderTriggerReport([report(result)]).warnings) io.stderr.write(`${w}\n`);
      if (git) for (const l of commitReportLines(git)) io.stderr.write(`${l}\n`);
      return 0;
    }
    printChanges(io, result.changes, [report(result)], g.color);
    if (git) for (const l of commitReportLines(git)) io.stdout.write(`${l}\n`);
    return 0;
  } finally {
    await ctx.source.close();
  }
}

function define(rollout: SubCommand) {
  const cmd = rollout
    .command('latest')
    .argument('<deploymentconfig>', 'dc/NAME or NAME')
    .summary('Start a new rollout for a deployment config with the latest state from its triggers')
    .description(
      'Start a new rollout for a deployment config with the latest state from its triggers.\n\n' +
        'This resolves every ImageChange trigger (automatic or not) against the image streams in the state folder, ' +
        'writes the images and lastTriggeredImage, and records a manual rollout: status.latestVersion + 1 and ' +
        'status.details {message: manual change, causes: [{type: Manual}]}, as the OpenShift API server does.',
    )
    .option('--again', 'If true, deploy the current pod template without updating state from triggers')
    .option('--dry-run', 'Show the change and its diff without writing anything')
    .addHelpText('after', examples);
  return addCommitOptions(cmd);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `rollout` with its `latest` subcommand. */
export const rolloutCommand: CommandModule = {
  register(_program, { io, action: exits, group }) {
    define(group('rollout', 'Manage the rollout of a resource')).action(
      exits((arg, opts, cmd) => latest(arg, opts, cmd, io)),
    );
  },
};
