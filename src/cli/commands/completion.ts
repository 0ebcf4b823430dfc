/**
 * `isctl completion bash|zsh|fish` prints a completion script (as `oc completion` does); the
 * hidden `isctl __complete -- WORDS…` answers the script with candidates, walking the commander
 * program at runtime and reading names from the state folder.
 */
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CommandModule } from '../command.js';
import type { CliIO } from '../io.js';
import { UsageError } from '../../domain/errors.js';
import type { ExitCode } from '../errors.js';
import { buildCoreContext } from '../context.js';
import { readGlobals } from '../globals.js';
import { completeWords, directiveCode, resourceNames, type CompletionCommand } from '../../output/completion.js';
import { completionScript, SHELLS, type Shell } from '../../output/completion-scripts.js';

const examples = `
Examples:
  # Load completion for isctl into the current bash shell
  source <(isctl completion bash)

  # Install it for every new bash shell
  isctl completion bash > ~/.local/share/bash-completion/completions/isctl

  # zsh: write it to a folder of your $fpath (compinit must be enabled)
  isctl completion zsh > "\${fpath[1]}/_isctl"

  # fish
  isctl completion fish > ~/.config/fish/completions/isctl.fish
`;

/** The commander tree reduced to what completion needs. */
export function completionTree(cmd: CommandUnknownOpts, hidden = false): CompletionCommand {
  // Commands created with { hidden: true } are the ones commander's help does not list.
  const visible = new Set(cmd.createHelp().visibleCommands(cmd));
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    hidden,
    options: cmd.options
      .filter((o) => !o.hidden)
      .map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
        takesValue: o.required || o.optional,
      })),
    subcommands: cmd.commands.map((sub) => completionTree(sub, !visible.has(sub))),
    args: cmd.registeredArguments.map((a) => a.name()),
  };
}

function isShell(name: string): name is Shell {
  return (SHELLS as readonly string[]).includes(name);
}

async function complete(program: CommandUnknownOpts, words: string[], io: CliIO): Promise<ExitCode> {
  const result = completeWords(completionTree(program), words.length > 0 ? words : ['']);
  const lines = [...result.candidates];
  if (result.resource) {
    const cur = words[words.length - 1] ?? '';
    try {
      // The --dir and -n among the words being completed, defaulted as every command does.
      const g = readGlobals(
        {
          v: '0',
          color: false,
          ...(result.dir !== undefined ? { dir: result.dir } : {}),
          ...(result.namespace !== undefined ? { namespace: result.namespace } : {}),
        },
        io,
      );
      // Completing a word never prints about the folder's files.
      const ctx = buildCoreContext(g, io, { stateReport: null, namespaceCheck: 'none' });
      const namespace = g.namespace;
      const snapshot = await ctx.store.read(namespace);
      lines.push(...resourceNames(snapshot, result.resource, namespace).filter((n) => n.startsWith(cur)));
    } catch {
      // Completion must never print errors into the user's prompt; no names is the answer.
    }
  }
  io.stdout.write(`${lines.map((l) => `${l}\n`).join('')}:${directiveCode(result.directive)}\n`);
  return 0;
}

/** Registers `completion` and the hidden `__complete`. */
export const completionCommand: CommandModule = {
  register(program, { io, action: exits }) {
    program
      .command('completion')
      .argument('<SHELL>', 'bash, zsh or fish')
      .summary('Output shell completion code for the specified shell (bash, zsh or fish)')
      .description(
        'Output shell completion code for the specified shell (bash, zsh or fish).\n\n' +
          'The shell code must be evaluated to provide interactive completion of isctl commands, flags, resource kinds, ' +
          'and the image streams and tags of the state folder (--dir, ISCTL_DIR). Names are read when you press TAB.',
      )
      .addHelpText('after', examples)
      .action(
        exits((shell) => {
          if (!isShell(shell)) {
            throw new UsageError(`Unsupported shell type "${shell}".`, `Use one of: ${SHELLS.join(', ')}.`);
          }
          io.stdout.write(completionScript(shell));
          return 0;
        }),
      );
    program
      .command('__complete', { hidden: true })
      .argument('[words...]')
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(exits((words) => complete(program, words, io)));
  },
};
