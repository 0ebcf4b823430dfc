/**
 * The layout conventions of one file, detected from its text so that inserted fragments look
 * like their neighbours: indentation unit, whether block sequences are indented under their key
 * (`key:\n  - a`) or not (`key:\n- a`, the kubectl/oc style), and the line ending.
 */
import { isMap, isPair, isSeq, visit } from 'yaml';
import type { Document } from 'yaml';

/** Layout conventions of a file. */
export interface FileStyle {
  json: boolean;
  /** One indentation step (spaces, or a tab in JSON). */
  unit: string;
  /** Block sequences indented under their parent key. */
  indentSeq: boolean;
  eol: string;
}

/** Column (0-based) of `offset` in `src`. */
export function columnOf(src: string, offset: number): number {
  return offset - (src.lastIndexOf('\n', offset - 1) + 1);
}

/** Detects the style of a YAML file from its parsed documents. */
export function detectYamlStyle(src: string, docs: Document[]): FileStyle {
  let unit = 0;
  let indentSeq: boolean | undefined;
  for (const doc of docs) {
    visit(doc, {
      Pair(_, pair) {
        if (!isPair(pair) || !pair.key || !pair.value) return;
        const keyStart = (pair.key as { range?: number[] }).range?.[0];
        const v = pair.value as { range?: number[]; flow?: boolean };
        if (keyStart === undefined || !v.range || v.flow) return;
        const keyCol = columnOf(src, keyStart);
        if (isMap(pair.value) && unit === 0) unit = columnOf(src, v.range[0]) - keyCol;
        if (isSeq(pair.value) && indentSeq === undefined) indentSeq = columnOf(src, v.range[0]) > keyCol;
        if (unit > 0 && indentSeq !== undefined) return visit.BREAK;
      },
    });
  }
  return {
    json: false,
    unit: ' '.repeat(unit > 0 && unit <= 8 ? unit : 2),
    indentSeq: indentSeq ?? false,
    eol: detectEol(src),
  };
}

/** Detects the indentation of a JSON file (2 or 4 spaces, tabs) from its second level. */
export function detectJsonStyle(src: string): FileStyle {
  const m = /\n([ \t]+)["{[\]}]/.exec(src);
  return { json: true, unit: m ? m[1] : '  ', indentSeq: true, eol: detectEol(src) };
}

function detectEol(src: string): string {
  const i = src.indexOf('\n');
  return i > 0 && src[i - 1] === '\r' ? '\r\n' : '\n';
}
