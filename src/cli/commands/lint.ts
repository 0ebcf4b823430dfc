/** `isctl lint`: report digests pinned in the folder that no stream tag records (see src/core/lint.ts). */
import { lintFolder } from '../../core/lint.js';
import { escapeControls } from '../../domain/escape.js';
import { toJson } from '../../output/serialize.js';
import type { CommandModule } from '../command.js';
import { buildCoreContext } from '../context.js';
import type { ExitCode } from '../errors.js';
import { globalOptions, type Program } from '../globals.js';
import type { CliIO } from '../io.js';
import { reportErrors } from '../report.js';

const examples = `
Examples:
  # Find workloads and markers that pin one platform's image of a manifest list
  isctl lint

  # Every namespace, as JSON for a CI step
  isctl lint -A -o json
`;

async function action(cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const { findings, problems } = await lintFolder(
    buildCoreContext(g, io, { namespaceCheck: 'unless-all-namespaces' }),
    { allNamespaces: g.allNamespaces },
  );
  reportErrors(io, problems);
  if (g.output === 'json') io.stdout.write(toJson({ findings }));
  else for (const f of findings) io.stdout.write(`${escapeControls(`${f.place}: ${f.what} ${f.message}`)}\n`);
  return findings.length > 0 || problems.length > 0 ? 1 : 0;
}

function define(program: Program) {
  return program
    .command('lint')
    .summary('Report pinned digests that no image stream tag records')
    .description(
      'Check every container image of the workloads and every marker value that pins a sha256 digest: ' +
        "a digest that is one platform's image of a manifest list a stream recorded (PreserveOriginal), " +
        'or a digest no stream records, is reported with its file. Exit 1 when anything is reported.',
    )
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;

/** Registers `lint`. */
export const lintCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((_opts, cmd) => action(cmd, io)));
  },
};
