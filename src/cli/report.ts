/**
 * Shared printing for commands that change files: trigger lines and diffs on stdout, warnings on
 * stderr, and the optional `--on-build` command for triggered BuildConfigs.
 */
import type { FileChange } from '../state/types.js';
import type { TriggerReport } from '../core/context.js';
import { renderDiffs, renderTriggerReport } from '../output/changes.js';
import type { CliIO } from './io.js';

/** Prints what a transaction changed. Returns the triggered builds for --on-build. */
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
