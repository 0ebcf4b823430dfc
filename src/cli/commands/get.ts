/** `isctl get is|istag|isimage [NAME…]`: oc's server-side tables and -o formats over the state folder. */
import type { CommandModule } from '../command.js';
import { buildCoreContext } from '../context.js';
import type { ExitCode } from '../errors.js';
import { globalOptions, type Program } from '../globals.js';
import type { CliIO } from '../io.js';
import { reportErrors } from '../report.js';
import { RESOURCE_TYPES, readScope, resourceAndNames, selectorOf } from '../resource-args.js';
import { UsageError } from '../../domain/errors.js';
import { get } from '../../core/get.js';
import { parseOutputFormat, printGetOutput, type PrintOptions } from '../../output/printer.js';

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

async function action(type: string | undefined, args: string[], opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  if (type === undefined) {
    // k8s.io/kubectl pkg/cmd/get/get.go Complete: a line on stderr, then a usage error (oc names
    // its api-resources command where this names the types isctl knows).
    io.stderr.write(`You must specify the type of resource to get. ${RESOURCE_TYPES}\n\n`);
    throw new UsageError(
      'Required resource not specified.\n' +
        'Use "isctl explain <resource>" for a detailed description of that resource (e.g. isctl explain is).',
    );
  }
  const g = globalOptions(cmd, io);
  const format = parseOutputFormat(g.output);
  const { resource, names } = resourceAndNames(type, args);
  const scope = readScope(g, names);
  // get.go: several names are one error each; the table path (Run, not printGeneric) wraps a
  // listing's aggregate once more, so it reaches checkErr as an aggregate too.
  const namespaceErrors = names.length > 1 ? names.length : names.length === 0 && format.kind === 'table' ? 1 : 0;
  const ctx = buildCoreContext(g, io, { namespaceCheck: 'unless-all-namespaces', namespaceErrors });
  const out = await get(ctx, {
    resource,
    names,
    allNamespaces: g.allNamespaces,
    ...selectorOf(opts.selector, names),
    // istag tables and names need only the digest and reference (no blob reads for large folders);
    // json/yaml/jsonpath show the whole Image, and isimage needs list children to match digests.
    withImages: resource !== 'imagestreamtags' || (format.kind !== 'table' && format.kind !== 'name'),
    listing: format.kind === 'table' || format.kind === 'name',
  });
  const print: PrintOptions = {
    format,
    now: io.now(),
    noHeaders: opts.headers === false,
    allNamespaces: g.allNamespaces,
    singleItem: names.length === 1,
  };
  const count = out.items.length;
  const listing = format.kind === 'table' || format.kind === 'name';
  // kubectl get printGeneric: with one name (singleItemImplied) an error is returned before anything
  // is printed; with several, the found objects are printed as a List and the errors follow.
  const singleFailed = names.length === 1 && out.errors.length > 0;
  if (!singleFailed && (count > 0 || !listing)) io.stdout.write(printGetOutput(out, print));
  reportErrors(io, out.errors);
  if (count === 0 && names.length === 0 && listing) io.stderr.write(`${scope.empty}\n`);
  // Unreadable files were told when the folder was read (src/cli/state-report.ts); they fail the run.
  return out.errors.length > 0 ? 1 : 0;
}

function define(program: Program) {
  return program
    .command('get')
    .usage('(is | istag | isimage) [NAME ...] [-o wide|name|json|yaml|jsonpath=TEMPLATE] [--no-headers] [-A]')
    .argument('[type]', 'is (imagestreams), istag (imagestreamtags) or isimage (imagestreamimages)')
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
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `get`. */
export const getCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((type, names, opts, cmd) => action(type, names, opts, cmd, io)));
  },
};
