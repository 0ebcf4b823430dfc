/** `isctl refresh`: re-import every registry-sourced tag, apply triggers, print a summary and diff. */
import { escapeControls } from '../../domain/escape.js';
import type { CommandModule } from '../command.js';
import { commandPath } from '../command.js';
import { changesExitCode, diffExitCode, renderError, type ExitCode } from '../errors.js';
import { stateErrorCount } from '../state-report.js';
import { globalOptions, type Program } from '../globals.js';
import { buildCoreContext } from '../context.js';
import { addSignatureOptions } from '../signature-policy.js';
import { refresh, type RefreshResult } from '../../core/refresh.js';
import { factsFromOutcomes, type CommitReport } from '../../core/gitops.js';
import type { CoreContext } from '../../core/context.js';
import {
  addCommitOptions,
  commitReportJson,
  commitReportLines,
  readCommitFlags,
  runWithCommit,
} from '../git-commit.js';
import { renderRefreshSummary } from '../../output/changes.js';
import { renderRequestBudget, totalRequests } from '../../output/request-budget.js';
import type { RegistryRequests } from '../../registry/types.js';
import { toJson } from '../../output/serialize.js';
import { printChanges } from '../report.js';
import { addOnBuildOptions, readOnBuild, runOnBuild } from '../on-build.js';
import { createProgressWriter } from '../../output/progress.js';
import { CommandError } from '../../domain/errors.js';
import type { CliIO } from '../io.js';

const examples = `
Examples:
  # Re-import every tag of every stream in the current namespace and show what changed
  isctl refresh

  # Only the tags OpenShift would re-import on its schedule, in every namespace
  isctl refresh --scheduled-only -A

  # In CI: 0 nothing changed, 1 changed, 2 failed, 3 changed with failures (commit on 1 and 3)
  isctl refresh --exit-code

  # What would change, without writing anything
  isctl refresh --dry-run myapp

  # Commit what changed and push it to the upstream (run again on the remote's head if it moved)
  isctl refresh --commit --push
`;

async function action(streams: string[], opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const hook = readOnBuild(opts, io);
  if (g.output && g.output !== 'json') throw new CommandError(`refresh supports -o json only, not "${g.output}"`);
  const dryRun = Boolean(opts.dryRun);
  const commit = readCommitFlags(opts, dryRun);
  const ctx = buildCoreContext(g, io, { dryRun, signatures: opts, namespaceCheck: 'unless-all-namespaces' });
  const progress = createProgressWriter(io.stderr, { verb: 'refreshing', enabled: !g.output, env: io.env });
  try {
    const selection = {
      ...(g.allNamespaces ? {} : { namespace: g.namespace }),
      streams,
      scheduledOnly: Boolean(opts.scheduledOnly),
    };
    const runOn = (c: CoreContext, d: boolean) =>
      refresh(c, { ...selection, dryRun: d, ...(progress ? { onProgress: progress.update } : {}) });
    let result: RefreshResult;
    let git: CommitReport | undefined;
    if (commit) {
      const out = await runWithCommit(io, ctx, commit, (c) => async ({ dryRun: d }) => {
        const r = await runOn(c, d);
        progress?.clear();
        return {
          result: r,
          changes: r.changes,
          facts: factsFromOutcomes('refresh', r.outcomes, [r.triggers]),
          data: refreshDocument(r, false, ctx.source.requests?.() ?? []),
        };
      });
      result = out.run.result;
      git = out.report;
    } else result = await runOn(ctx, dryRun);
    progress?.clear();
    // A marker that cannot be followed is a failure too: its value was left as it was.
    const failed = [...result.outcomes.filter((o) => o.status === 'failed'), ...(result.triggers.markerProblems ?? [])];
    const changed = result.outcomes.some((o) => o.status === 'changed') || result.changes.length > 0;
    // Read after the run: every request of it (a --commit rerun asks the registry nothing new).
    const registries = ctx.source.requests?.() ?? [];
    if (g.output === 'json') {
      const doc = refreshDocument(result, dryRun, registries);
      io.stdout.write(toJson({ ...doc, ...(git ? { git: commitReportJson(git) } : {}) }));
    } else {
      const summary = renderRefreshSummary(result.outcomes, dryRun, [result.triggers]);
      for (const e of summary.errors) io.stderr.write(`${e}\n`);
      for (const l of summary.lines) io.stdout.write(`${l}\n`);
      if (dryRun) for (const l of renderRequestBudget(registries)) io.stdout.write(`${l}\n`);
      printChanges(io, result.changes, [result.triggers], g.color);
      for (const f of result.lint ?? [])
        io.stderr.write(`${escapeControls(`warning: ${f.place}: ${f.what} ${f.message}`)}\n`);
      if (git) for (const l of commitReportLines(git)) io.stdout.write(`${l}\n`);
    }
    const hooksFailed = dryRun ? 0 : await runOnBuild(hook, result.triggers.builds, io, g.dir);
    const anyFailed = failed.length > 0 || hooksFailed > 0;
    // A file that could not be read is a failure too, after the changes were written (main exits 1
    // for it without --exit-code).
    if (opts.exitCode) return changesExitCode(changed, anyFailed || stateErrorCount(io) > 0);
    return anyFailed ? 1 : 0;
  } catch (err) {
    if (!opts.exitCode) throw err;
    // With --exit-code, 1 means "changed": an error exits with more, as kubectl diff's CheckDiffErr.
    progress?.clear();
    const rendered = renderError(err, commandPath(cmd));
    io.stderr.write(rendered.text);
    return diffExitCode(rendered);
  } finally {
    progress?.clear();
    await ctx.source.close();
  }
}

/**
 * What `refresh -o json` prints for a run (also the data of --message-template). `requests` and
 * `registries` are the registry budget (README "Registry budget"); with --dry-run they are what a
 * real run would make.
 */
function refreshDocument(result: RefreshResult, dryRun: boolean, registries: RegistryRequests[]) {
  return {
    dryRun,
    changed: result.outcomes.some((o) => o.status === 'changed') || result.changes.length > 0,
    outcomes: result.outcomes,
    files: result.changes.map((c) => c.path),
    lint: result.lint ?? [],
    triggers: result.triggers,
    requests: totalRequests(registries),
    registries,
  };
}

function define(program: Program) {
  const cmd = program
    .command('refresh')
    .argument('[IMAGESTREAM...]', 'Streams to refresh (default: all in the namespace)')
    .summary('Re-import every tag that comes from a registry and apply triggers')
    .description(
      'Re-import every spec tag that points at a container image (from.kind DockerImage, not --reference), record new digests ' +
        'in the tag history as OpenShift does, apply ImageChange triggers to the workloads in the folder, and print one summary ' +
        'line per changed tag followed by the diff of every file changed. Digest-pinned tags are imported until their first success.',
    )
    .option(
      '--scheduled-only',
      'Only tags with importPolicy.scheduled: true (what OpenShift re-imports every 15 minutes)',
    )
    .option('--dry-run', 'Show what would change without writing anything')
    .option(
      '--exit-code',
      'Exit 0 when nothing changed, 1 when files changed, 2 when something failed and nothing changed, ' +
        '3 when files changed (and were written) and something failed; as kubectl diff, with 3 added',
    )
    .addHelpText('after', examples);
  return addSignatureOptions(addCommitOptions(addOnBuildOptions(cmd)));
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `refresh`. */
export const refreshCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((streams, opts, cmd) => action(streams, opts, cmd, io)));
  },
};
