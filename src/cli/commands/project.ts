/** `isctl project [NAME]`: show or switch the folder's namespace, as `oc project` does for a cluster. */
import { setProject, showProject } from '../../core/project.js';
import type { FolderNamespace } from '../../state/namespaces.js';
import type { CommandModule } from '../command.js';
import { buildCoreContext } from '../context.js';
import type { ExitCode } from '../errors.js';
import { globalOptions, type Program } from '../globals.js';
import type { CliIO } from '../io.js';

const examples = `
Examples:
  # Switch to the 'myapp' project: objects without metadata.namespace belong to it,
  # and commands run in it unless -n says otherwise
  isctl project myapp

  # Display the project currently in use
  isctl project
`;

function where(ns: FolderNamespace): string {
  if (ns.source.kind === 'kustomization') return ` (set by ${ns.source.file})`;
  if (ns.source.kind === 'setting') return '';
  return ' (the default: no project set)';
}

async function action(name: string | undefined, opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const ctx = buildCoreContext(g, io, { namespaceCheck: 'none' });
  const short = Boolean(opts.short);
  if (name === undefined) {
    const { current } = showProject(ctx);
    io.stdout.write(
      short ? `${current.namespace}\n` : `Using project "${current.namespace}" in "${g.dir}"${where(current)}.\n`,
    );
    return 0;
  }
  const { current, changed } = await setProject(ctx, { name });
  if (short) io.stdout.write(`${current.namespace}\n`);
  else if (changed) io.stdout.write(`Now using project "${current.namespace}" in "${g.dir}".\n`);
  else io.stdout.write(`Already on project "${current.namespace}" in "${g.dir}"${where(current)}.\n`);
  return 0;
}

function define(program: Program) {
  return program
    .command('project')
    .argument('[name]', 'namespace to switch to')
    .summary("Switch to another project (the folder's namespace)")
    .description(
      'Switch to another project and make it the default in the state folder.\n\n' +
        'The project is the namespace of every object without metadata.namespace that is not below a ' +
        'kustomization.yaml naming one, and the namespace commands work in unless -n or ISCTL_NAMESPACE ' +
        'says otherwise. It is kept in .isctl/config.yaml (commit that file). With no argument, display ' +
        'the project in use.',
    )
    .option('-q, --short', 'If true, display only the project name')
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `project`. */
export const projectCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((name, opts, cmd) => action(name, opts, cmd, io)));
  },
};
