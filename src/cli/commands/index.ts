/**
 * Every command module, loaded lazily: `isctl get is` compiles only what `get` needs, not the
 * registry client, the server or the other commands (start-up time is measured in
 * bench/). The order is
 * the order `isctl --help` lists them.
 */
import type { CommandModule } from '../command.js';

type Loader = () => Promise<CommandModule[]>;

const entries: [names: string[], load: Loader][] = [
  [['get'], async () => [(await import('./get.js')).getCommand]],
  [['describe'], async () => [(await import('./describe.js')).describeCommand]],
  [['create'], async () => [(await import('./create.js')).createCommand]],
  [['project'], async () => [(await import('./project.js')).projectCommand]],
  [['apply'], async () => [(await import('./apply.js')).applyCommand]],
  [['delete'], async () => [(await import('./delete.js')).deleteCommand]],
  [
    ['set'],
    async () => [
      (await import('./set-image-lookup.js')).setImageLookupCommand,
      (await import('./set-triggers.js')).setTriggersCommand,
      (await import('./set-policy.js')).setPolicyCommand,
    ],
  ],
  [['import-image'], async () => [(await import('./import-image.js')).importImageCommand]],
  [['tag'], async () => [(await import('./tag.js')).tagCommand]],
  [['refresh'], async () => [(await import('./refresh.js')).refreshCommand]],
  [['completion', '__complete'], async () => [(await import('./completion.js')).completionCommand]],
  [['graph'], async () => [(await import('./graph.js')).graphCommand]],
  [['lint'], async () => [(await import('./lint.js')).lintCommand]],
  [['explain'], async () => [(await import('./explain.js')).explainCommand]],
  [['rollout'], async () => [(await import('./rollout.js')).rolloutCommand]],
  [['serve'], async () => [(await import('./serve.js')).serveCommand]],
];

/** Commands that need the whole command tree (help, completion) or that are not known. */
const needsAll = new Set(['completion', '__complete', 'help']);

/** The modules to register for a run of `commandName` (all of them when unknown, for help and suggestions). */
export async function loadCommandModules(commandName?: string): Promise<CommandModule[]> {
  const hit =
    commandName && !needsAll.has(commandName) ? entries.find(([names]) => names.includes(commandName)) : undefined;
  if (hit) return hit[1]();
  const all: CommandModule[] = [];
  for (const [, load] of entries) all.push(...(await load()));
  return all;
}

/** Global options that take a value (so the value is not mistaken for the command name). */
const valueOptions = new Set([
  '--dir',
  '-n',
  '--namespace',
  '-o',
  '--output',
  '-v',
  '--v',
  '--request-timeout',
  '--registry-config',
  '--registries-conf',
  '--internal-registry',
]);

/** The command word of an argument list: the first word that is neither an option nor an option's value. */
export function commandNameOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv[i + 1];
    if (a.startsWith('-')) {
      if (!a.includes('=') && valueOptions.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}
