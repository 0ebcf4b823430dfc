/**
 * Printing shared by the commands: what a transaction changed (trigger lines and diffs on
 * stdout, trigger warnings on stderr), and errors collected along the way (NotFound of one name
 * among several) on stderr. Files of the folder that did not load are told once per run by
 * state-report.ts, not here.
 */
import type { TriggerReport } from '../core/context.js';
import type { IsctlError } from '../domain/errors.js';
import { renderDiffs, renderTriggerReport } from '../output/changes.js';
import type { FileChange } from '../state/types.js';
import { renderError } from './errors.js';
import type { CliIO } from './io.js';

/** Prints what a transaction changed: trigger warnings on stderr, trigger lines and diffs on stdout. */
export function printChanges(
  io: CliIO,
  changes: readonly FileChange[],
  triggers: readonly TriggerReport[],
  color: boolean,
): void {
  const { lines, warnings } = renderTriggerReport(triggers);
  for (const w of warnings) io.stderr.write(`${w}\n`);
  for (const l of lines) io.stdout.write(`${l}\n`);
  const diff = renderDiffs(changes, color);
  if (diff) io.stdout.write(diff);
}

/** Prints errors the command collected (and went on after) on stderr; returns how many there were. */
export function reportErrors(io: CliIO, errors: readonly IsctlError[]): number {
  for (const e of errors) io.stderr.write(renderError(e).text);
  return errors.length;
}
