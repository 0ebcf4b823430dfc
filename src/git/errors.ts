/**
 * The one error type of the Git adapter and of `--commit`/`--push`: `reason` names the fault so
 * callers (and tests) can tell a conflict from an unreachable remote without reading messages.
 */
import { IsctlError } from '../domain/errors.js';

/** What went wrong with Git. */
export type GitFailure =
  /** `git` itself could not be started (not installed, not on PATH). */
  | 'NoGit'
  /** The state folder is not inside a Git work tree. */
  | 'NotWorkTree'
  /** HEAD does not name a branch. */
  | 'DetachedHead'
  /** The branch has no upstream and no --push-to was given. */
  | 'NoUpstream'
  /** A merge, rebase, cherry-pick or revert is in progress. */
  | 'OperationInProgress'
  /** A file the command must change has uncommitted edits. */
  | 'DirtyFile'
  /** The branch has commits that are not on the remote branch. */
  | 'Ahead'
  /** Git knows no committer identity. */
  | 'NoIdentity'
  /** `git commit` failed (a hook refused, signing failed…). */
  | 'CommitFailed'
  /** The remote could not be reached, or refused our credentials. */
  | 'Unreachable'
  /** The remote refused the push for a reason other than having moved (hook, protected branch). */
  | 'PushRefused'
  /** Every attempt was rejected because the remote kept moving. */
  | 'GaveUp'
  /** Moving to the remote head would overwrite uncommitted edits. */
  | 'WouldOverwrite'
  /** A git command ran longer than allowed. */
  | 'Timeout'
  /** Any other failure of a git command. */
  | 'Failed';

/** A Git fault, worded for the user, with a hint saying what to do. */
export class GitError extends IsctlError {
  readonly reason: GitFailure;
  /** What git printed on stderr (credentials in URLs removed), for logs. */
  readonly detail: string;
  constructor(reason: GitFailure, message: string, hint?: string, detail = '') {
    super('Git', message, hint);
    this.reason = reason;
    this.detail = detail;
  }
}
