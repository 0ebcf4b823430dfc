/**
 * kubectl's human-readable table printer (cli-runtime tableprinter.go): upper-cased headers,
 * priority-1 columns only with `-o wide`, NAMESPACE first with `-A`, cells aligned by the
 * tabwriter with spaces (min width 6, padding 3) (cli-runtime
 * pkg/printers/tablegenerator.go and tableprinter.go, printing through text/tabwriter).
 */
import { tabwrite, TABLE_TABWRITER } from './tabwriter.js';
import { escapeLine } from '../domain/escape.js';
import { redactUserInfo } from '../domain/reference.js';

/** A server-side table column (metav1.TableColumnDefinition). */
export interface TableColumn {
  name: string;
  /** 0 = always shown, 1 = only with `-o wide`. */
  priority: number;
}

/** One row: its namespace (for `-A`) and one cell per column, in column order. */
export interface TableRow {
  namespace: string;
  cells: string[];
}

/** How to render a table. */
export interface TableOptions {
  wide?: boolean;
  noHeaders?: boolean;
  /** `-A`: prepend a NAMESPACE column. */
  withNamespace?: boolean;
}

/** Renders a table exactly as `kubectl get` does (each line ends in `\n`; '' when there are no rows). */
export function renderTable(columns: TableColumn[], rows: TableRow[], opts: TableOptions = {}): string {
  if (rows.length === 0) return '';
  const shown = columns.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || c.priority === 0);
  const lines: string[] = [];
  if (!opts.noHeaders) {
    const header = shown.map(({ c }) => c.name.toUpperCase());
    lines.push((opts.withNamespace ? ['NAMESPACE', ...header] : header).join('\t'));
  }
  for (const row of rows) {
    const cells = shown.map(({ i }) => cellText(row.cells[i]));
    lines.push((opts.withNamespace ? [row.namespace, ...cells] : cells).join('\t'));
  }
  return tabwrite(`${lines.join('\n')}\n`, TABLE_TABWRITER);
}

// kubectl prints only the first line of a multi-line cell, marked with "..." (tableprinter.go).
function cellText(v: string | undefined): string {
  const s = v ?? '';
  const cut = s.search(/[\n\r\f]/);
  return escapeLine(redactUserInfo(cut >= 0 ? `${s.slice(0, cut)}...` : s));
}
