/**
 * What `serve --git-push` reports about Git at /metrics and /healthz: pushes by result, pushes
 * rejected because the remote moved (conflicts), reruns after them (retries), the last push and
 * the last failure, and whether this replica holds the scheduler lease.
 */
import type { CommitReport } from '../core/gitops.js';
import type { LeaseState } from '../git/lease.js';
import type { MetricsRegistry } from './metrics.js';

/** The Git side of serve's telemetry. */
export interface GitTelemetry {
  /** A pass or batch finished its Git work. */
  done(report: CommitReport, at: Date): void;
  /** A push was rejected because the remote moved. */
  conflict(): void;
  /** A pass or batch failed in Git (or before, for a reason given). */
  failed(reason: string, message: string, at: Date): void;
  /** The lease was read or written. */
  lease(state: LeaseState, at: Date): void;
  /** The scheduled pass was left to the lease holder. */
  skipped(): void;
  /** The `git` member of /healthz. */
  health(): Record<string, unknown>;
}

/** Registers the Git metric families in `registry`. */
export function createGitTelemetry(
  registry: MetricsRegistry,
  target: { remote: string; branch: string },
): GitTelemetry {
  const pushes = registry.counter(
    'isctl_git_pushes_total',
    'Passes and webhook batches by what they did in Git (pushed, no_change, failed).',
  );
  const conflicts = registry.counter(
    'isctl_git_push_conflicts_total',
    'Pushes rejected because the remote branch had moved (each is followed by a retry or a give-up).',
  );
  const retries = registry.counter(
    'isctl_git_push_retries_total',
    'Reruns of a change on the remote head after a rejected push.',
  );
  const skipped = registry.counter(
    'isctl_git_lease_skipped_passes_total',
    'Scheduled passes left to the replica holding the scheduler lease.',
  );
  // Every series exists from the start (at 0), so a rate or an alert never sees a gap.
  for (const result of ['pushed', 'no_change', 'failed']) pushes({ result }, 0);
  conflicts({}, 0);
  retries({}, 0);
  skipped({}, 0);
  let lastPush: { at: string; commit: string; attempts: number; conflicts: number } | undefined;
  let lastError: { at: string; reason: string; message: string } | undefined;
  let lastPushSeconds = 0;
  let leaseState: (LeaseState & { checkedAt: string }) | undefined;
  let totalConflicts = 0;
  let totalRetries = 0;
  registry.gauge(
    'isctl_git_last_push_timestamp_seconds',
    'When this replica last pushed a commit (Unix time; 0 = not yet).',
    () => lastPushSeconds,
  );
  registry.gauge('isctl_git_lease_held', '1 while this replica holds the scheduler lease.', () =>
    leaseState?.held ? 1 : 0,
  );
  return {
    done(report, at) {
      if (report.attempts > 1) {
        retries({}, report.attempts - 1);
        totalRetries += report.attempts - 1;
      }
      if (report.pushed && report.commit) {
        pushes({ result: 'pushed' });
        lastPush = {
          at: at.toISOString(),
          commit: report.commit,
          attempts: report.attempts,
          conflicts: report.conflicts,
        };
        lastPushSeconds = Math.floor(at.getTime() / 1000);
      } else pushes({ result: 'no_change' });
    },
    conflict() {
      conflicts();
      totalConflicts++;
    },
    failed(reason, message, at) {
      pushes({ result: 'failed' });
      lastError = { at: at.toISOString(), reason, message };
    },
    lease(state, at) {
      leaseState = { ...state, checkedAt: at.toISOString() };
    },
    skipped() {
      skipped();
    },
    health() {
      return {
        git: {
          remote: target.remote,
          branch: target.branch,
          lastPush: lastPush ?? null,
          lastError: lastError ?? null,
          conflicts: totalConflicts,
          retries: totalRetries,
          lease: leaseState
            ? {
                held: leaseState.held,
                holder: leaseState.holder ?? null,
                expiresAt: leaseState.expiresAt?.toISOString() ?? null,
                checkedAt: leaseState.checkedAt,
              }
            : null,
        },
      };
    },
  };
}
