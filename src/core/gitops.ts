/**
 * `--commit` / `--push`: run a command's change, commit exactly the files it changed, push, and
 * when the remote moved meanwhile fetch it, move to its head and run the same change again on
 * that base (the caller reuses its registry answers), with bounded, jittered retries. The remote
 * branch is the arbiter: its compare-and-swap ref update decides which writer wins, and a change
 * another writer already made yields no commit. Git itself is injected (src/git/types.ts).
 */
import { GitError } from '../git/errors.js';
import type { GitWorkTree, RemoteBranch } from '../git/types.js';
import type { FileChange } from '../state/types.js';
import type { TagChange, TriggerReport } from './context.js';
import type { TagRefreshOutcome } from './refresh.js';

/** What a commit message says about a change. */
export interface CommitFacts {
  /** The isctl command (`refresh`, `import-image`, `tag`, `rollout latest`). */
  command: string;
  /** Every stream tag whose current image moved. */
  tags: { namespace: string; stream: string; tag: string; oldDigest?: string; newDigest: string }[];
  /** Every workload whose images or rollout changed. */
  workloads: { kind: string; namespace: string; name: string; latestVersion?: number; images: string[] }[];
}

/** One run of the command's change. */
export interface ChangeRun<R> {
  result: R;
  changes: FileChange[];
  facts: CommitFacts;
  /** What `-o json` would print for this run (the data of --message-template). */
  data: unknown;
}

/** Runs the change; with dryRun it computes the file changes but writes nothing. */
export type ChangeRunner<R> = (o: { dryRun: boolean }) => Promise<ChangeRun<R>>;

/** Where the commit goes. */
export interface PushSpec {
  /** The branch pushed to. */
  target: RemoteBranch;
  /**
   * 'fast-forward': the target must contain what it held (rejected → rerun on its new head).
   * 'replace': the target (a pull-request branch) becomes base + this change, by lease.
   */
  mode: 'fast-forward' | 'replace';
  /** The branch the change is built on (fetched first); the target itself for fast-forward. */
  base?: RemoteBranch;
}

/** How `commitChange` works. */
export interface CommitSpec<R> {
  push?: PushSpec;
  /** The work tree belongs to isctl (serve's clone): uncommitted changes are discarded when moving. */
  owned?: boolean;
  /** `Name <email>` for --author. */
  author?: string;
  message: (run: ChangeRun<R>) => string;
  /** Attempts in all (default 6). */
  attempts?: number;
  /** Backoff before attempt n+1: random(0, min(maxMs, baseMs·2^(n-1))) ("full jitter"). */
  backoff?: { baseMs: number; maxMs: number };
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Told about every rejected push (for logs and metrics). */
  onConflict?: (info: { attempt: number; why: string; delayMs: number }) => void;
}

/** What happened in Git. */
export interface CommitReport {
  branch: string;
  /** The commit made (undefined when the change was empty or already on the remote). */
  commit?: string;
  pushed: boolean;
  target?: RemoteBranch;
  /** Runs of the change (1 + retries). */
  attempts: number;
  /** Pushes rejected because the remote moved. */
  conflicts: number;
  /** The change was already on the push target (another writer made it): nothing pushed. */
  alreadyThere?: boolean;
}

const DEFAULT_ATTEMPTS = 6;
const DEFAULT_BACKOFF = { baseMs: 200, maxMs: 5000 };

/** Runs the change and commits (and pushes) it; see the module comment. */
export async function commitChange<R>(
  git: GitWorkTree,
  run: ChangeRunner<R>,
  spec: CommitSpec<R>,
): Promise<{ run: ChangeRun<R>; report: CommitReport }> {
  await git.checkReady();
  const branch = await git.branch();
  const push = spec.push;
  const base = push ? (push.base ?? (push.mode === 'fast-forward' ? push.target : undefined)) : undefined;
  const attempts = Math.max(1, spec.attempts ?? DEFAULT_ATTEMPTS);
  const report: CommitReport = {
    branch,
    pushed: false,
    attempts: 0,
    conflicts: 0,
    ...(push ? { target: push.target } : {}),
  };
  if (base) await moveToRemote(git, base, spec, undefined);
  let current: ChangeRun<R> | undefined;
  let commit: string | undefined;
  let builtOn: string | undefined;
  for (;;) {
    if (!commit) {
      report.attempts++;
      builtOn = await git.head();
      current = await runGuarded(git, run, Boolean(spec.owned));
      const paths = current.changes.map((c) => c.path);
      if (paths.length === 0) return { run: current, report };
      try {
        commit = await git.commit(paths, checkedMessage(spec.message(current)), spec.author);
      } catch (err) {
        // Nothing half: the files go back to what HEAD has (they had no edits of their own).
        await git.restore(paths).catch(() => undefined);
        throw err;
      }
      if (!commit) return { run: current, report };
      report.commit = commit;
    }
    if (!push) return { run: current!, report };
    let lease: string | undefined;
    if (push.mode === 'replace') {
      const there = await git.fetch(push.target);
      if (there && (await git.sameChange(there, commit))) {
        report.alreadyThere = true;
        report.commit = there;
        return { run: current!, report };
      }
      lease = there ?? '';
    }
    const pushed = commit;
    const r = await git.push(push.target, lease !== undefined ? { lease } : {}).catch((err: unknown) => {
      throw err instanceof GitError && err.reason === 'PushRefused' ? refused(err, base, pushed, spec.owned) : err;
    });
    if (r.status === 'pushed') {
      if (r.upToDate) report.alreadyThere = true;
      else report.pushed = true;
      return { run: current!, report };
    }
    report.conflicts++;
    const attempt = report.conflicts;
    if (attempt >= attempts) throw gaveUp(push.target, base, attempts, r.why, commit, spec.owned);
    const backoff = spec.backoff ?? DEFAULT_BACKOFF;
    const delayMs = Math.round(spec.random() * Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1)));
    spec.onConflict?.({ attempt, why: r.why, delayMs });
    await spec.sleep(delayMs);
    // A pull-request branch that moved while its base did not: push the same commit with the new lease.
    if (base && (await moveToRemote(git, base, spec, builtOn))) {
      commit = undefined;
      report.commit = undefined;
    }
  }
}

/**
 * Brings the branch to the head of `base` on the remote; false when the work is based on it
 * already (`builtOn`: the commit this run's commit was made on; undefined before the first run).
 * Commits of the user's own that the remote does not have are never dropped: the first move
 * refuses them, later moves drop only the commit this run made.
 */
async function moveToRemote(
  git: GitWorkTree,
  base: RemoteBranch,
  spec: { owned?: boolean },
  builtOn: string | undefined,
): Promise<boolean> {
  const first = builtOn === undefined;
  const head = await git.fetch(base);
  // A clone of isctl's own starts every run clean: whatever a killed run left is dropped.
  const target = head ?? (spec.owned && first ? await git.head() : undefined);
  if (!target) return false;
  if (target === (first ? await git.head() : builtOn) && !(spec.owned && first)) return false;
  if (!spec.owned) {
    const ahead = await git.commitsNotIn(target);
    if (ahead > (first ? 0 : 1)) {
      const mine = first ? ahead : ahead - 1;
      throw new GitError(
        'Ahead',
        `the branch has ${mine} commit${mine === 1 ? '' : 's'} that ${base.remote}/${base.branch} does not have`,
        first
          ? `push or drop ${mine === 1 ? 'it' : 'them'} first: --commit pushes only the commit it makes`
          : `${base.remote}/${base.branch} was rewritten meanwhile; look at it (git fetch ${base.remote}) before running again`,
      );
    }
  }
  await git.moveTo(target, spec.owned ? 'discard' : 'keep');
  return true;
}

/** Runs the change; a file it must change that has uncommitted edits stops it before anything is written. */
async function runGuarded<R>(git: GitWorkTree, run: ChangeRunner<R>, owned: boolean): Promise<ChangeRun<R>> {
  if (!owned) {
    const dirty = await git.dirty();
    if (dirty.size > 0) {
      const preview = await run({ dryRun: true });
      const overlap = preview.changes.map((c) => c.path).filter((p) => dirty.has(p));
      if (overlap.length > 0) {
        const names = overlap.map((p) => `${git.prefix}${p}`).join(', ');
        throw new GitError(
          'DirtyFile',
          `${names} ${overlap.length === 1 ? 'has' : 'have'} uncommitted edits and would be changed: nothing was written`,
          'commit or stash those edits (git stash), or undo them (git restore FILE), then run again',
        );
      }
    }
  }
  return run({ dryRun: false });
}

function checkedMessage(message: string): string {
  if (message.trim() === '')
    throw new GitError(
      'CommitFailed',
      'the commit message is empty',
      'check --message-template: it printed nothing for this change',
    );
  return message.endsWith('\n') ? message : `${message}\n`;
}

/** How to drop this run's commit again: back to the remote branch it was built on, else to its parent. */
function dropCommand(base: RemoteBranch | undefined, commit: string): string {
  return `git reset --keep ${base ? `${base.remote}/${base.branch}` : `${commit.slice(0, 12)}~`}`;
}

/**
 * A push the remote refused (a hook, a branch protection rule): its message as the adapter gives
 * it, and a hint that says where the change is now — committed locally, not pushed — and how to
 * drop it, as after giving up (`gaveUp`); a clone of isctl's own starts again from the remote.
 */
function refused(err: GitError, base: RemoteBranch | undefined, commit: string, owned: boolean | undefined): GitError {
  const decides = 'the remote (a hook or a branch protection rule) decides; see its message';
  return new GitError(
    'PushRefused',
    err.message,
    owned
      ? `${decides}; the next pass starts again from the remote branch`
      : `${decides}. The change is committed locally as ${commit.slice(0, 12)} but not pushed: drop it ` +
          `(${dropCommand(base, commit)}) and run again once the remote accepts it, or with --push-branch NAME ` +
          'to push it to a branch of its own for a pull request',
    err.detail,
  );
}

function gaveUp(
  target: RemoteBranch,
  base: RemoteBranch | undefined,
  attempts: number,
  why: string,
  commit: string,
  owned: boolean | undefined,
): GitError {
  return new GitError(
    'GaveUp',
    `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${target.remote} ${target.branch} kept moving ` +
      `(last rejection: ${why})`,
    owned
      ? 'the next pass starts again from the remote branch'
      : `the change is committed locally as ${commit.slice(0, 12)} but not pushed: push it later ` +
          `(git pull --rebase && git push), or drop it (${dropCommand(base, commit)}) and run again`,
  );
}

/** The workloads a set of trigger reports updated, as commit facts. */
export function workloadFacts(reports: readonly TriggerReport[]): CommitFacts['workloads'] {
  return reports.flatMap((r) =>
    r.updated.map((w) => ({
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
      ...(w.rollout ? { latestVersion: w.rollout.latestVersion } : {}),
      images: w.changes.map((c) => `${c.container}=${c.to}`),
    })),
  );
}

/** Commit facts from the tags a transaction moved (import-image, tag). */
export function factsFromTagChanges(
  command: string,
  changes: readonly TagChange[],
  reports: readonly TriggerReport[],
): CommitFacts {
  return {
    command,
    tags: changes.map((c) => ({
      namespace: c.namespace,
      stream: c.stream,
      tag: c.tag,
      ...(c.from ? { oldDigest: c.from.image } : {}),
      newDigest: c.to.image,
    })),
    workloads: workloadFacts(reports),
  };
}

/** Commit facts from refresh outcomes. */
export function factsFromOutcomes(
  command: string,
  outcomes: readonly TagRefreshOutcome[],
  reports: readonly TriggerReport[],
): CommitFacts {
  return {
    command,
    tags: outcomes
      .filter((o) => o.status === 'changed' && o.newDigest)
      .map((o) => ({
        namespace: o.namespace,
        stream: o.stream,
        tag: o.tag,
        ...(o.oldDigest ? { oldDigest: o.oldDigest } : {}),
        newDigest: o.newDigest!,
      })),
    workloads: workloadFacts(reports),
  };
}
