/**
 * The lists `set image-lookup` and `set triggers` print without flags, laid out as oc's
 * printImageLookup and printTriggers lay them out (openshift/oc pkg/cli/set/imagelookup.go,
 * triggers.go: tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)).
 */
import type { ImageLookupRow } from '../core/set-image-lookup.js';
import type { TriggerRow } from '../core/triggers/set-triggers/set-triggers.js';
import { tabwrite } from './tabwriter.js';

const SET_TABWRITER = { minwidth: 0, tabwidth: 2, padding: 2, padchar: ' ' } as const;

/** `set image-lookup` (no names, or --list): NAME and LOCAL. */
export function renderImageLookupTable(rows: readonly ImageLookupRow[]): string {
  const lines = ['NAME\tLOCAL', ...rows.map((row) => `${row.name}\t${row.local}`)];
  return tabwrite(`${lines.join('\n')}\n`, SET_TABWRITER);
}

/** `set triggers TYPE/NAME`: NAME, TYPE, VALUE and AUTO of each trigger. */
export function renderTriggerTable(rows: readonly TriggerRow[]): string {
  const lines = ['NAME\tTYPE\tVALUE\tAUTO', ...rows.map((r) => `${r.name}\t${r.type}\t${r.value}\t${r.auto}`)];
  return tabwrite(`${lines.join('\n')}\n`, SET_TABWRITER);
}
