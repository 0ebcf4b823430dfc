/** `isctl tag`: oc's tag over the state folder. */
import type { CommandModule } from '../command.js';
import { globalOptions, type Program } from '../globals.js';
import { buildCoreContext } from '../context.js';
import { addSignatureOptions } from '../signature-policy.js';
import { tagImages, type TagResult } from '../../core/tag.js';
import { tagWithPolicy, type PolicyTagResult } from '../../core/tag-policy.js';
import { UsageError } from '../../domain/errors.js';
import { heldBackText } from '../../output/changes.js';
import { factsFromTagChanges, type CommitReport } from '../../core/gitops.js';
import type { CoreContext } from '../../core/context.js';
import { addCommitOptions, changeDocument, commitReportLines, readCommitFlags, runWithCommit } from '../git-commit.js';
import { printChanges } from '../report.js';
import { addOnBuildOptions, readOnBuild, runOnBuild } from '../on-build.js';
import type { CliIO } from '../io.js';
import type { ExitCode } from '../errors.js';
import { escapeControls } from '../../domain/escape.js';

const examples = `
Examples:
  # Tag the current image for the image stream 'openshift/ruby' and tag '2.0' into the image stream 'yourproject/ruby with tag 'tip'
  isctl tag openshift/ruby:2.0 yourproject/ruby:tip

  # Tag a specific image
  isctl tag openshift/ruby@sha256:6b646fa6bf5e5e4c7fa41056c27910e679c03ebe7f93e361e6515a9da7e258cc yourproject/ruby:tip

  # Tag an external container image
  isctl tag docker.io/httpd:latest yourproject/ruby:tip

  # Tag an external container image and request pullthrough for it
  isctl tag docker.io/httpd:latest yourproject/ruby:tip --reference-policy=local

  # Tag an external container image and include the full manifest list
  isctl tag docker.io/httpd:latest yourproject/httpd:latest --import-mode=PreserveOriginal

  # Remove the specified spec tag from an image stream
  isctl tag openshift/origin-control-plane:latest -d

  # Follow the newest 1.2.x of a repository (isctl extension; refresh and serve move it)
  isctl tag quay.io/org/app app:stable --policy semver:~1.2

  # ...and take a new version only 72 hours after isctl first saw it
  isctl tag quay.io/org/app app:stable --policy semver:'>=1.2 <2' --min-age 72h

  # Follow the highest build number of tags like main-1234
  isctl tag quay.io/org/app app:main --policy numerical:asc --tag-filter '^main-(?P<n>[0-9]+)$' --tag-extract '$n'
`;

/** Failures that mean the policy found nothing to follow (the other ones are import failures). */
const POLICY_FAILURES = new Set(['NoMatchingTag', 'NotNumeric', 'InvalidPolicy']);

async function policyAction(args: string[], opts: TagFlags, cmd: TagCommand, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const hook = readOnBuild(opts, io);
  const dryRun = Boolean(opts.dryRun);
  const commit = readCommitFlags(opts, dryRun);
  const conflicting = [
    opts.delete ? '--delete' : '',
    opts.alias ? '--alias' : '',
    opts.reference ? '--reference' : '',
    opts.source !== undefined && !/^docker(image)?$/i.test(opts.source) ? `--source=${opts.source}` : '',
  ].filter(Boolean);
  const ctx = buildCoreContext(g, io, { dryRun, signatures: opts });
  try {
    const runOn = (c: CoreContext, d: boolean) =>
      tagWithPolicy(
        c,
        g.namespace,
        {
          args,
          policy: opts.policy ?? '',
          ...(opts.tagFilter !== undefined ? { tagFilter: opts.tagFilter } : {}),
          ...(opts.tagExtract !== undefined ? { tagExtract: opts.tagExtract } : {}),
          ...(opts.minAge !== undefined ? { minAge: opts.minAge } : {}),
          scheduled: Boolean(opts.scheduled),
          insecure: Boolean(opts.insecure),
          referencePolicy: opts.referencePolicy,
          importMode: opts.importMode,
          conflicting,
        },
        d,
      );
    let r: PolicyTagResult;
    let git: CommitReport | undefined;
    if (commit) {
      const out = await runWithCommit(io, ctx, commit, (c) => async ({ dryRun: d }) => {
        const x = await runOn(c, d);
        return {
          result: x,
          changes: x.changes,
          facts: factsFromTagChanges('tag', x.tagChanges, x.triggers),
          data: changeDocument('tag', x.tagChanges, x.changes, x.triggers),
        };
      });
      r = out.run.result;
      git = out.report;
    } else r = await runOn(ctx, dryRun);
    for (const m of r.messages) io.stdout.write(escapeControls(`${m}${dryRun ? ' (dry run)' : ''}\n`));
    for (const { dest, report } of r.reports) {
      if (report.heldBack) io.stdout.write(escapeControls(`${dest} held back ${heldBackText(report.heldBack)}\n`));
    }
    for (const f of r.importFailures) io.stderr.write(escapeControls(`error: tag ${f.dest} failed: ${f.message}\n`));
    printChanges(io, r.changes, r.triggers, g.color);
    if (git) for (const l of commitReportLines(git)) io.stdout.write(`${l}\n`);
    const hooksFailed = dryRun
      ? 0
      : await runOnBuild(
          hook,
          r.triggers.flatMap((t) => t.builds),
          io,
          g.dir,
        );
    // As for any tag, an import failure is the tag's ImportSuccess=False condition (exit 0); a
    // policy that finds nothing to follow is an error of the command.
    return r.importFailures.some((f) => POLICY_FAILURES.has(f.reason)) || hooksFailed > 0 ? 1 : 0;
  } finally {
    await ctx.source.close();
  }
}

async function action(args: string[], opts: TagFlags, cmd: TagCommand, io: CliIO): Promise<ExitCode> {
  if (opts.policy !== undefined) return policyAction(args, opts, cmd, io);
  const stray = (['tagFilter', 'tagExtract', 'minAge'] as const).find((k) => opts[k] !== undefined);
  if (stray) {
    const flag = `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(`${flag} needs --policy: it narrows which tags a policy picks from`);
  }
  const g = globalOptions(cmd, io);
  const hook = readOnBuild(opts, io);
  const dryRun = Boolean(opts.dryRun);
  const commit = readCommitFlags(opts, dryRun);
  // tag.go sends a request in -n only for an ImageStreamTag source or a destination without NAMESPACE/.
  const ctx = buildCoreContext(g, io, { dryRun, signatures: opts, namespaceCheck: 'use-case' });
  try {
    const runOn = (c: CoreContext, d: boolean) =>
      tagImages(c, {
        args,
        source: opts.source,
        alias: Boolean(opts.alias),
        reference: Boolean(opts.reference),
        scheduled: Boolean(opts.scheduled),
        insecure: Boolean(opts.insecure),
        referencePolicy: opts.referencePolicy,
        importMode: opts.importMode,
        delete: Boolean(opts.delete),
        dryRun: d,
        checkAllFirst: Boolean(commit),
      });
    let result: TagResult;
    let git: CommitReport | undefined;
    if (commit) {
      const out = await runWithCommit(io, ctx, commit, (c) => async ({ dryRun: d }) => {
        const r = await runOn(c, d);
        // A run a later destination stopped is not committed.
        if (r.error) throw r.error;
        return {
          result: r,
          changes: r.changes,
          facts: factsFromTagChanges('tag', r.tagChanges, r.triggers),
          data: changeDocument('tag', r.tagChanges, r.changes, r.triggers),
        };
      });
      result = out.run.result;
      git = out.report;
    } else result = await runOn(ctx, dryRun);
    for (const m of result.messages) io.stdout.write(escapeControls(`${m}${dryRun ? ' (dry run)' : ''}\n`));
    printChanges(io, result.changes, result.triggers, g.color);
    // tag.go Run: the destinations before the failing one are set and printed, then the error.
    if (result.error) throw result.error;
    if (git) for (const l of commitReportLines(git)) io.stdout.write(`${l}\n`);
    const hooksFailed = dryRun
      ? 0
      : await runOnBuild(
          hook,
          result.triggers.flatMap((t) => t.builds),
          io,
          g.dir,
        );
    // oc tag succeeds once the spec tag is written; a registry that cannot be reached is the
    // image controller's ImportSuccess=False condition, shown by describe and refresh (tag.go Run).
    return hooksFailed > 0 ? 1 : 0;
  } finally {
    await ctx.source.close();
  }
}

function define(program: Program) {
  const cmd = program
    .command('tag')
    .usage('[--source=SOURCETYPE] SOURCE DEST [DEST ...]')
    .argument('[args...]')
    .summary('Tag existing images into image streams')
    .description(
      'Tag existing images into image streams.\n\n' +
        'The tag command allows you to take an existing tag or image from an image stream, or a container image pull spec, ' +
        'and set it as the most recent image for a tag in 1 or more other image streams. ' +
        'A pull spec with a registry (quay.io/org/app:1.0) or without a tag (nginx) is a container image; ' +
        'name:tag is an image stream tag in the current namespace; name@sha256:… is an image stream image.\n\n' +
        'A container image is imported at once, as the image controller would. When the registry cannot be reached the tag ' +
        'is set all the same and the failure is recorded as the ImportSuccess=False condition of the tag (see describe is, refresh).',
    )
    .option(
      '--source <type>',
      "Optional hint for the source type; valid values are 'imagestreamtag', 'istag', 'imagestreamimage', 'isimage', and 'docker'.",
    )
    .option('-d, --delete', 'Delete the provided spec tags.')
    .option(
      '--alias',
      'Should the destination tag be updated whenever the source tag changes. Applies only to a single image stream. Defaults to false.',
    )
    .option('--reference', 'Should the destination tag continue to pull from the source namespace. Defaults to false.')
    .option(
      '--scheduled',
      'Set a container image to be periodically imported from a remote repository. Defaults to false.',
    )
    .option(
      '--insecure',
      'Set to true if importing the specified container image requires HTTP or has a self-signed certificate. Defaults to false.',
    )
    .option(
      '--reference-policy <policy>',
      "Allow to request pullthrough for external image when set to 'local'. Defaults to 'source'.",
    )
    .option(
      '--import-mode <mode>',
      "Imports the full manifest list of a tag when set to 'PreserveOriginal'. Defaults to 'Legacy'.",
    )
    .option(
      '--policy <policy>',
      'isctl extension: follow the tag of SOURCE (a repository) a policy picks: semver:RANGE ' +
        '(Masterminds/semver ranges, e.g. ~1.2, ^1, ">=1.2 <2"), numerical:asc|desc or alphabetical:asc|desc ' +
        '(asc picks the highest, desc the lowest, as in Flux)',
    )
    .option(
      '--tag-filter <regex>',
      'With --policy: only tags matching this regular expression (RE2 syntax, named groups as (?P<name>...))',
    )
    .option(
      '--tag-extract <template>',
      "With --policy and --tag-filter: order by this template of the filter's groups, e.g. '$version'",
    )
    .option(
      '--min-age <duration>',
      'With --policy: take a new tag only when isctl first saw its digest at least this long ago (e.g. 72h, 7d)',
    )
    .option('--dry-run', 'Show the change and its diff without writing anything')
    .addHelpText('after', examples);
  return addSignatureOptions(addCommitOptions(addOnBuildOptions(cmd)));
}

type TagCommand = ReturnType<typeof define>;
type TagFlags = ReturnType<TagCommand['opts']>;

/** Registers `tag`. */
export const tagCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((args, opts, cmd) => action(args, opts, cmd, io)));
  },
};
