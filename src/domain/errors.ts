/**
 * One error type per failure family (ARCHITECTURE.md rule 5). Core and library code throw these;
 * only src/cli/errors.ts turns them into an `oc`-style message and an exit code.
 */

/** Base class: every isctl error has a stable `code` and an optional hint line for the user. */
export class IsctlError extends Error {
  readonly code: string;
  readonly hint?: string;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (hint !== undefined) this.hint = hint;
  }
}

/** Wrong command line: exit code 2, printed with "See 'isctl CMD -h'". */
export class UsageError extends IsctlError {
  constructor(message: string, hint?: string) {
    super('Usage', message, hint);
  }
}

/** A pull spec, istag or isimage name that does not follow the grammar. */
export class InvalidReferenceError extends IsctlError {
  readonly spec: string;
  constructor(spec: string, message: string, hint?: string) {
    super('InvalidReference', message, hint);
    this.spec = spec;
  }
}

/** A state file that cannot be parsed or holds an invalid object; names path:line:col. */
export class StateFileError extends IsctlError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  constructor(file: string, message: string, pos?: { line?: number; column?: number }, hint?: string) {
    const where = pos?.line ? `${file}:${pos.line}${pos.column ? `:${pos.column}` : ''}` : file;
    super('StateFile', `${where}: ${message}`, hint);
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

/** An object that fails OpenShift validation; printed like `The ImageStream "x" is invalid: ...`. */
export class ValidationError extends IsctlError {
  readonly kind: string;
  readonly objectName: string;
  readonly problems: FieldProblem[];
  readonly file?: string;
  constructor(kind: string, objectName: string, problems: FieldProblem[], file?: string) {
    const detail = problems.map((p) => `${p.field}: ${p.message}`).join(', ');
    const prefix = file ? `${file}: ` : '';
    super('Invalid', `${prefix}The ${kind} "${objectName}" is invalid: ${detail}`);
    this.kind = kind;
    this.objectName = objectName;
    this.problems = problems;
    if (file !== undefined) this.file = file;
  }
}

/** An object that is not in the state folder; worded like the API server's NotFound. */
export class NotFoundError extends IsctlError {
  constructor(resource: string, name: string, hint?: string) {
    super('NotFound', `${resource} "${name}" not found`, hint);
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
    super('Registry', message, opts.hint);
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
export class LockError extends IsctlError {
  constructor(message: string, hint?: string) {
    super('Lock', message, hint);
  }
}
