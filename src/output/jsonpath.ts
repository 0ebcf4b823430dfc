/**
 * The kubectl `-o jsonpath=TEMPLATE` subset (k8s.io/client-go/util/jsonpath): text, `{.a.b}`,
 * `{$.a}`, `..name`, `[n]`, `[a:b]`, `[*]`, `.*`, `['key']`, filters `[?(@.x=="y")]` (==, !=, <,
 * <=, >, >=, existence), `{range EXPR}…{end}` and string literals `{"\n"}`. Missing keys print
 * nothing, as kubectl enables AllowMissingKeys; several results of one action are space-separated.
 */
import { CommandError } from '../domain/errors.js';
import { goEscape, sortKeys } from './serialize.js';

/** A template that does not parse; the message names it as kubectl does. */
function jsonPathError(template: string, detail: string): CommandError {
  return new CommandError(`error parsing jsonpath ${template}, ${detail}`);
}

type Step =
  | { t: 'field'; name: string }
  | { t: 'recursive'; name: string }
  | { t: 'wildcard' }
  | { t: 'index'; i: number }
  | { t: 'slice'; start?: number; end?: number; step?: number }
  | { t: 'filter'; left: Step[]; op?: string; right?: Step[] | { literal: unknown } };

type Node =
  | { t: 'text'; text: string }
  | { t: 'path'; root: boolean; steps: Step[] }
  | { t: 'range'; root: boolean; steps: Step[]; body: Node[] };

/** Renders `template` against `data` as kubectl's JSONPath printer does. */
export function renderJsonPath(template: string, data: unknown): string {
  const nodes = parseTemplate(template);
  const out: string[] = [];
  walk(nodes, data, data, out);
  return out.join('');
}

function parseTemplate(template: string): Node[] {
  const stack: Node[][] = [[]];
  const ranges: Extract<Node, { t: 'range' }>[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack[stack.length - 1].push({ t: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack[stack.length - 1].push({ t: 'text', text: template.slice(i, open) });
    const close = findClose(template, open);
    if (close < 0) throw jsonPathError(template, 'unclosed action');
    const action = template.slice(open + 1, close).trim();
    i = close + 1;
    if (action === 'end') {
      const r = ranges.pop();
      if (!r) throw jsonPathError(template, 'not in range, nothing to end');
      stack.pop();
      continue;
    }
    if (action.startsWith('range ') || action.startsWith('range\t')) {
      const expr = parseExpr(template, action.slice(6).trim());
      const node: Extract<Node, { t: 'range' }> = { t: 'range', root: expr.root, steps: expr.steps, body: [] };
      stack[stack.length - 1].push(node);
      ranges.push(node);
      stack.push(node.body);
      continue;
    }
    if (action.startsWith('"')) {
      stack[stack.length - 1].push({ t: 'text', text: unquote(template, action) });
      continue;
    }
    const expr = parseExpr(template, action);
    stack[stack.length - 1].push({ t: 'path', root: expr.root, steps: expr.steps });
  }
  if (ranges.length > 0) throw jsonPathError(template, 'unclosed range, {end} expected');
  return stack[0];
}

// The matching '}' of an action, skipping quoted strings.
function findClose(s: string, open: number): number {
  let quote = '';
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return i;
  }
  return -1;
}

function unquote(template: string, lit: string): string {
  try {
    return JSON.parse(lit) as string;
  } catch {
    throw jsonPathError(template, `invalid string literal ${lit}`);
  }
}

function parseExpr(template: string, expr: string): { root: boolean; steps: Step[] } {
  let s = expr;
  let root = false;
  if (s.startsWith('$')) {
    root = true;
    s = s.slice(1);
  } else if (s.startsWith('@')) s = s.slice(1);
  return { root, steps: parseSteps(template, s) };
}

function parseSteps(template: string, s: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const ident = /^[A-Za-z0-9_\-/$:]+/;
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      const m = ident.exec(s.slice(i + 2));
      if (!m) throw jsonPathError(template, `invalid recursive descent at ${s.slice(i)}`);
      steps.push({ t: 'recursive', name: m[0] });
      i += 2 + m[0].length;
    } else if (s[i] === '.') {
      if (s[i + 1] === '*') {
        steps.push({ t: 'wildcard' });
        i += 2;
        continue;
      }
      const m = ident.exec(s.slice(i + 1));
      if (!m) {
        if (i + 1 >= s.length) break; // a lone "." means the current object
        throw jsonPathError(template, `unrecognized character in action: ${s.slice(i + 1)}`);
      }
      steps.push({ t: 'field', name: m[0] });
      i += 1 + m[0].length;
    } else if (s[i] === '[') {
      const close = matchingBracket(s, i);
      if (close < 0) throw jsonPathError(template, 'unterminated array');
      steps.push(parseBracket(template, s.slice(i + 1, close).trim()));
      i = close + 1;
    } else {
      throw jsonPathError(template, `unrecognized character in action: ${s.slice(i)}`);
    }
  }
  return steps;
}

function matchingBracket(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return -1;
}

function parseBracket(template: string, inner: string): Step {
  if (inner === '*') return { t: 'wildcard' };
  if (/^'.*'$|^".*"$/.test(inner)) return { t: 'field', name: inner.slice(1, -1) };
  if (inner.startsWith('?(') && inner.endsWith(')')) return parseFilter(template, inner.slice(2, -1).trim());
  if (/^-?\d+$/.test(inner)) return { t: 'index', i: Number(inner) };
  const m = /^(-?\d*):(-?\d*)(?::(-?\d*))?$/.exec(inner);
  if (m) {
    const num = (x: string | undefined) => (x === undefined || x === '' ? undefined : Number(x));
    return { t: 'slice', start: num(m[1]), end: num(m[2]), step: num(m[3]) };
  }
  throw jsonPathError(template, `invalid array index ${inner}`);
}

function parseFilter(template: string, f: string): Step {
  const m = /^(@[^\s=!<>]*)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(f);
  if (!m) {
    if (!f.startsWith('@')) throw jsonPathError(template, `unrecognized filter ${f}`);
    return { t: 'filter', left: parseSteps(template, f.slice(1)) };
  }
  const rightText = m[3].trim();
  let right: Step[] | { literal: unknown };
  if (rightText.startsWith('@')) right = parseSteps(template, rightText.slice(1));
  else if (/^'.*'$/.test(rightText)) right = { literal: rightText.slice(1, -1) };
  else if (/^".*"$/.test(rightText)) right = { literal: unquote(template, rightText) };
  else if (/^-?\d+(\.\d+)?$/.test(rightText)) right = { literal: Number(rightText) };
  else if (rightText === 'true' || rightText === 'false') right = { literal: rightText === 'true' };
  else throw jsonPathError(template, `unrecognized filter value ${rightText}`);
  return { t: 'filter', left: parseSteps(template, m[1].slice(1)), op: m[2], right };
}

function walk(nodes: Node[], root: unknown, current: unknown, out: string[]): void {
  for (const node of nodes) {
    if (node.t === 'text') {
      out.push(node.text);
      continue;
    }
    const values = evaluate(node.steps, node.root ? root : current);
    if (node.t === 'path') {
      out.push(values.map(printable).join(' '));
      continue;
    }
    for (const v of values) {
      const items = Array.isArray(v) ? v : [v];
      for (const item of items) walk(node.body, root, item, out);
    }
  }
}

function evaluate(steps: Step[], start: unknown): unknown[] {
  let values: unknown[] = [start];
  for (const step of steps) values = values.flatMap((v) => apply(step, v));
  return values;
}

function apply(step: Step, v: unknown): unknown[] {
  switch (step.t) {
    case 'field':
      return isObject(v) && step.name in v ? [v[step.name]] : [];
    case 'recursive':
      return recurse(v, step.name);
    case 'wildcard':
      if (Array.isArray(v)) return v;
      return isObject(v)
        ? Object.keys(v)
            .sort()
            .map((k) => v[k])
        : [];
    case 'index': {
      if (!Array.isArray(v)) return [];
      const i = step.i < 0 ? v.length + step.i : step.i;
      return i >= 0 && i < v.length ? [v[i]] : [];
    }
    case 'slice':
      return Array.isArray(v) ? slice(v, step) : [];
    case 'filter':
      return Array.isArray(v) ? v.filter((item) => matches(step, item)) : [];
  }
}

function slice(v: unknown[], s: { start?: number; end?: number; step?: number }): unknown[] {
  const norm = (x: number) => Math.min(Math.max(x < 0 ? v.length + x : x, 0), v.length);
  const start = norm(s.start ?? 0);
  const end = norm(s.end ?? v.length);
  const step = s.step && s.step > 0 ? s.step : 1;
  const out: unknown[] = [];
  for (let i = start; i < end; i += step) out.push(v[i]);
  return out;
}

function recurse(v: unknown, name: string): unknown[] {
  const out: unknown[] = [];
  if (isObject(v)) {
    if (name in v) out.push(v[name]);
    for (const k of Object.keys(v).sort()) out.push(...recurse(v[k], name));
  } else if (Array.isArray(v)) {
    for (const item of v) out.push(...recurse(item, name));
  }
  return out;
}

function matches(f: Extract<Step, { t: 'filter' }>, item: unknown): boolean {
  const left = evaluate(f.left, item);
  if (!f.op || f.right === undefined) return left.length > 0;
  const right = Array.isArray(f.right) ? evaluate(f.right, item) : [f.right.literal];
  if (left.length === 0 || right.length === 0) return false;
  const [a, b] = [left[0], right[0]];
  switch (f.op) {
    case '==':
      return a === b || (typeof a === 'number' && String(a) === String(b));
    case '!=':
      return a !== b;
    case '<':
      return Number(a) < Number(b);
    case '<=':
      return Number(a) <= Number(b);
    case '>':
      return Number(a) > Number(b);
    default:
      return Number(a) >= Number(b);
  }
}

// Maps and lists print as compact JSON; strings raw; other scalars with fmt.Sprint.
function printable(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return goEscape(JSON.stringify(sortKeys(v)));
  return String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
