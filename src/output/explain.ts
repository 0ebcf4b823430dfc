/**
 * `isctl explain RESOURCE[.FIELD…]`, printed as `oc explain` prints it (kubectl's plaintext
 * explain template: GROUP/KIND/VERSION header, FIELD line for a path, DESCRIPTION wrapped at 80
 * columns, FIELDS with `name<TAB><type> -required-`; `--recursive` lists the whole tree).
 */
import { CommandError } from '../domain/errors.js';
import { RESOURCES, type FieldDoc, type ResourceDoc } from './explain-schema.js';

/** What `explain` resolved: the resource, the field path inside it and the field (or none for the resource). */
export interface ExplainTarget {
  resource: ResourceDoc;
  path: string[];
  field?: FieldDoc;
}

/** Resolves `is.spec.tags` (or `imagestream.spec.tags`) to its documentation. */
export function resolveExplain(input: string): ExplainTarget {
  const [name, ...path] = input.split('.');
  const resource = RESOURCES.find(
    (r) => r.names.includes(name.toLowerCase()) || r.kind.toLowerCase() === name.toLowerCase(),
  );
  if (!resource) {
    throw new CommandError(
      `the server doesn't have a resource type "${name}"`,
      `isctl explain knows: ${RESOURCES.map((r) => r.names[r.names.length - 1]).join(', ')}`,
    );
  }
  let fields = resource.fields;
  let field: FieldDoc | undefined;
  for (const part of path) {
    field = fields.find((x) => x.name === part);
    if (!field)
      throw new CommandError(
        `field "${part}" does not exist`,
        `list the fields with: isctl explain ${[name, ...path.slice(0, path.indexOf(part))].join('.')}`,
      );
    fields = field.fields ?? [];
  }
  return { resource, path, ...(field ? { field } : {}) };
}

/** Wraps text to `width` columns with `indent` spaces in front of every line. */
export function wrap(text: string, indent: number, width = 80): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && pad.length + line.length + 1 + word.length > width) {
      lines.push(pad + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(pad + line);
  return lines;
}

function typeOf(fd: FieldDoc): string {
  return `<${fd.type}>${fd.required ? ' -required-' : ''}`;
}

function fieldList(fields: FieldDoc[], recursive: boolean, depth = 1): string[] {
  const out: string[] = [];
  for (const fd of fields) {
    out.push(`${'  '.repeat(depth)}${fd.name}\t${typeOf(fd)}`);
    if (recursive) out.push(...fieldList(fd.fields ?? [], true, depth + 1));
    else {
      out.push(...wrap(fd.description, 2 * depth + 2));
      out.push('');
    }
  }
  return out;
}

/** The text `isctl explain` prints for a target. */
export function renderExplain(target: ExplainTarget, recursive = false): string {
  const { resource, field } = target;
  const out = [`GROUP:      ${resource.group}`, `KIND:       ${resource.kind}`, `VERSION:    ${resource.version}`, ''];
  if (field) out.push(`FIELD: ${field.name} ${typeOf(field)}`, '');
  out.push('DESCRIPTION:', ...wrap(field ? field.description : resource.description, 4), '    ');
  const fields = field ? (field.fields ?? []) : resource.fields;
  if (fields.length > 0) out.push('FIELDS:', ...fieldList(fields, recursive));
  while (out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n\n`;
}
