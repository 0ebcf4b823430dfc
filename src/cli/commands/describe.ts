/** `isctl describe is|istag|isimage [NAME…]`: oc's describe text (real TABs) over the state folder. */
import type { Command } from 'commander';
import type { CommandModule } from '../command.js';
import { globalOptions } from '../globals.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';
import type { IsctlError } from '../../domain/errors.js';
import { describeImageStreamImages, describeImageStreamTags, describeImageStreams } from '../../core/describe.js';
import type { GetQuery } from '../../core/get.js';
import { imageLoader } from '../../core/images.js';
import { describeImage } from '../../output/describe-image.js';
import { describeImageStream } from '../../output/describe-imagestream.js';
import { openStateStore } from '../../state/store.js';
import { readScope, reportErrors, reportProblems, resourceAndNames, selectorOf } from './get.js';

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

/** kubectl describe: exact objects separated by a blank line; prefix matches each followed by one. */
export function joinDescriptions(texts: string[], prefixMatched: boolean): string {
  return prefixMatched ? texts.map((t) => `${t}\n`).join('') : texts.join('\n\n');
}

async function action(
  type: string,
  args: string[],
  opts: Record<string, unknown>,
  cmd: Command,
  io: CliIO,
): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
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
  const now = io.now();
  const images = imageLoader(store.blobs);
  let texts: string[];
  let prefixMatched: boolean;
  let errors: IsctlError[];
  if (resource === 'imagestreams') {
    const r = await describeImageStreams(snapshot, q);
    [texts, prefixMatched, errors] = [r.items.map((s) => describeImageStream(s, now)), r.prefixMatched, r.errors];
  } else if (resource === 'imagestreamtags') {
    const r = await describeImageStreamTags(snapshot, q, images);
    // describe istag passes the image name (the digest), not STREAM:TAG (describer.go).
    [texts, prefixMatched, errors] = [
      r.items.map((t) => describeImage(t.image, t.image.metadata.name, now)),
      r.prefixMatched,
      r.errors,
    ];
  } else {
    const r = await describeImageStreamImages(snapshot, q, images);
    [texts, prefixMatched, errors] = [
      r.items.map((i) => describeImage(i.image, i.image.metadata.name, now)),
      r.prefixMatched,
      r.errors,
    ];
  }
  io.stdout.write(joinDescriptions(texts, prefixMatched));
  reportErrors(io, errors);
  if (texts.length === 0 && names.length === 0 && errors.length === 0) io.stderr.write(`${scope.empty}\n`);
  return reportProblems(io, snapshot) > 0 || errors.length > 0 ? 1 : 0;
}

/** Registers `describe`. */
export const describeCommand: CommandModule = {
  register(program, { io, action: exits }) {
    program
      .command('describe')
      .usage('(is | istag | isimage) [NAME_PREFIX ...]')
      .argument('<type>', 'is (imagestreams), istag (imagestreamtags) or isimage (imagestreamimages)')
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
      .addHelpText('after', examples)
      .action(
        exits((type: string, names: string[], opts: Record<string, unknown>, cmd: Command) =>
          action(type, names, opts, cmd, io),
        ),
      );
  },
};
