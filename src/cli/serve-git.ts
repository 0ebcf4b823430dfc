/**
 * `serve --git-push`: serve works in a clone of its own. Before every scheduled pass and webhook
 * batch it brings the clone to the remote branch (dropping anything a killed run left), runs the
 * refresh, commits what changed and pushes it; a rejected push is rerun on the remote's new head
 * with this run's registry answers (core/gitops). Scheduled passes run only on the replica that
 * holds the scheduler lease (src/git/lease.ts); webhook batches run wherever they arrive.
 */
import os from 'node:os';
import { commitChange, factsFromOutcomes } from '../core/gitops.js';
import type { CoreContext } from '../core/context.js';
import { refresh, type RefreshResult, type RefreshSelection } from '../core/refresh.js';
import { UsageError } from '../domain/errors.js';
import { prepareClone } from '../git/clone.js';
import { GitError } from '../git/errors.js';
import { defaultLeaseRef, GitLease } from '../git/lease.js';
import type { GitWorkTree, RemoteBranch } from '../git/types.js';
import { defaultCommitMessage, templateCommitMessage } from '../output/commit-message.js';
import { memoImageSource } from '../registry/memo-source.js';
import { createGitTelemetry, type GitTelemetry } from '../server/git-telemetry.js';
import { parseInterval, bucketCount } from '../server/interval.js';
import type { LogFields, Logger } from '../server/log.js';
import type { ServeMetrics } from '../server/telemetry.js';
import { gitSettings, readCommitFlags } from './git-commit.js';
import type { CliIO } from './io.js';

/** The `--git-push` flags of serve, checked. */
export interface ServeGitFlags {
  url?: string;
  author?: string;
  template?: string;
  leaseDurationMs: number;
  leaseRef?: string;
  holder: string;
}

/** Serve's Git flags as commander parses them. */
export interface ServeGitFlagValues {
  gitPush?: true;
  gitUrl?: string;
  leaseDuration?: string;
  leaseRef?: string;
  author?: string;
  messageTemplate?: string;
}

/** Reads serve's Git flags; undefined without --git-push. */
export function readServeGitFlags(opts: ServeGitFlagValues, intervalMs: number): ServeGitFlags | undefined {
  const keys = ['gitUrl', 'leaseDuration', 'leaseRef', 'author', 'messageTemplate'] as const;
  const stray = keys.find((k) => opts[k] !== undefined);
  if (!opts.gitPush) {
    if (stray) throw new UsageError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --git-push`);
    return undefined;
  }
  const common = readCommitFlags({ commit: true, messageTemplate: opts.messageTemplate, author: opts.author }, false)!;
  const tick = Math.floor(intervalMs / bucketCount(intervalMs));
  // Two ticks: a holder that misses one renewal (a slow pass) keeps the lease; a dead one loses it soon.
  const leaseDurationMs =
    opts.leaseDuration !== undefined ? parseInterval(opts.leaseDuration) : Math.max(2 * tick, 30_000);
  const leaseRef = opts.leaseRef;
  if (leaseRef !== undefined && !/^refs\/[A-Za-z0-9._\-/%]+$/.test(leaseRef))
    throw new UsageError(`invalid --lease-ref "${leaseRef}": use a full ref name such as refs/isctl/lease/main`);
  return {
    ...(opts.gitUrl !== undefined ? { url: opts.gitUrl } : {}),
    ...(common.author ? { author: common.author } : {}),
    ...(common.template !== undefined ? { template: common.template } : {}),
    leaseDurationMs,
    ...(leaseRef ? { leaseRef } : {}),
    holder: `${os.hostname()}/${process.pid}`,
  };
}

/** What serve gets from --git-push. */
export interface ServeGit {
  /** Runs one refresh and brings its change to the remote. */
  refresh: (selection: RefreshSelection) => Promise<RefreshResult>;
  /** Takes or renews the scheduler lease; false leaves the pass to its holder. */
  claimSchedule: () => Promise<boolean>;
  health: () => Record<string, unknown>;
  telemetry: GitTelemetry;
  /** Gives the lease up (at stop). */
  release: () => Promise<void>;
}

/** Makes the clone ready (cloning or repairing it) and returns serve's Git side. */
export async function startServeGit(o: {
  io: CliIO;
  dir: string;
  flags: ServeGitFlags;
  /** Builds the context once the clone exists. */
  context: () => CoreContext;
  namespace: string | undefined;
  logger: Logger;
  metrics: ServeMetrics;
}): Promise<{ git: ServeGit; ctx: CoreContext }> {
  const { io, flags, logger } = o;
  const settings = gitSettings(io.env);
  const cloneOptions = {
    env: io.env,
    timeoutMs: settings.timeoutMs,
    ...(flags.url ? { url: flags.url } : {}),
    log: (event: string, message: string, fields?: Record<string, unknown>) =>
      logger.log('warn', event, message, (fields ?? {}) as LogFields),
  };
  let prepared = await prepareClone(o.dir, cloneOptions);
  const tree: GitWorkTree = prepared.tree;
  const branch = await tree.branch();
  const target: RemoteBranch | undefined = await tree.upstream(branch);
  if (!target)
    throw new GitError(
      'NoUpstream',
      `branch ${branch} of the clone ${tree.root} has no upstream to push to`,
      `set one (git -C ${tree.root} branch --set-upstream-to=origin/${branch})`,
    );
  const ctx = o.context();
  const telemetry = createGitTelemetry(o.metrics.registry, target);
  const lease = new GitLease(prepared.git, {
    remote: target.remote,
    ref: flags.leaseRef ?? defaultLeaseRef(target.branch, o.namespace),
    holder: flags.holder,
    durationMs: flags.leaseDurationMs,
    now: io.now,
  });
  logger.log('info', 'git', `committing to ${target.remote} ${target.branch} from ${tree.root}`, {
    remote: target.remote,
    branch: target.branch,
    clone: tree.root,
    cloned: prepared.cloned,
    lease: lease.options.ref,
    holder: flags.holder,
  });
  let repair = false;
  const refreshAndPush = async (selection: RefreshSelection): Promise<RefreshResult> => {
    if (repair) {
      // The last git command failed or was killed by its time limit: clear what it may have left.
      prepared = await prepareClone(o.dir, cloneOptions);
      repair = false;
    }
    const run = { ...ctx, source: memoImageSource(ctx.source) };
    try {
      const { run: done, report } = await commitChange(
        prepared.tree,
        async ({ dryRun }) => {
          const r = await refresh(run, { ...selection, dryRun });
          return {
            result: r,
            changes: r.changes,
            facts: factsFromOutcomes('serve', r.outcomes, [r.triggers]),
            data: {
              dryRun: false,
              changed: r.changes.length > 0,
              outcomes: r.outcomes,
              files: r.changes.map((c) => c.path),
              triggers: r.triggers,
            },
          };
        },
        {
          push: { target, mode: 'fast-forward' },
          owned: true,
          ...(flags.author ? { author: flags.author } : {}),
          message: (r) =>
            flags.template !== undefined
              ? templateCommitMessage(flags.template, r.data)
              : defaultCommitMessage(
                  r.facts,
                  r.changes.map((c) => `${prepared.tree.prefix}${c.path}`),
                ),
          attempts: settings.attempts,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          random: Math.random,
          onConflict: ({ attempt, why, delayMs }) => {
            telemetry.conflict();
            logger.log('info', 'git-conflict', `${target.remote} ${target.branch} moved; running the change again`, {
              attempt,
              why,
              delayMs,
            });
          },
        },
      );
      telemetry.done(report, io.now());
      if (report.commit && report.pushed)
        logger.log('info', 'git-push', `pushed ${report.commit.slice(0, 12)} to ${target.remote} ${target.branch}`, {
          commit: report.commit,
          attempts: report.attempts,
          conflicts: report.conflicts,
          files: done.changes.map((c) => c.path),
        });
      else if (report.conflicts > 0 || report.alreadyThere)
        logger.log('info', 'git-push', `${target.remote} ${target.branch} already has this change`, {
          attempts: report.attempts,
          conflicts: report.conflicts,
        });
      return done.result;
    } catch (err) {
      const reason = err instanceof GitError ? err.reason : 'Error';
      telemetry.failed(reason, (err as Error)?.message ?? String(err), io.now());
      if (err instanceof GitError && reason !== 'GaveUp') repair = true;
      throw err;
    }
  };
  const git: ServeGit = {
    refresh: refreshAndPush,
    async claimSchedule() {
      try {
        const state = await lease.acquire();
        telemetry.lease(state, io.now());
        if (!state.held) telemetry.skipped();
        return state.held;
      } catch (err) {
        logger.log('warn', 'lease-error', `cannot read or write the scheduler lease: ${(err as Error).message}`, {});
        return false;
      }
    },
    health: () => telemetry.health(),
    telemetry,
    async release() {
      await lease
        .release()
        .catch((err: unknown) =>
          logger.log('warn', 'lease-error', `cannot give the scheduler lease up: ${(err as Error).message}`, {}),
        );
    },
  };
  return { git, ctx };
}
