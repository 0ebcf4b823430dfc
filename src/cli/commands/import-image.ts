/** `isctl import-image`: oc's import-image over the state folder. */
import type { CommandModule } from '../command.js';
import { globalOptions, type Program } from '../globals.js';
import { buildCoreContext } from '../context.js';
import { addSignatureOptions } from '../signature-policy.js';
import { importImage, type ImportImageResult } from '../../core/import.js';
import { factsFromTagChanges, type CommitReport } from '../../core/gitops.js';
import type { CoreContext } from '../../core/context.js';
import { addCommitOptions, changeDocument, commitReportLines, readCommitFlags, runWithCommit } from '../git-commit.js';
import { imageStreamJson, renderImportResult } from '../../output/import-output.js';
import { parseOutputFormat } from '../../output/printer.js';
import { toYaml } from '../../output/serialize.js';
import { renderJsonPath } from '../../output/jsonpath.js';
import { printChanges } from '../report.js';
import { addOnBuildOptions, readOnBuild, runOnBuild } from '../on-build.js';
import { createProgressWriter } from '../../output/progress.js';
import { CommandError } from '../../domain/errors.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';

const examples = `
Examples:
  # Import tag latest into a new image stream
  isctl import-image mystream --from=registry.io/repo/image:latest --confirm

  # Update imported data for tag latest in an already existing image stream
  isctl import-image mystream

  # Update imported data for tag stable in an already existing image stream
  isctl import-image mystream:stable

  # Update imported data for all tags in an existing image stream
  isctl import-image mystream --all

  # Update imported data for a tag that points to a manifest list to include the full manifest list
  isctl import-image mystream --import-mode=PreserveOriginal

  # Import all tags into a new image stream
  isctl import-image mystream --from=registry.io/repo/image --all --confirm

  # Import from an OCI image layout on disk (relative paths are resolved against --dir)
  isctl import-image hello:1.0 --from=oci:../hello-oci:1.0 --confirm
`;

async function action(target: string | undefined, opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const hook = readOnBuild(opts, io);
  // importimage.go: PrintFlags (no table printer, so no -o wide), refused here before anything is imported.
  const format = parseOutputFormat(g.output, 'print-flags');
  const maxTags = opts.maxTags === undefined ? 50 : Number(opts.maxTags);
  if (!Number.isInteger(maxTags) || maxTags < -1 || maxTags === 0)
    throw new CommandError('--max-tags must be a positive number, or -1 for no limit');
  const dryRun = Boolean(opts.dryRun);
  const commit = readCommitFlags(opts, dryRun);
  const ctx = buildCoreContext(g, io, { dryRun, maxBulkImport: maxTags, signatures: opts });
  const progress = createProgressWriter(io.stderr, {
    verb: 'importing',
    enabled: Boolean(opts.all) && !g.output,
    env: io.env,
  });
  try {
    const runOn = (c: CoreContext, d: boolean) =>
      importImage(c, {
        target: target ?? '',
        from: opts.from,
        confirm: Boolean(opts.confirm),
        all: Boolean(opts.all),
        scheduled: Boolean(opts.scheduled),
        insecure: cmd.getOptionValueSource('insecure') === 'cli' ? Boolean(opts.insecure) : undefined,
        referencePolicy: cmd.getOptionValueSource('referencePolicy') === 'cli' ? opts.referencePolicy : undefined,
        importMode: opts.importMode,
        dryRun: d,
        ...(progress ? { onProgress: progress.update } : {}),
      });
    let result: ImportImageResult;
    let git: CommitReport | undefined;
    if (commit) {
      const out = await runWithCommit(io, ctx, commit, (c) => async ({ dryRun: d }) => {
        const r = await runOn(c, d);
        progress?.clear();
        return {
          result: r,
          changes: r.changes,
          facts: factsFromTagChanges('import-image', r.tagChanges, [r.triggers]),
          data: changeDocument('import-image', r.tagChanges, r.changes, [r.triggers]),
        };
      });
      result = out.run.result;
      git = out.report;
    } else result = await runOn(ctx, dryRun);
    progress?.clear();
    const out = renderImportResult(result, io.now());
    for (const line of out.stderr) io.stderr.write(`${line}\n`);
    if (format.kind === 'name') io.stdout.write(`imagestream.image.openshift.io/${result.streamName}\n`);
    // importimage.go Run prints the stream its client built for the import, also on a dry run.
    else if (format.kind === 'json') io.stdout.write(imageStreamJson(result.requested));
    else if (format.kind === 'yaml') io.stdout.write(toYaml(result.requested));
    else if (format.kind === 'jsonpath') io.stdout.write(renderJsonPath(format.template, result.requested));
    else {
      io.stdout.write(out.stdout);
      printChanges(io, result.changes, [result.triggers], g.color);
    }
    // With -o the document stays alone on stdout; what happened in Git goes to stderr.
    if (git) for (const l of commitReportLines(git)) (format.kind === 'table' ? io.stdout : io.stderr).write(`${l}\n`);
    const hooksFailed = dryRun ? 0 : await runOnBuild(hook, result.triggers.builds, io, g.dir);
    if (result.failed) {
      io.stderr.write('error: imported completed with errors\n');
      return 1;
    }
    return hooksFailed > 0 ? 1 : 0;
  } finally {
    progress?.clear();
    await ctx.source.close();
  }
}

function define(program: Program) {
  const cmd = program
    .command('import-image')
    .argument('[IMAGESTREAM[:TAG]]')
    // cobra without an Args check: Complete reads args[0] and ignores the rest (importimage.go).
    .allowExcessArguments()
    .summary('Import images from a container image registry')
    .description(
      'Import the latest image information from a tag in a container image registry.\n\n' +
        'Image streams allow you to control which images are rolled out to your builds and applications. ' +
        'This command fetches the latest version of an image from a remote repository and updates the image stream tag ' +
        'if it does not match the previous value. Running the command multiple times will not create duplicate entries. ' +
        'When importing an image, only the image metadata is copied, not the image contents.\n\n' +
        "If you wish to change the image stream tag or provide more advanced options, see the 'tag' command.\n\n" +
        'With --all and --from the stream records the repository (spec.dockerImageRepository): a later import-image --all, ' +
        'and refresh, import the tags the repository gains. A --from that is not a valid pull spec is refused before anything is written.',
    )
    .option('--from <image>', 'A container image repository to import images from')
    .option('--confirm', 'If true, allow the image stream import location to be set or changed')
    .option('--all', 'If true, import all tags from the provided source on creation or if --from is specified')
    .option(
      '--reference-policy <policy>',
      "Allow to request pullthrough for external image when set to 'local'. Defaults to 'source'.",
      'source',
    )
    .option(
      '--import-mode <mode>',
      "Imports the full manifest list of a tag when set to 'PreserveOriginal'. Defaults to 'Legacy'.",
    )
    .option('--dry-run', 'Fetch information about images without creating or updating an image stream.')
    .option(
      '--scheduled',
      'Set each imported container image to be periodically imported from a remote repository. Defaults to false.',
    )
    .option(
      '--insecure',
      'If true, allow importing from registries that have invalid HTTPS certificates or are ' +
        'hosted via HTTP. This flag will take precedence over the insecure annotation.',
    )
    .option('--max-tags <n>', 'With --all: import at most N tags (OpenShift default 50; -1 for no limit)')
    .addHelpText('after', examples);
  return addSignatureOptions(addCommitOptions(addOnBuildOptions(cmd)));
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `import-image`. */
export const importImageCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((target, opts, cmd) => action(target, opts, cmd, io)));
  },
};
