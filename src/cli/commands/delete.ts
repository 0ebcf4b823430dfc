/** `isctl delete is NAME…`: removes image streams from the state folder (oc delete imagestream). */
import type { CommandModule } from '../command.js';
import { globalOptions, type Program } from '../globals.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';
import { CommandError } from '../../domain/errors.js';
import { deleteImageStreamTags, deleteImageStreams } from '../../core/delete.js';
import { buildCoreContext } from '../context.js';
import { reportErrors } from '../report.js';
import { resourceAndNames } from '../resource-args.js';
import { escapeControls } from '../../domain/escape.js';

const examples = `
Examples:
  # Delete the image stream 'myapp' (its document is removed from its file)
  isctl delete is myapp

  # Delete several image streams of the namespace 'ci'
  isctl delete is app1 app2 -n ci

  # Delete every image stream of the current namespace
  isctl delete is --all

  # Delete a tag of a stream: its spec entry and its history
  isctl delete istag myapp:old
`;

async function action(type: string | undefined, args: string[], opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  // k8s.io/cli-runtime pkg/resource/builder.go missingResourceError, without the -f forms isctl has not.
  if (type === undefined)
    throw new CommandError(
      'You must provide one or more resources by argument or filename.\n' +
        "Example resource specifications include:\n   '<resource> <name>'\n   '<resource> --all'",
    );
  const g = globalOptions(cmd, io);
  const { resource, names } = resourceAndNames(type, args);
  if (resource === 'imagestreamimages')
    throw new CommandError(
      'image stream images cannot be deleted; delete the tags that point to them (isctl delete istag STREAM:TAG)',
    );
  // delete.go Validate: -o name alone (PrintObj prints RESOURCE/NAME), checked before anything is read.
  if (g.output !== undefined && g.output !== '' && g.output !== 'name')
    throw new CommandError(`unexpected -o output mode: ${g.output}. We only support '-o name'`);
  const printName = g.output === 'name';
  const dryRun = Boolean(opts.dryRun);
  // delete.go DeleteResult: ContinueOnErrorVisitor aggregates one error per name when there are several.
  const ctx = buildCoreContext(g, io, { dryRun, namespaceErrors: names.length > 1 ? names.length : 0 });
  const input = { names, all: Boolean(opts.all), dryRun };
  const deleted = (kind: string, name: string) =>
    printName ? `${kind}/${name}\n` : `${kind} "${name}" deleted${dryRun ? ' (dry run)' : ''}\n`;
  if (resource === 'imagestreamtags') {
    const r = await deleteImageStreamTags(ctx, input);
    for (const name of r.deleted) io.stdout.write(escapeControls(deleted('imagestreamtag.image.openshift.io', name)));
    reportErrors(io, r.errors);
    return r.errors.length > 0 ? 1 : 0;
  }
  const r = await deleteImageStreams(ctx, input);
  // kubectl delete.go DeleteResult: nothing visited, "No resources found" on stdout (no namespace named).
  if (input.all && r.deleted.length === 0 && r.errors.length === 0) io.stdout.write('No resources found\n');
  for (const name of r.deleted) io.stdout.write(escapeControls(deleted('imagestream.image.openshift.io', name)));
  reportErrors(io, r.errors);
  return r.errors.length > 0 ? 1 : 0;
}

function define(program: Program) {
  return program
    .command('delete')
    .usage('(is NAME [NAME ...] | is --all | istag STREAM:TAG [...])')
    .argument('[type]', 'is (imagestreams) or istag (imagestreamtags)')
    .argument('[names...]', 'image stream names, or STREAM:TAG for tags')
    .summary('Delete image streams or image stream tags from the state folder')
    .description(
      'Delete image streams: each one is removed from the file it lives in; a file left without objects is deleted.\n\n' +
        'Deleting an image stream tag removes its spec tag and its history from the stream, as OpenShift does.',
    )
    .option('--all', 'Delete all image streams in the namespace')
    .option('--dry-run', 'Only print what would be deleted')
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `delete`. */
export const deleteCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((type, names, opts, cmd) => action(type, names, opts, cmd, io)));
  },
};
