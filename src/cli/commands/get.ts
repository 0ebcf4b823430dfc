/** `isctl get is|istag|isimage [NAME…]`: oc's server-side tables and -o formats over the state folder. */
import type { Command } from 'commander';
import type { CommandModule } from '../command.js';
import { renderError, type ExitCode } from '../errors.js';
import { globalOptions, type GlobalOptions } from '../globals.js';
import type { CliIO } from '../io.js';
import { CommandError, type IsctlError } from '../../domain/errors.js';
import {
  getImageStreamImages,
  getImageStreamTags,
  getImageStreams,
  resolveResource,
  type GetQuery,
  type ImageResource,
} from '../../core/get.js';
import { imageLoader, type ImageLoader } from '../../core/images.js';
import {
  parseOutputFormat,
  printImageStreamImages,
  printImageStreamTags,
  printImageStreams,
  type PrintOptions,
} from '../../output/printer.js';
import { parseLabelSelector, type LabelSelector } from '../../core/selector.js';
import { openStateStore } from '../../state/store.js';
import type { Snapshot } from '../../state/types.js';

const examples = `
Examples:
  # List all image streams in the current namespace
  isctl get is

  # List image streams of every namespace, with the namespace in the first column
  isctl get is -A

  # Show one image stream as YAML
  isctl get is myapp -o yaml

  # List the image stream tags, with the image digest (-o wide)
  isctl get istag -o wide

  # Show an image of a stream by digest (a unique prefix is enough)
  isctl get isimage myapp@sha256:4bd26aef1ce7

  # Print the current pull spec of every tag
  isctl get istag -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.image.dockerImageReference}{"\\n"}{end}'
`;

/** Splits `TYPE NAME…` or `TYPE/NAME…` into one resource and its names. */
export function resourceAndNames(type: string, names: string[]): { resource: ImageResource; names: string[] } {
  if (!type.includes('/')) return { resource: resolveResource(type), names };
  const all = [type, ...names].map((a) => {
    const i = a.indexOf('/');
    if (i <= 0)
      throw new CommandError(
        `there is no need to specify a resource type as a separate argument when passing arguments ` +
          `in resource/name form (e.g. 'isctl get is/myapp' instead of 'isctl get is is/myapp')`,
      );
    return { resource: resolveResource(a.slice(0, i)), name: a.slice(i + 1) };
  });
  const resource = all[0].resource;
  if (all.some((a) => a.resource !== resource))
    throw new CommandError('isctl get takes names of one resource type at a time');
  return { resource, names: all.map((a) => a.name) };
}

/** The `-l` selector of a read command; names and a selector exclude each other, as in kubectl. */
export function selectorOf(opts: Record<string, unknown>, names: string[]): { selector?: LabelSelector } {
  const raw = opts.selector as string | undefined;
  if (raw === undefined) return {};
  if (names.length > 0) throw new CommandError('name cannot be provided when a selector is specified');
  return { selector: parseLabelSelector(raw) };
}

/** Prints the state-file problems of a snapshot on stderr; returns how many there were. */
export function reportProblems(io: CliIO, snapshot: Snapshot): number {
  for (const p of snapshot.problems) io.stderr.write(renderError(p).text);
  return snapshot.problems.length;
}

/** Prints API-style errors (NotFound…) on stderr. */
export function reportErrors(io: CliIO, errors: readonly IsctlError[]): void {
  for (const e of errors) io.stderr.write(renderError(e).text);
}

/** The namespace a read covers (undefined = all) and the `No resources found` wording. */
export function readScope(g: GlobalOptions, names: string[]): { namespace: string | undefined; empty: string } {
  if (g.allNamespaces && names.length > 0)
    throw new CommandError('a resource cannot be retrieved by name across all namespaces');
  return g.allNamespaces
    ? { namespace: undefined, empty: 'No resources found' }
    : { namespace: g.namespace, empty: `No resources found in ${g.namespace} namespace.` };
}

async function action(
  type: string,
  args: string[],
  opts: Record<string, unknown>,
  cmd: Command,
  io: CliIO,
): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const format = parseOutputFormat(g.output);
  const { resource, names } = resourceAndNames(type, args);
  const scope = readScope(g, names);
  const store = openStateStore(g.dir);
  const snapshot = await store.read(g.namespace);
  const q: GetQuery = {
    namespace: scope.namespace,
    names,
    internalRegistry: g.internalRegistry,
    ...selectorOf(opts, names),
  };
  const print: PrintOptions = {
    format,
    now: io.now(),
    noHeaders: opts.headers === false,
    allNamespaces: g.allNamespaces,
    singleItem: names.length === 1,
  };
  // istag tables and names need only the digest and reference (no blob reads for large folders);
  // json/yaml/jsonpath show the whole Image, and isimage needs list children to match digests.
  const lean = resource === 'imagestreamtags' && (format.kind === 'table' || format.kind === 'name');
  const images: ImageLoader = lean ? async () => undefined : imageLoader(store.blobs);
  let text = '';
  let count = 0;
  let errors: IsctlError[] = [];
  if (resource === 'imagestreams') {
    const r = getImageStreams(snapshot, q);
    [text, count, errors] = [printImageStreams(r.items, print), r.items.length, r.errors];
  } else if (resource === 'imagestreamtags') {
    const r = await getImageStreamTags(snapshot, q, images);
    [text, count, errors] = [printImageStreamTags(r.items, print), r.items.length, r.errors];
  } else {
    const r = await getImageStreamImages(snapshot, q, images);
    [text, count, errors] = [printImageStreamImages(r.items, print), r.items.length, r.errors];
  }
  const listing = format.kind === 'table' || format.kind === 'name';
  if (count > 0 || !listing) io.stdout.write(text);
  reportErrors(io, errors);
  if (count === 0 && names.length === 0 && listing) io.stderr.write(`${scope.empty}\n`);
  return reportProblems(io, snapshot) > 0 || errors.length > 0 ? 1 : 0;
}

/** Registers `get`. */
export const getCommand: CommandModule = {
  register(program, { io, action: exits }) {
    program
      .command('get')
      .usage('(is | istag | isimage) [NAME ...] [-o wide|name|json|yaml|jsonpath=TEMPLATE] [--no-headers] [-A]')
      .argument('<type>', 'is (imagestreams), istag (imagestreamtags) or isimage (imagestreamimages)')
      .argument('[names...]', 'names to show: STREAM, STREAM:TAG or STREAM@DIGEST')
      .summary('Display one or many image streams, tags or images')
      .description(
        'Display one or many image streams, image stream tags or image stream images from the state folder.\n\n' +
          'The table is the one oc prints (the server-side printer of openshift-apiserver); -o json|yaml print one named ' +
          'object as is and several objects as a List. Objects that fail to load are reported on stderr and the exit code is 1.',
      )
      .option(
        '-l, --selector <selector>',
        "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin' (e.g. -l key1=value1,key2=value2).",
      )
      .option(
        '--no-headers',
        "When using the default or custom-column output format, don't print headers (default print headers).",
      )
      .addHelpText('after', examples)
      .action(
        exits((type: string, names: string[], opts: Record<string, unknown>, cmd: Command) =>
          action(type, names, opts, cmd, io),
        ),
      );
  },
};
