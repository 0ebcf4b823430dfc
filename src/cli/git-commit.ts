/**
 * `--commit`, `--push`, `--push-to REMOTE BRANCH`, `--push-branch NAME`, `--message-template T`
 * and `--author "Name <email>"` of the commands that change the folder (refresh, import-image,
 * tag, rollout latest): the flags, their checks, and running a command's change through
 * core/gitops with the Git adapter (src/git) and a registry that answers each question once.
 */
import type { Command, OptionValues } from '@commander-js/extra-typings';
import { commitChange, type ChangeRunner, type CommitReport, type CommitSpec, type PushSpec } from '../core/gitops.js';
import type { CoreContext, TagChange, TriggerReport } from '../core/context.js';
import type { FileChange } from '../state/types.js';
import { CommandError } from '../domain/errors.js';
import { escapeLine } from '../domain/escape.js';
import { GitError } from '../git/errors.js';
import { DEFAULT_GIT_TIMEOUT_MS } from '../git/run.js';
import type { GitWorkTree, RemoteBranch } from '../git/types.js';
import { openWorkTree } from '../git/worktree.js';
import { defaultCommitMessage, templateCommitMessage } from '../output/commit-message.js';
import { memoImageSource } from '../registry/memo-source.js';
import type { CliIO } from './io.js';

/** The Git flags of one run, checked. */
export interface CommitFlags {
  /** Push after committing (--push, --push-to or --push-branch). */
  push: boolean;
  pushTo?: RemoteBranch;
  pushBranch?: string;
  template?: string;
  author?: string;
}

/** Adds the Git flags to a command. */
export function addCommitOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  cmd: Command<A, O, G>,
) {
  return cmd
    .option(
      '--commit',
      'Commit exactly the files this command changed (the folder must be in a Git work tree); other edits stay uncommitted',
    )
    .option(
      '--push',
      "Commit and push to the branch's upstream; when the remote moved meanwhile, run the change again on its head (implies --commit)",
    )
    .option('--push-to <remote-and-branch...>', 'Push to REMOTE BRANCH instead of the upstream (implies --push)')
    .option(
      '--push-branch <name>',
      "Push to branch NAME (for a pull request): the upstream's head plus this change, replacing what NAME held (implies --push)",
    )
    .option(
      '--message-template <template>',
      'Commit message as a JSONPath template (as -o jsonpath=) over the document -o json prints for this run',
    )
    .option('--author <author>', 'Author of the commit, "Name <email>" (default: git config user.name/user.email)');
}

const AUTHOR = /^\s*[^<>\s][^<>]*<[^<>\s]+>\s*$/;

/** The Git flags as commander parses them (addCommitOptions). */
export interface CommitFlagValues {
  commit?: true;
  push?: true;
  pushTo?: string[];
  pushBranch?: string;
  messageTemplate?: string;
  author?: string;
}

/** Reads and checks the Git flags; undefined without --commit (or an option that implies it). */
export function readCommitFlags(opts: CommitFlagValues, dryRun: boolean): CommitFlags | undefined {
  const pushTo = opts.pushTo;
  const pushBranch = opts.pushBranch;
  const push = Boolean(opts.push) || pushTo !== undefined || pushBranch !== undefined;
  const commit = Boolean(opts.commit) || push;
  const template = opts.messageTemplate;
  const author = opts.author;
  if (!commit) {
    const stray = template !== undefined ? '--message-template' : author !== undefined ? '--author' : undefined;
    if (stray) throw new CommandError(`${stray} needs --commit (or --push)`);
    return undefined;
  }
  if (dryRun)
    throw new CommandError('--dry-run writes nothing, so there is nothing to commit: drop --commit or --dry-run');
  if (pushTo !== undefined && pushTo.length !== 2)
    throw new CommandError(
      `--push-to takes two values, REMOTE BRANCH (got ${pushTo.length}: ${pushTo.join(' ')})`,
      'put the command arguments before --push-to, e.g. isctl refresh app --push-to origin main',
    );
  if (pushTo !== undefined && pushBranch !== undefined)
    throw new CommandError('use either --push-to REMOTE BRANCH or --push-branch NAME, not both');
  for (const b of [pushTo?.[1], pushBranch]) {
    if (b !== undefined && !validBranch(b))
      throw new CommandError(
        `invalid branch name "${b}"`,
        'use a name git accepts (git check-ref-format --branch NAME)',
      );
  }
  if (author !== undefined && !AUTHOR.test(author))
    throw new CommandError(`invalid --author "${author}": use "Name <email>"`);
  if (template !== undefined) {
    try {
      templateCommitMessage(template, {});
    } catch (err) {
      throw new CommandError(`invalid --message-template: ${(err as Error).message}`);
    }
  }
  return {
    push,
    ...(pushTo ? { pushTo: { remote: pushTo[0], branch: pushTo[1].replace(/^refs\/heads\//, '') } } : {}),
    ...(pushBranch !== undefined ? { pushBranch } : {}),
    ...(template !== undefined ? { template } : {}),
    ...(author !== undefined ? { author: author.trim() } : {}),
  };
}

/** The rules of git check-ref-format for a branch name (refs.c check_refname_component). */
function validBranch(name: string): boolean {
  if (name === '' || name === '@' || name.startsWith('-') || name.endsWith('/') || name.endsWith('.')) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|(^|\/)\.|\.lock($|\/)/.test(name)) return false;
  return true;
}

/** Settings from the environment: ISCTL_GIT_TIMEOUT (seconds) and ISCTL_GIT_PUSH_ATTEMPTS. */
export function gitSettings(env: CliIO['env']): { timeoutMs: number; attempts: number } {
  const num = (v: string | undefined) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : undefined);
  return {
    timeoutMs: (num(env.ISCTL_GIT_TIMEOUT) ?? DEFAULT_GIT_TIMEOUT_MS / 1000) * 1000,
    attempts: Math.round(num(env.ISCTL_GIT_PUSH_ATTEMPTS) ?? 6),
  };
}

/** Where --push, --push-to and --push-branch send the commit. */
export async function pushSpecOf(tree: GitWorkTree, flags: CommitFlags): Promise<PushSpec | undefined> {
  if (!flags.push) return undefined;
  if (flags.pushTo) return { target: flags.pushTo, mode: 'fast-forward' };
  const branch = await tree.branch();
  const upstream = await tree.upstream(branch);
  if (flags.pushBranch !== undefined) {
    const remotes = await tree.remotes();
    const remote = upstream?.remote ?? (remotes.length === 1 ? remotes[0] : undefined);
    if (!remote)
      throw new GitError(
        'NoUpstream',
        `branch ${branch} has no upstream, so --push-branch does not know which remote to push to`,
        `set one (git branch --set-upstream-to=origin/${branch}), or use --push-to REMOTE BRANCH`,
      );
    return { target: { remote, branch: flags.pushBranch }, mode: 'replace', ...(upstream ? { base: upstream } : {}) };
  }
  if (!upstream)
    throw new GitError(
      'NoUpstream',
      `branch ${branch} has no upstream to push to`,
      `set one (git branch --set-upstream-to=origin/${branch}, or git push -u origin ${branch} once), or pass --push-to REMOTE BRANCH`,
    );
  return { target: upstream, mode: 'fast-forward' };
}

/**
 * Runs `run` (the command's change, given a context whose registry answers each question once)
 * and commits and pushes what it changed.
 */
export async function runWithCommit<R>(
  io: CliIO,
  ctx: CoreContext,
  flags: CommitFlags,
  run: (ctx: CoreContext) => ChangeRunner<R>,
): Promise<{ run: Awaited<ReturnType<ChangeRunner<R>>>; report: CommitReport }> {
  const settings = gitSettings(io.env);
  const tree = await openWorkTree(ctx.store.dir, { env: io.env, timeoutMs: settings.timeoutMs });
  await tree.checkReady();
  await tree.branch();
  const push = await pushSpecOf(tree, flags);
  const memo: CoreContext = { ...ctx, source: memoImageSource(ctx.source) };
  const spec: CommitSpec<R> = {
    ...(push ? { push } : {}),
    ...(flags.author ? { author: flags.author } : {}),
    message: (r) =>
      flags.template !== undefined
        ? templateCommitMessage(flags.template, r.data)
        : defaultCommitMessage(
            r.facts,
            r.changes.map((c) => `${tree.prefix}${c.path}`),
          ),
    attempts: settings.attempts,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    onConflict: (info) => io.stderr.write(conflictNotice(push!.target, info)),
  };
  return commitChange(tree, run(memo), spec);
}

/**
 * The line printed when a push was rejected because the remote moved. The rejection text comes
 * from the remote (its receive-pack's status line), so it is escaped like any text isctl did not
 * write (src/domain/escape.ts); so are the remote and branch names from the Git configuration.
 */
export function conflictNotice(target: RemoteBranch, info: { attempt: number; why: string; delayMs: number }): string {
  return (
    `${escapeLine(target.remote)} ${escapeLine(target.branch)} moved (push rejected ${escapeLine(info.why)}); ` +
    `running the change again on its head in ${info.delayMs} ms (retry ${info.attempt})\n`
  );
}

/** The lines that say what happened in Git. */
export function commitReportLines(report: CommitReport): string[] {
  const t = report.target;
  // Names from the Git configuration, printed for humans: escaped as all such text.
  const where = t ? `${escapeLine(t.remote)} ${escapeLine(t.branch)}` : '';
  const retried =
    report.conflicts > 0 ? ` after ${report.conflicts} rejected push${report.conflicts === 1 ? '' : 'es'}` : '';
  if (report.alreadyThere) return [`${where} already has this change (${report.commit!.slice(0, 12)}): nothing pushed`];
  if (!report.commit)
    return [
      report.conflicts > 0 ? `nothing to commit: ${where} already has this change${retried}` : 'nothing to commit',
    ];
  const lines = [`committed ${report.commit.slice(0, 12)} on ${escapeLine(report.branch)}`];
  if (report.pushed) lines.push(`pushed to ${where}${retried}`);
  return lines;
}

/** The `git` member of `-o json` output. */
export function commitReportJson(report: CommitReport): Record<string, unknown> {
  return {
    branch: report.branch,
    commit: report.commit ?? null,
    pushed: report.pushed,
    ...(report.target ? { remote: report.target.remote, pushBranch: report.target.branch } : {}),
    attempts: report.attempts,
    conflicts: report.conflicts,
    ...(report.alreadyThere ? { alreadyThere: true } : {}),
  };
}

/**
 * The template data of a command whose `-o json` prints no run document (import-image, tag,
 * rollout latest): the shape `refresh -o json` prints, with the tags that moved as outcomes.
 */
export function changeDocument(
  command: string,
  tagChanges: readonly TagChange[],
  changes: readonly FileChange[],
  triggers: readonly TriggerReport[],
): Record<string, unknown> {
  return {
    command,
    dryRun: false,
    changed: changes.length > 0,
    outcomes: tagChanges.map((c) => ({
      namespace: c.namespace,
      stream: c.stream,
      tag: c.tag,
      status: 'changed',
      ...(c.from ? { oldDigest: c.from.image } : {}),
      newDigest: c.to.image,
    })),
    files: changes.map((c) => c.path),
    triggers: {
      updated: triggers.flatMap((t) => t.updated),
      warnings: triggers.flatMap((t) => t.warnings),
      builds: triggers.flatMap((t) => t.builds),
    },
  };
}
