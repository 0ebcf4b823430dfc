/**
 * The one place that turns an error into what the user sees and the exit code, by its class.
 *
 * kubectl's checkErr (k8s.io/kubectl pkg/cmd/util/helpers.go) exits with DefaultErrorExitCode, 1,
 * for every error, usage errors included; oc's main calls it for whatever a command returns
 * (openshift/oc cmd/oc/oc.go). So every error here exits 1. Only modes that promise more codes
 * (`--exit-code`, as kubectl diff's CheckDiffErr) raise it, through `diffExitCode`.
 */
import { CommanderError } from '@commander-js/extra-typings';
import { ErrorList, IsctlError, ServerError, UsageError, ValidationError } from '../domain/errors.js';
// Messages quote user input, registry answers and file content: never raw control characters.
import { escapeControls } from '../domain/escape.js';
import { redactUserInfo } from '../domain/reference.js';

/** The exit code of a command run. */
export type ExitCode = number;

/** kubectl's DefaultErrorExitCode: the code of every error. */
export const ERROR_EXIT_CODE: ExitCode = 1;

/** What to print on stderr for an error, and the code to exit with. */
export interface RenderedError {
  text: string;
  exitCode: ExitCode;
}

/** Renders an error as the lines to print on stderr; `commandPath` is `isctl tag`, `isctl set triggers`… */
export function renderError(err: unknown, commandPath = 'isctl'): RenderedError {
  if (err instanceof CommanderError) return renderCommanderError(err, commandPath);
  return { text: escapeControls(redactUserInfo(errorText(err, commandPath))), exitCode: ERROR_EXIT_CODE };
}

/**
 * The code of an error in a mode that uses 1 for "something differs": one more than checkErr's,
 * as kubectl diff's CheckDiffErr (k8s.io/kubectl pkg/cmd/util/helpers.go).
 */
export function diffExitCode(rendered: RenderedError): ExitCode {
  return rendered.exitCode + 1;
}

/**
 * The exit code of a run in an `--exit-code` mode (`refresh --exit-code`, `serve --once`), after
 * kubectl diff (k8s.io/kubectl pkg/cmd/diff/diff.go): 0 nothing changed, 1 files changed, 2
 * something failed and nothing was written. kubectl diff writes nothing, so it has no code for the
 * fourth case; here changes are written even when some tags fail, and a job that commits only on
 * 1 would lose them: 3 says "changed (written), with failures" — commit, then fail.
 */
export function changesExitCode(changed: boolean, failed: boolean): ExitCode {
  if (failed) return changed ? 3 : 2;
  return changed ? 1 : 0;
}

function errorText(err: unknown, commandPath: string): string {
  if (err instanceof UsageError) {
    // cmdutil.UsageErrorf: the message, then the hint line pointing at the command's help.
    const hint = err.hint ? `\n${err.hint}` : '';
    return `error: ${err.message}${hint}\nSee '${commandPath} -h' for help and examples\n`;
  }
  // checkErr's utilerrors.Aggregate case, MultipleErrors: one line each, messageForError.
  if (err instanceof ErrorList)
    return err.errors
      .map((e) => (e instanceof ServerError ? `Error from server (${e.reason}): ${e.message}\n` : `${e.message}\n`))
      .join('');
  // Errors the API server would have returned carry its prefix (StandardErrorMessage).
  if (err instanceof ServerError) return `Error from server (${err.reason}): ${err.message}${hintLine(err)}\n`;
  // checkErr's StatusReasonInvalid case: `The KIND "NAME" is invalid: …`, no `error:` prefix.
  if (err instanceof ValidationError) return `${err.message}${hintLine(err)}\n`;
  // CommandError, InvalidReferenceError, StateFileError, RegistryError (Auth, Integrity), LockError.
  if (err instanceof IsctlError) return `error: ${err.message}${hintLine(err)}\n`;
  // Not an isctl error (a bug, or a Node error nobody caught): checkErr's default case.
  return `error: ${err instanceof Error ? err.message : String(err)}\n`;
}

/** Flag parse errors, as cobra reports them to kubectl's templater FlagErrorFunc. */
const FLAG_ERRORS = new Set([
  'commander.unknownOption',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.conflictingOption',
  'commander.invalidArgument',
]);

/** Argument-count errors, which oc's commands report with cmdutil.UsageErrorf from Complete. */
const ARGUMENT_ERRORS = new Set(['commander.missingArgument', 'commander.excessArguments']);

/** Codes commander uses when it printed help or the version: not errors. */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

function renderCommanderError(err: CommanderError, commandPath: string): RenderedError {
  if (NOT_ERRORS.has(err.code)) return { text: '', exitCode: 0 };
  // commander words its messages `error: …` already.
  const message = err.message.startsWith('error: ') ? err.message : `error: ${err.message}`;
  let hint = '';
  // kubectl pkg/util/templates/templater.go FlagErrorFunc: "%s\nSee '%s --help' for usage."
  if (FLAG_ERRORS.has(err.code)) hint = `\nSee '${commandPath} --help' for usage.`;
  else if (ARGUMENT_ERRORS.has(err.code)) hint = `\nSee '${commandPath} -h' for help and examples`;
  // An unknown command is cobra's legacyArgs error: the message alone.
  return { text: escapeControls(redactUserInfo(`${message}${hint}\n`)), exitCode: ERROR_EXIT_CODE };
}

function hintLine(err: IsctlError): string {
  return err.hint ? `\nhint: ${err.hint}` : '';
}
