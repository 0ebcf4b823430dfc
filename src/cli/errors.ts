/**
 * The one place that maps errors to what the user sees and to the exit code
 * (0 success, 1 failure, 2 usage error), worded as `oc` words them (oc-cli.md §1.8).
 */
import { IsctlError, NotFoundError, InvalidReferenceError, UsageError, ValidationError } from '../domain/errors.js';

/** Codes of errors that on a cluster come from the API server (`Error from server (CODE): …`). */
const SERVER_CODES = new Set(['AlreadyExists', 'MethodNotAllowed', 'Conflict']);

/** Exit codes of isctl. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Thrown by commands to end with a code after having printed their output. */
export class ExitSignal extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
  }
}

/** Renders an error as the lines to print on stderr and the exit code. */
export function renderError(err: unknown, commandPath = 'isctl'): { text: string; exitCode: number } {
  const r = renderErrorText(err, commandPath);
  r.text = escapeControls(r.text);
  // A command may raise the code of an error (refresh --exit-code uses >1 for errors, as kubectl diff).
  const forced = (err as { exitCode?: unknown } | null)?.exitCode;
  if (!(err instanceof ExitSignal) && typeof forced === 'number' && forced > r.exitCode) r.exitCode = forced;
  return r;
}

function renderErrorText(err: unknown, commandPath: string): { text: string; exitCode: number } {
  if (err instanceof ExitSignal) return { text: err.message ? `error: ${err.message}\n` : '', exitCode: err.exitCode };
  if (err instanceof UsageError) {
    const hint = err.hint ? `\n${err.hint}` : '';
    return {
      text: `error: ${err.message}${hint}\nSee '${commandPath} -h' for help and examples\n`,
      exitCode: EXIT.usage,
    };
  }
  if (err instanceof NotFoundError || (err instanceof IsctlError && SERVER_CODES.has(err.code))) {
    // Errors the API server would have returned carry its prefix, as oc prints them.
    return { text: `Error from server (${err.code}): ${err.message}${hintLine(err)}\n`, exitCode: EXIT.failure };
  }
  if (err instanceof InvalidReferenceError && /must be retrieved with/.test(err.message)) {
    return { text: `Error from server (BadRequest): ${err.message}\n`, exitCode: EXIT.failure };
  }
  if (err instanceof ValidationError) return { text: `${err.message}${hintLine(err)}\n`, exitCode: EXIT.failure };
  if (err instanceof IsctlError) return { text: `error: ${err.message}${hintLine(err)}\n`, exitCode: EXIT.failure };
  const e = err as { code?: string; message?: string };
  if (e && typeof e.code === 'string' && e.code.startsWith('commander.')) {
    return {
      text: '',
      exitCode: e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.ok : EXIT.usage,
    };
  }
  const message = e?.message ?? String(err);
  return { text: `error: ${message}\n`, exitCode: EXIT.failure };
}

/**
 * Messages quote user input (names, pull specs, file content); a control character in it must not
 * reach the terminal, where ESC sequences could recolour, hide or forge lines. Line breaks and tabs
 * stay; every other C0/C1 control is shown as \xNN.
 */
function escapeControls(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function hintLine(err: IsctlError): string {
  return err.hint ? `\nhint: ${err.hint}` : '';
}
