/** `isctl describe is|istag|isimage [NAME…]`: oc's describe text (real TABs) over the state folder. */
import type { CommandModule } from '../command.js';
import { buildCoreContext } from '../context.js';
import type { ExitCode } from '../errors.js';
import { globalOptions, type Program } from '../globals.js';
import type { CliIO } from '../io.js';
import { reportErrors } from '../report.js';
import { RESOURCE_TYPES, readScope, resourceAndNames, selectorOf } from '../resource-args.js';
import { CommandError } from '../../domain/errors.js';
import { describe } from '../../core/describe.js';
import { describeTexts, joinDescriptions } from '../../output/describe-output.js';

const examples = `
Examples:
  # Describe an image stream: its tags, where they come from and their history
  isctl describe is myapp

  # Describe every image stream whose name starts with "my"
  isctl describe is my

  # Describe the image a tag points to (config, layers, environment)
  isctl describe istag myapp:latest

  # Describe an image of a stream by digest prefix
  isctl describe isimage myapp@sha256:4bd26aef1ce7
`;

async function action(type: string | undefined, args: string[], opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  // k8s.io/kubectl pkg/cmd/describe/describe.go Complete (oc names api-resources where this names the types).
  if (type === undefined)
    throw new CommandError(`You must specify the type of resource to describe. ${RESOURCE_TYPES}`);
  const g = globalOptions(cmd, io);
  const { resource, names } = resourceAndNames(type, args);
  const scope = readScope(g, names);
  // describe.go Run returns NewAggregate(allErrs): the builder's error for several names (one per
  // name) or for a listing stays an aggregate, printed without `error: `.
  const namespaceErrors = names.length > 1 ? names.length : names.length === 0 ? 1 : 0;
  const ctx = buildCoreContext(g, io, { namespaceCheck: 'unless-all-namespaces', namespaceErrors });
  const out = await describe(ctx, {
    resource,
    names,
    allNamespaces: g.allNamespaces,
    ...selectorOf(opts.selector, names),
  });
  const texts = describeTexts(out, io.now());
  io.stdout.write(joinDescriptions(texts, out.prefixMatched));
  reportErrors(io, out.errors);
  if (texts.length === 0 && names.length === 0 && out.errors.length === 0) io.stderr.write(`${scope.empty}\n`);
  // Unreadable files were told when the folder was read (src/cli/state-report.ts); they fail the run.
  return out.errors.length > 0 ? 1 : 0;
}

function define(program: Program) {
  return program
    .command('describe')
    .usage('(is | istag | isimage) [NAME_PREFIX ...]')
    .argument('[type]', 'is (imagestreams), istag (imagestreamtags) or isimage (imagestreamimages)')
    .argument(
      '[names...]',
      'STREAM, STREAM:TAG or STREAM@DIGEST; a single name that does not exist is used as a prefix',
    )
    .summary('Show details of image streams, tags or images')
    .description(
      'Show details of image streams, image stream tags or image stream images, laid out exactly as oc describe does.\n\n' +
        'Image details (layers, config, environment) come from the image store of the state folder (.isctl/blobs), ' +
        'filled by import-image, tag and refresh.',
    )
    .option(
      '-l, --selector <selector>',
      "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin' (e.g. -l key1=value1,key2=value2).",
    )
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `describe`. */
export const describeCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((type, names, opts, cmd) => action(type, names, opts, cmd, io)));
  },
};
