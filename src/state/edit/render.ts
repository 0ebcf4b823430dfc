/**
 * Rendering of new YAML/JSON fragments (a value, a map entry, a sequence item) in the style of
 * the file they are inserted into. Strings that YAML 1.1 readers (go-yaml in oc/kubectl) would
 * take for booleans, numbers or timestamps are quoted, as `oc get -o yaml` does.
 */
import { stringify } from 'yaml';
import type { FileStyle } from './style.js';

function yamlOptions(style: FileStyle) {
  return {
    version: '1.1' as const,
    lineWidth: 0,
    minContentWidth: 0,
    indent: style.unit.length,
    indentSeq: style.indentSeq,
  };
}

/** Prefixes every line but the first with `indent` and converts line endings. */
export function indentLines(text: string, indent: string, eol: string): string {
  return text
    .split('\n')
    .map((l, i) => (i === 0 || l === '' ? l : indent + l))
    .join(eol);
}

/** Block YAML for `value` (a map's entries, a list's items), each line at `indent`, no final newline. */
export function renderYamlBlock(value: unknown, indent: string, style: FileStyle): string {
  const text = stringify(value, yamlOptions(style)).replace(/\n$/, '');
  return indent + indentLines(text, indent, style.eol);
}

/** A one-line YAML scalar for `value` in block context, keeping the original quoting style when possible. */
export function renderYamlScalar(value: unknown, quote?: 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | string): string {
  if (typeof value !== 'string') return value === undefined ? 'null' : JSON.stringify(value);
  if (quote === 'QUOTE_DOUBLE' || /[\n\r\t\x00-\x1f\x7f]/.test(value)) return JSON.stringify(value);
  if (quote === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return stringify(value, { version: '1.1', lineWidth: 0 }).replace(/\n$/, '');
}

/** A YAML scalar safe inside a flow collection (no `,[]{}` unquoted). */
export function renderYamlFlowScalar(value: unknown, quote?: string): string {
  const s = renderYamlScalar(value, quote);
  return typeof value === 'string' && !/^["']/.test(s) && /[,[\]{}]/.test(s) ? JSON.stringify(value) : s;
}

/** Flow text for `value`: JSON (pretty, lines after the first at `indent`) or compact flow YAML. */
export function renderFlow(value: unknown, indent: string, style: FileStyle, multiline: boolean): string {
  if (style.json)
    return multiline ? indentLines(JSON.stringify(value, null, style.unit), indent, style.eol) : compactJson(value);
  return compactFlowYaml(value);
}

/** JSON on one line with `: ` and `, ` separators, as people write small literals. */
export function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Flow YAML on one line (`{a: b, c: [d]}`). */
export function compactFlowYaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactFlowYaml).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${renderYamlFlowScalar(k)}: ${compactFlowYaml(v)}`)
      .join(', ')}}`;
  }
  return renderYamlFlowScalar(value);
}

/** A map key in the file's syntax. */
export function renderKey(key: string, style: FileStyle, flow: boolean): string {
  if (style.json) return JSON.stringify(key);
  return flow ? renderYamlFlowScalar(key) : renderYamlScalar(key);
}
