/**
 * Chooses the printer for `-o` (kubectl get's printer flags): the oc table (default / wide),
 * `name`, `json`, `yaml` or `jsonpath=…`. Printers are pure: objects in, text out.
 */
import { CommandError } from '../domain/errors.js';
import type { GetOutput } from '../core/get.js';
import type { ImageStream, ImageStreamImage, ImageStreamTag, KubeObject } from '../domain/types.js';
import {
  IMAGE_STREAM_COLUMNS,
  IMAGE_STREAM_IMAGE_COLUMNS,
  IMAGE_STREAM_TAG_COLUMNS,
  imageStreamImageRow,
  imageStreamRow,
  imageStreamTagRow,
} from './imagestream-table.js';
import { renderJsonPath } from './jsonpath.js';
import { asList, resourceName, toJson, toYaml } from './serialize.js';
import { renderTable, type TableColumn, type TableRow } from './table.js';

/** A parsed `-o` value. */
export type OutputFormat =
  | { kind: 'table'; wide: boolean }
  | { kind: 'name' }
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'jsonpath'; template: string };

/**
 * Which printers a command has: kubectl get's (the server-side table, so `wide`), or the
 * genericclioptions PrintFlags of oc's import-image and create (JSON/YAML, name, templates: no
 * table, so no `wide`; the default output is the command's own message).
 */
export type PrinterSet = 'get' | 'print-flags';

const ALLOWED: Record<PrinterSet, string> = {
  get: 'json, jsonpath, name, wide, yaml',
  'print-flags': 'json, jsonpath, name, yaml',
};

/** Parses `-o`; unknown formats are a usage error worded like kubectl's (cli-runtime NoCompatiblePrinterError). */
export function parseOutputFormat(output: string | undefined, printers: PrinterSet = 'get'): OutputFormat {
  if (output === undefined || output === '') return { kind: 'table', wide: false };
  if (output === 'wide' && printers === 'get') return { kind: 'table', wide: true };
  if (output === 'name') return { kind: 'name' };
  if (output === 'json') return { kind: 'json' };
  if (output === 'yaml') return { kind: 'yaml' };
  if (output === 'jsonpath') throw new CommandError('template format specified but no template given');
  const m = /^jsonpath=(.*)$/s.exec(output);
  if (m) {
    if (m[1] === '') throw new CommandError('template format specified but no template given');
    return { kind: 'jsonpath', template: m[1] };
  }
  throw new CommandError(
    `unable to match a printer suitable for the output format "${output}", allowed formats are: ${ALLOWED[printers]}`,
  );
}

/** How objects are printed. */
export interface PrintOptions {
  format: OutputFormat;
  now: Date;
  noHeaders?: boolean;
  /** `-A`: a NAMESPACE column in tables. */
  allNamespaces?: boolean;
  /** Exactly one object was asked for by name: json/yaml/jsonpath print it alone, not a List. */
  singleItem?: boolean;
}

/** Prints `get is` output. */
export function printImageStreams(items: readonly ImageStream[], opts: PrintOptions): string {
  return printObjects(items, IMAGE_STREAM_COLUMNS, (s) => imageStreamRow(s, opts.now), opts);
}

/** Prints `get istag` output. */
export function printImageStreamTags(items: readonly ImageStreamTag[], opts: PrintOptions): string {
  return printObjects(items, IMAGE_STREAM_TAG_COLUMNS, (s) => imageStreamTagRow(s, opts.now), opts);
}

/** Prints `get isimage` output. */
export function printImageStreamImages(items: readonly ImageStreamImage[], opts: PrintOptions): string {
  return printObjects(items, IMAGE_STREAM_IMAGE_COLUMNS, (s) => imageStreamImageRow(s, opts.now), opts);
}

/** Prints any objects with the chosen format, using `row` for tables. */
export function printObjects<T extends KubeObject>(
  items: readonly T[],
  columns: TableColumn[],
  row: (item: T) => TableRow,
  opts: PrintOptions,
): string {
  const f = opts.format;
  switch (f.kind) {
    case 'table':
      return renderTable(columns, items.map(row), {
        wide: f.wide,
        noHeaders: opts.noHeaders,
        withNamespace: opts.allNamespaces,
      });
    case 'name':
      return items.map((o) => `${resourceName(o)}\n`).join('');
    case 'json':
      return toJson(payload(items, opts));
    case 'yaml':
      return toYaml(payload(items, opts));
    case 'jsonpath':
      return renderJsonPath(f.template, payload(items, opts));
  }
}

function payload(items: readonly KubeObject[], opts: PrintOptions): unknown {
  return opts.singleItem && items.length === 1 ? items[0] : asList(items);
}

/** Prints what `get` found, with the printer of its resource. */
export function printGetOutput(out: GetOutput, opts: PrintOptions): string {
  switch (out.resource) {
    case 'imagestreams':
      return printImageStreams(out.items, opts);
    case 'imagestreamtags':
      return printImageStreamTags(out.items, opts);
    case 'imagestreamimages':
      return printImageStreamImages(out.items, opts);
  }
}
