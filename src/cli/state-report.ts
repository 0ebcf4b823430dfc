/**
 * What loading the state folder found, told once per command run: a file that cannot be read
 * (`error: path:line:column: …`, and the run exits 1 after doing what it could) and what was read
 * leniently (`warning: path:line:column: …`, as kubectl warns about a repeated key). Every command
 * that reads the folder reports the same way, whichever files it needed.
 */
import type { StateFileError } from '../domain/errors.js';
import type { LoadReport } from '../state/store.js';
import { renderError } from './errors.js';
import type { CliIO } from './io.js';

interface RunRecord {
  told: Set<string>;
  errors: number;
}

const runs = new WeakMap<CliIO, RunRecord>();

function record(io: CliIO): RunRecord {
  let r = runs.get(io);
  if (!r) {
    r = { told: new Set(), errors: 0 };
    runs.set(io, r);
  }
  return r;
}

/** The `report` option of the state store for this run: prints each finding once, on stderr. */
export function stateReporter(io: CliIO): (found: LoadReport) => void {
  const r = record(io);
  const tell = (key: string, text: string): boolean => {
    if (r.told.has(key)) return false;
    r.told.add(key);
    io.stderr.write(text);
    return true;
  };
  return ({ problems, warnings }) => {
    for (const p of problems) if (tell(`e ${p.message}`, renderError(p).text)) r.errors++;
    for (const w of warnings) tell(`w ${w.message}`, `warning: ${w.message}\n`);
  };
}

/** How many files of the folder this run reported as unreadable. */
export function stateErrorCount(io: CliIO): number {
  return runs.get(io)?.errors ?? 0;
}

/** Files reported elsewhere already (e.g. a command's own listing), so they are not told twice. */
export function markReported(io: CliIO, problems: readonly StateFileError[]): void {
  const r = record(io);
  for (const p of problems)
    if (!r.told.has(`e ${p.message}`)) {
      r.told.add(`e ${p.message}`);
      r.errors++;
    }
}
