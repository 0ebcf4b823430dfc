/** `isctl explain`: the documentation of ImageStream fields, as `oc explain` prints it. */
import type { CommandModule } from '../command.js';
import type { Program } from '../globals.js';
import { renderExplain, resolveExplain } from '../../output/explain.js';

const examples = `
Examples:
  # Get the documentation of the ImageStream resource and its fields
  isctl explain is

  # Get the documentation of a specific field
  isctl explain is.spec.tags.importPolicy

  # All the fields of an ImageStream, as a tree
  isctl explain is --recursive

  # What an image stream tag shows
  isctl explain istag
`;

function define(program: Program) {
  return program
    .command('explain')
    .argument('<RESOURCE>', 'is, istag, isimage or image, optionally followed by a field path: is.spec.tags')
    .summary('Get documentation for a resource')
    .description(
      'Describe the fields of ImageStreams and the objects around them (ImageStreamTag, ImageStreamImage, Image): what each ' +
        'field means, its type, and what isctl does with it.\n\n' +
        'Fields are identified via a simple JSONPath identifier:\n\n  <type>.<fieldName>[.<fieldName>]',
    )
    .option(
      '--recursive',
      'When true, print the name of all the fields recursively. Otherwise, print the available fields with their description.',
    )
    .addHelpText('after', examples);
}

/** Registers `explain`. */
export const explainCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(
      exits((resource, opts) => {
        io.stdout.write(renderExplain(resolveExplain(resource), Boolean(opts.recursive)));
        return 0;
      }),
    );
  },
};
