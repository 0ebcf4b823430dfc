/**
 * `-o json|yaml|name` as kubectl prints them: keys sorted (objects go through unstructured maps),
 * JSON indented by 4 with Go's HTML escaping, YAML as sigs.k8s.io/yaml writes it, several
 * objects wrapped in a `v1 List` (cli-runtime printers json.go, yaml.go, name.go).
 */
import { Document, Scalar, parse, visit } from 'yaml';
import type { KubeObject } from '../domain/types.js';

/** The `List` kubectl prints for several objects (get.go: metadata.resourceVersion ""). */
export function asList(items: readonly KubeObject[]): KubeObject {
  return { apiVersion: 'v1', items: [...items], kind: 'List', metadata: { resourceVersion: '' } };
}

/** Deep copy with object keys in byte order (Go's map iteration in encoding/json and yaml.v2). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** `-o json`: json.MarshalIndent(obj, "", "    ") + "\n", with Go's escaping of <, > and &. */
export function toJson(value: unknown): string {
  const text = JSON.stringify(sortKeys(value), null, 4) ?? 'null';
  return `${goEscape(text)}\n`;
}

/** Go's encoding/json escapes <, >, &, U+2028 and U+2029 inside strings. */
export function goEscape(jsonText: string): string {
  return jsonText.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `-o yaml` as go-yaml v2 (sigs.k8s.io/yaml) writes it: block style, sorted keys, sequences not
 * indented under their key, strings that would read back as another type ("1.0", "true", "",
 * timestamps) double-quoted, other strings that cannot be plain single-quoted, multi-line
 * strings as literal blocks.
 */
export function toYaml(value: unknown): string {
  const doc = new Document(sortKeys(value), { version: '1.1' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      if (node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
      else if (resolvesAsNonString(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, directives: false, singleQuote: true });
}

// go-yaml's encoder double-quotes a string whose plain form would resolve to another YAML 1.1 type.
function resolvesAsNonString(s: string): boolean {
  if (s === '') return true;
  try {
    const v: unknown = parse(s, { version: '1.1' });
    return v === null || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date;
  } catch {
    return false;
  }
}

/** The resource name kubectl prints with `-o name`, e.g. `imagestream.image.openshift.io/app`. */
export function resourceName(obj: KubeObject): string {
  const kind = String(obj.kind ?? '').toLowerCase();
  const apiVersion = String(obj.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const name = obj.metadata?.name ?? '';
  return group ? `${kind}.${group}/${name}` : `${kind}/${name}`;
}
