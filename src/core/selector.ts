/**
 * Label selectors for `get -l` / `describe -l` (k8s.io/apimachinery pkg/labels): comma-separated
 * requirements `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k>n`, `k<n`.
 */
import { CommandError } from '../domain/errors.js';

type Requirement = (labels: Record<string, string>) => boolean;

/** A parsed selector: true when the labels satisfy every requirement. */
export type LabelSelector = (labels: Record<string, string> | null | undefined) => boolean;

/** Parses a selector; an empty string selects everything. Throws CommandError on bad syntax. */
export function parseLabelSelector(selector: string): LabelSelector {
  const reqs = splitRequirements(selector).map(parseRequirement);
  return (labels) => reqs.every((r) => r(labels ?? {}));
}

// Commas inside `in (a,b)` do not separate requirements.
function splitRequirements(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  if (s.trim() === '') return [];
  const reqs = out.map((r) => r.trim());
  if (reqs.includes('')) fail(s, 'found an empty requirement, expected: identifier');
  return reqs;
}

function parseRequirement(r: string): Requirement {
  let m = /^!\s*([\w./-]+)$/.exec(r);
  if (m) {
    const key = m[1];
    return (l) => !(key in l);
  }
  m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(r);
  if (m) {
    const [, key, op, list] = m;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => key in l && values.has(l[key]) : (l) => !(key in l) || !values.has(l[key]);
  }
  m = /^([\w./-]+)\s*(==|=|!=|>|<)\s*([\w.-]*)$/.exec(r);
  if (m) {
    const [, key, op, value] = m;
    if (op === '!=') return (l) => l[key] !== value;
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(value)) fail(r, `for 'Gt', 'Lt' operators, the value must be an integer`);
      const n = Number(value);
      return (l) => key in l && /^-?\d+$/.test(l[key]) && (op === '>' ? Number(l[key]) > n : Number(l[key]) < n);
    }
    return (l) => l[key] === value;
  }
  if (/^[\w./-]+$/.test(r)) return (l) => r in l;
  return fail(r, `found '${r}', expected: identifier, '!', 'in', 'notin', '=', '==', '!='`);
}

function fail(r: string, detail: string): never {
  throw new CommandError(
    `unable to parse requirement: ${detail}`,
    `the selector was "${r}"; write it as key=value,key2!=value2,key3 in (a,b)`,
  );
}
