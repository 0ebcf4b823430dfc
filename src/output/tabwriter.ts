/**
 * A re-implementation of Go's text/tabwriter (the algorithm of `format`/`writeLines`/
 * `writePadding`), used with oc's describe settings (padchar TAB) and kubectl's table settings
 * (padchar space, min width 6, padding 3) (openshift/oc pkg/helpers/describe
 * tabbedString; cli-runtime printers.GetNewTabWriter).
 */
import { escapeControls } from '../domain/escape.js';

/** Settings of a Go tabwriter.Writer (flags are always 0 here). */
export interface TabwriterOptions {
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: string;
}

/** oc describe: `out.Init(buf, 0, 8, 1, '\t', 0)` (helpers.go tabbedString). */
export const DESCRIBE_TABWRITER: TabwriterOptions = { minwidth: 0, tabwidth: 8, padding: 1, padchar: '\t' };

/** kubectl get tables: min width 6, tab width 4, padding 3, pad with spaces (cli-runtime tabwriter.go). */
export const TABLE_TABWRITER: TabwriterOptions = { minwidth: 6, tabwidth: 4, padding: 3, padchar: ' ' };

interface Cell {
  text: string;
  width: number;
}

/** Aligns tab-terminated cells of `text` the way Go's tabwriter does after Write(text) + Flush(). */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  // Tables and describes quote registries and state files: no control character reaches the terminal.
  const lines: Cell[][] = escapeControls(text)
    .split('\n')
    .map((line) => line.split('\t').map((t) => ({ text: t, width: runeCount(t) })));
  const out: string[] = [];
  const widths: number[] = [];
  format(lines, 0, lines.length, widths, opts, out);
  return out.join('');
}

function format(
  lines: Cell[][],
  line0: number,
  line1: number,
  widths: number[],
  opts: TabwriterOptions,
  out: string[],
): void {
  const column = widths.length;
  let start = line0;
  for (let i = line0; i < line1; i++) {
    if (column >= lines[i].length - 1) continue;
    // A cell exists in this column: print the lines before the block, then measure the block.
    writeLines(lines, start, i, widths, opts, out);
    start = i;
    let width = opts.minwidth;
    for (; i < line1; i++) {
      const line = lines[i];
      if (column >= line.length - 1) break;
      width = Math.max(width, line[column].width + opts.padding);
    }
    widths.push(width);
    format(lines, start, i, widths, opts, out);
    widths.pop();
    start = i;
    i--;
  }
  writeLines(lines, start, line1, widths, opts, out);
}

function writeLines(
  lines: Cell[][],
  line0: number,
  line1: number,
  widths: number[],
  opts: TabwriterOptions,
  out: string[],
): void {
  for (let i = line0; i < line1; i++) {
    const line = lines[i];
    line.forEach((cell, j) => {
      out.push(cell.text);
      if (j < widths.length && j < line.length - 1) out.push(padding(cell.width, widths[j], opts));
    });
    // The last line of the buffer has no newline of its own (text after the final '\n' is '').
    if (i + 1 < lines.length) out.push('\n');
  }
}

function padding(textw: number, cellw: number, opts: TabwriterOptions): string {
  if (opts.padchar === '\t') {
    if (opts.tabwidth === 0) return '';
    const rounded = Math.ceil(cellw / opts.tabwidth) * opts.tabwidth;
    return '\t'.repeat(Math.ceil((rounded - textw) / opts.tabwidth));
  }
  return opts.padchar.repeat(Math.max(0, cellw - textw));
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
