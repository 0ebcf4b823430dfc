/**
 * Every error isctl reports is one of the classes below; nothing else extends them. Core and
 * library code throw these; src/cli/errors.ts alone turns each class into the text oc prints and
 * the exit code (by class, never by message).
 */

/** Base class: a message for the user and an optional hint line saying what to do. */
export abstract class IsctlError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    if (hint !== undefined) this.hint = hint;
  }
}

/**
 * A command line that names too little or the wrong thing, reported as kubectl's
 * `cmdutil.UsageErrorf` does (k8s.io/kubectl pkg/cmd/util/helpers.go): `error: MSG` followed by
 * `See 'CMD -h' for help and examples`. Use it only where oc uses UsageErrorf; what oc's
 * Complete/Validate reject with a plain error is a CommandError.
 */
export class UsageError extends IsctlError {}

/**
 * A request the command refuses or cannot carry out (oc's Complete/Validate, and checks against
 * what the folder holds): `error: MSG`.
 */
export class CommandError extends IsctlError {}

/** A pull spec, istag or isimage name that does not follow the grammar: `error: MSG`. */
export class InvalidReferenceError extends IsctlError {
  readonly spec: string;
  /** What is wrong, without the `invalid pull spec "…": ` prefix of the message. */
  readonly reason: string;
  constructor(spec: string, message: string, hint?: string, reason = message) {
    super(message, hint);
    this.spec = spec;
    this.reason = reason;
  }
}

/** A state file that cannot be parsed or holds an invalid object; names path:line:col. */
export class StateFileError extends IsctlError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  constructor(file: string, message: string, pos?: { line?: number; column?: number }, hint?: string) {
    const where = pos?.line ? `${file}:${pos.line}${pos.column ? `:${pos.column}` : ''}` : file;
    super(`${where}: ${message}`, hint);
    this.file = file;
    if (pos?.line !== undefined) this.line = pos.line;
    if (pos?.column !== undefined) this.column = pos.column;
  }
}

/** One validation problem: the JSON path inside the object and what is expected. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * An object that fails OpenShift validation; printed as kubectl prints a StatusReasonInvalid
 * error (`The ImageStream "x" is invalid: FIELD: MSG`).
 */
export class ValidationError extends IsctlError {
  readonly kind: string;
  readonly objectName: string;
  readonly problems: FieldProblem[];
  readonly file?: string;
  constructor(kind: string, objectName: string, problems: FieldProblem[], file?: string) {
    const detail = problems.map((p) => `${p.field}: ${p.message}`).join(', ');
    const prefix = file ? `${file}: ` : '';
    super(`${prefix}The ${kind} "${objectName}" is invalid: ${detail}`);
    this.kind = kind;
    this.objectName = objectName;
    this.problems = problems;
    if (file !== undefined) this.file = file;
  }
}

/** The reasons of API status errors isctl reproduces (metav1.StatusReason). */
export type ServerReason = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'MethodNotAllowed' | 'BadRequest';

/**
 * What the API server would have refused: printed as kubectl's StandardErrorMessage prints a
 * status error, `Error from server (REASON): MSG`.
 */
export class ServerError extends IsctlError {
  readonly reason: ServerReason;
  constructor(reason: ServerReason, message: string, hint?: string) {
    super(message, hint);
    this.reason = reason;
  }
}

/** An object that is not in the state folder; worded like the API server's NotFound. */
export class NotFoundError extends ServerError {
  constructor(resource: string, name: string, hint?: string) {
    super('NotFound', `${resource} "${name}" not found`, hint);
  }
}

/**
 * Several errors that kubectl's checkErr receives as one aggregate (k8s.io/kubectl
 * pkg/cmd/util/helpers.go: an utilerrors.Aggregate of more than one error, or one still left
 * after checkErr unwrapped an aggregate of one): MultipleErrors prints each on its own line, a
 * status error as StandardErrorMessage words it, any other as its bare message, without `error: `.
 */
export class ErrorList extends IsctlError {
  readonly errors: readonly IsctlError[];
  constructor(errors: readonly IsctlError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.errors = errors;
  }
}

/** A registry answered with an error or could not be reached. URL is already redacted. */
export class RegistryError extends IsctlError {
  readonly status?: number;
  readonly method?: string;
  readonly url?: string;
  readonly ociCodes: string[];
  /** True when retrying later may succeed (network faults, 429, 5xx). */
  readonly transient: boolean;
  /** OpenShift-style reason for ImportSuccess=False conditions (NotFound, Unauthorized, InternalError...). */
  readonly reason: string;
  constructor(
    message: string,
    opts: {
      status?: number;
      method?: string;
      url?: string;
      ociCodes?: string[];
      transient?: boolean;
      reason?: string;
      hint?: string;
    } = {},
  ) {
    super(message, opts.hint);
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.method !== undefined) this.method = opts.method;
    if (opts.url !== undefined) this.url = opts.url;
    this.ociCodes = opts.ociCodes ?? [];
    this.transient = opts.transient ?? false;
    this.reason = opts.reason ?? 'InternalError';
  }
}

/** Credentials rejected or missing; the hint names where credentials are read from. */
export class AuthError extends RegistryError {
  constructor(message: string, opts: { status?: number; method?: string; url?: string; hint?: string } = {}) {
    super(message, { ...opts, reason: 'Unauthorized', transient: false });
  }
}

/** Content did not match its digest, a body was too large, or a manifest is malformed. */
export class IntegrityError extends RegistryError {
  constructor(message: string, opts: { url?: string } = {}) {
    super(message, { ...opts, reason: 'InternalError', transient: false });
  }
}

/** The state folder lock could not be taken. */
export class LockError extends IsctlError {}

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
    super(message, hint);
    this.reason = reason;
    this.detail = detail;
  }
}
