/**
 * What core sees of Git (the adapter is src/git/worktree.ts): a work tree holding the state
 * folder, its branch and remotes. Paths are relative to the state folder, as in FileChange.
 */

/** A branch of a remote. */
export interface RemoteBranch {
  /** A remote name (`origin`) or URL. */
  remote: string;
  /** Branch name without `refs/heads/`. */
  branch: string;
}

/** How a push ended when it did not fail outright. */
export type PushOutcome =
  /**
   * `upToDate`: the branch already pointed at this very commit (git push's `=` flag). Two writers
   * that make the same change on the same base in the same second make one identical commit, and
   * only the first push moves the branch.
   */
  | { status: 'pushed'; commit: string; upToDate?: boolean }
  /** The remote branch is not what the push expected (moved on, or the lease is stale). */
  | { status: 'rejected'; why: string };

/** The Git work tree that holds a state folder. */
export interface GitWorkTree {
  /** Absolute path of the work tree's top folder. */
  readonly root: string;
  /** The state folder, relative to `root` with a trailing slash ('' when it is the top). */
  readonly prefix: string;
  /** Throws GitError when a merge, rebase, cherry-pick or revert is in progress. */
  checkReady(): Promise<void>;
  /** The branch checked out; throws GitError 'DetachedHead' when HEAD names none. */
  branch(): Promise<string>;
  /** The upstream of a branch, or undefined when it has none (or a local one). */
  upstream(branch: string): Promise<RemoteBranch | undefined>;
  /** Names of the configured remotes. */
  remotes(): Promise<string[]>;
  /** The commit HEAD names; undefined on a branch without commits yet. */
  head(): Promise<string | undefined>;
  /** Files of the state folder with uncommitted changes (staged, unstaged or untracked), `.isctl/` excluded. */
  dirty(): Promise<Set<string>>;
  /** How many commits HEAD has that `base` does not. */
  commitsNotIn(base: string): Promise<number>;
  /**
   * Fetches a remote branch into a private ref and returns its commit (undefined when the remote
   * has no such branch). Throws GitError 'Unreachable' when the remote cannot be reached.
   */
  fetch(target: RemoteBranch): Promise<string | undefined>;
  /**
   * Moves the branch and the work tree to `commit`. 'keep' keeps uncommitted edits and refuses
   * (GitError 'WouldOverwrite') when one is in a file that differs; 'discard' drops every
   * uncommitted change of the state folder (for a clone that belongs to isctl).
   */
  moveTo(commit: string, mode: 'keep' | 'discard'): Promise<void>;
  /**
   * Commits exactly `paths` as they are in the work tree, whatever else is staged or modified;
   * returns the new commit, or undefined when they do not differ from HEAD. Throws GitError
   * 'CommitFailed' (a hook refused…) or 'NoIdentity'.
   */
  commit(paths: string[], message: string, author?: string): Promise<string | undefined>;
  /** Puts `paths` back as HEAD has them (files HEAD does not have are removed). */
  restore(paths: string[]): Promise<void>;
  /**
   * Pushes HEAD to `target`. Without `lease` the remote must fast-forward; with `lease` (the
   * commit expected there, '' for none) the branch is replaced if and only if it still holds it.
   */
  push(target: RemoteBranch, options?: { lease?: string }): Promise<PushOutcome>;
  /** True when both commits have the same tree and the same first parent. */
  sameChange(a: string, b: string): Promise<boolean>;
}
