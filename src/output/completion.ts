/**
 * The completion engine behind `isctl __complete`: given the command tree (taken from the
 * commander program at runtime, so new commands complete without edits) and the words typed so
 * far, decides which candidates fit the word under the cursor. Pure: state-folder names are
 * asked for through `CompletionResult.resource` and filled in by the CLI.
 */

/** One option of a command, as the shell sees it. */
export interface CompletionOption {
  /** Spellings, e.g. ['-n', '--namespace']. */
  flags: string[];
  /** True when the option takes a value (`--from <image>`). */
  takesValue: boolean;
}

/** A command and its subcommands, reduced to what completion needs. */
export interface CompletionCommand {
  name: string;
  aliases: string[];
  hidden: boolean;
  options: CompletionOption[];
  subcommands: CompletionCommand[];
  /** Positional argument names as declared (`[IMAGESTREAM[:TAG]]`, `<TYPE>`…). */
  args: string[];
}

/** What the shell should do after printing the candidates (cobra's ShellCompDirective, simplified). */
export type CompletionDirective = 'default' | 'files' | 'dirs' | 'nospace';

/** Names the CLI must read from the state folder. */
export type ResourceKind = 'is' | 'istag' | 'isimage' | 'namespace' | 'dc' | 'workload';

/** The answer for the word under the cursor. */
export interface CompletionResult {
  candidates: string[];
  /** Also offer these names from the state folder (filtered by the current word). */
  resource?: ResourceKind;
  directive: CompletionDirective;
  /** The values of --dir and -n typed on the line, so names come from the folder the user means. */
  dir?: string;
  namespace?: string;
}

/** Resource kinds `get`, `describe` and `delete` accept, short and long (oc api-resources). */
export const RESOURCE_KINDS = [
  'is',
  'istag',
  'isimage',
  'imagestream',
  'imagestreamtag',
  'imagestreamimage',
  'imagestreams',
  'imagestreamtags',
  'imagestreamimages',
];

const KIND_OF: Record<string, ResourceKind> = {
  is: 'is',
  imagestream: 'is',
  imagestreams: 'is',
  istag: 'istag',
  imagestreamtag: 'istag',
  imagestreamtags: 'istag',
  isimage: 'isimage',
  imagestreamimage: 'isimage',
  imagestreamimages: 'isimage',
  dc: 'dc',
  deploymentconfig: 'dc',
  deploymentconfigs: 'dc',
};

/** Values of options whose choices are fixed (flag names as oc spells them). */
const OPTION_VALUES: Record<string, string[]> = {
  '--output': ['json', 'yaml', 'name', 'wide', 'jsonpath='],
  '--reference-policy': ['source', 'local'],
  '--import-mode': ['Legacy', 'PreserveOriginal'],
  '--source': ['docker', 'istag', 'imagestreamtag', 'isimage', 'imagestreamimage'],
};

/** `-o` values of commands that print something other than objects. */
const OUTPUT_BY_COMMAND: Record<string, string[]> = {
  graph: ['mermaid', 'dot', 'json'],
  refresh: ['json'],
};

/** Options whose value is a path or a namespace. */
const OPTION_KIND: Record<string, CompletionDirective | 'namespace'> = {
  '--dir': 'dirs',
  '--filename': 'files',
  '--registry-config': 'files',
  '--registries-conf': 'files',
  '--namespace': 'namespace',
};

/** What the positional arguments of a command are, by command path; others are guessed from argument names. */
const POSITIONAL: Record<string, (index: number, previous: string[], cur: string) => Partial<CompletionResult>> = {
  get: kindThenNames,
  describe: kindThenNames,
  delete: kindThenNames,
  'import-image': (i, _p, cur) => (i === 0 ? { resource: cur.includes(':') ? 'istag' : 'is' } : {}),
  tag: () => ({ resource: 'istag' }),
  refresh: () => ({ resource: 'is' }),
  'set image-lookup': () => ({ resource: 'is' }),
  'set triggers': () => ({ resource: 'workload' }),
  'rollout latest': () => ({ resource: 'dc' }),
  completion: (i) => (i === 0 ? { candidates: ['bash', 'zsh', 'fish'] } : {}),
};

function kindThenNames(index: number, previous: string[]): Partial<CompletionResult> {
  if (index === 0) return { candidates: RESOURCE_KINDS };
  const kind = KIND_OF[previous[0]?.toLowerCase() ?? ''];
  return kind ? { resource: kind } : {};
}

/** Positional rule from argument names for commands not in the table (`[IMAGESTREAM...]` → streams). */
function guessFromArgs(cmd: CompletionCommand, index: number): Partial<CompletionResult> {
  const name = cmd.args[Math.min(index, cmd.args.length - 1)] ?? '';
  if (/IMAGESTREAM\[?:TAG|ISTAG/i.test(name)) return { resource: 'istag' };
  if (/IMAGESTREAM|\bIS\b/i.test(name)) return { resource: 'is' };
  if (/FILE|PATH/i.test(name)) return { directive: 'files' };
  return {};
}

function findOption(chain: CompletionCommand[], word: string): CompletionOption | undefined {
  const flag = word.split('=')[0];
  for (let i = chain.length - 1; i >= 0; i--) {
    const o = chain[i].options.find((opt) => opt.flags.includes(flag));
    if (o) return o;
  }
  return undefined;
}

function longName(o: CompletionOption): string {
  return o.flags.find((f) => f.startsWith('--')) ?? o.flags[0];
}

function visible(cmds: CompletionCommand[]): CompletionCommand[] {
  return cmds.filter((c) => !c.hidden);
}

/** Completes the last word of `words` (the words after the program name; the last may be ''). */
export function completeWords(root: CompletionCommand, words: string[]): CompletionResult {
  const chain: CompletionCommand[] = [root];
  const positionals: string[] = [];
  const seen: { dir?: string; namespace?: string } = {};
  const before = words.slice(0, -1);
  const cur = words.length > 0 ? words[words.length - 1] : '';
  let pending: CompletionOption | undefined;
  let afterDashes = false;
  for (const w of before) {
    if (pending) {
      remember(seen, pending, w);
      pending = undefined;
    } else if (!afterDashes && w === '--') {
      afterDashes = true;
    } else if (!afterDashes && w.startsWith('-') && w.length > 1) {
      const o = findOption(chain, w);
      if (o?.takesValue && !w.includes('=')) pending = o;
      else if (o && w.includes('=')) remember(seen, o, w.slice(w.indexOf('=') + 1));
    } else {
      const sub =
        positionals.length === 0
          ? chain[chain.length - 1].subcommands.find((c) => c.name === w || c.aliases.includes(w))
          : undefined;
      if (sub) chain.push(sub);
      else positionals.push(w);
    }
  }
  const result = completeCurrent(chain, positionals, cur, pending, afterDashes);
  const candidates = result.candidates.filter((c) => c.startsWith(cur));
  // Only stay on the word when every remaining choice needs more typing (`jsonpath=`).
  const directive =
    result.directive === 'nospace' && !candidates.every((c) => c.endsWith('=')) ? 'default' : result.directive;
  return { ...result, ...seen, candidates, directive };
}

function remember(seen: { dir?: string; namespace?: string }, o: CompletionOption, value: string): void {
  if (o.flags.includes('--dir')) seen.dir = value;
  if (o.flags.includes('--namespace')) seen.namespace = value;
}

function completeCurrent(
  chain: CompletionCommand[],
  positionals: string[],
  cur: string,
  pending: CompletionOption | undefined,
  afterDashes: boolean,
): CompletionResult {
  const path = chain
    .slice(1)
    .map((c) => c.name)
    .join(' ');
  if (pending) return optionValue(pending, '', path);
  const cmd = chain[chain.length - 1];
  if (!afterDashes && cur.startsWith('-')) {
    const eq = cur.indexOf('=');
    if (eq > 0) {
      const o = findOption(chain, cur);
      const r = o ? optionValue(o, cur.slice(0, eq + 1), path) : { candidates: [], directive: 'default' as const };
      return r;
    }
    const flags = chain.flatMap((c) => c.options.map(longName));
    flags.push('--help');
    return { candidates: [...new Set(flags)].sort(), directive: 'default' };
  }
  // commander's implicit `help [command]` is not in `commands`: complete it and its argument by hand.
  const isRoot = chain.length === 1;
  if (isRoot && positionals.length === 1 && positionals[0] === 'help')
    return {
      candidates: visible(cmd.subcommands)
        .map((c) => c.name)
        .sort(),
      directive: 'default',
    };
  const subs = positionals.length === 0 ? visible(cmd.subcommands) : [];
  if (subs.length > 0)
    return {
      candidates: [...new Set([...subs.map((c) => c.name), ...(isRoot ? ['help'] : [])])].sort(),
      directive: 'default',
    };
  const rule = POSITIONAL[path];
  const found = rule ? rule(positionals.length, positionals, cur) : guessFromArgs(cmd, positionals.length);
  return {
    candidates: found.candidates ?? [],
    ...(found.resource ? { resource: found.resource } : {}),
    directive: found.directive ?? 'default',
  };
}

function optionValue(o: CompletionOption, prefix: string, commandPath: string): CompletionResult {
  const name = longName(o);
  if (name === '--output' && OUTPUT_BY_COMMAND[commandPath])
    return { candidates: OUTPUT_BY_COMMAND[commandPath].map((v) => prefix + v), directive: 'default' };
  const kind = OPTION_KIND[name];
  if (kind === 'namespace') return { candidates: [], resource: 'namespace', directive: 'default' };
  if (kind && !prefix) return { candidates: [], directive: kind };
  const values = OPTION_VALUES[name] ?? [];
  return {
    candidates: values.map((v) => prefix + v),
    directive: values.some((v) => v.endsWith('=')) ? 'nospace' : 'default',
  };
}

/** The directive as the number the shell scripts read (`:N` on the last line). */
export function directiveCode(d: CompletionDirective): number {
  return { default: 0, files: 1, dirs: 2, nospace: 3 }[d];
}

/** A minimal view of the state folder for name completion (a Snapshot satisfies it). */
export interface NameSource {
  objects: readonly { kind: string; name: string; namespace: string; object: unknown }[];
}

/** Names of `kind` in `namespace` (or every namespace's names for `namespace` itself), sorted. */
export function resourceNames(source: NameSource, kind: ResourceKind, namespace: string): string[] {
  const out = new Set<string>();
  for (const o of source.objects) {
    if (kind === 'namespace') {
      out.add(o.namespace);
      continue;
    }
    if (o.namespace !== namespace) continue;
    for (const n of namesOf(o, kind)) out.add(n);
  }
  return [...out].sort();
}

const WORKLOAD_PREFIX: Record<string, string> = {
  DeploymentConfig: 'dc',
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  DaemonSet: 'daemonset',
  CronJob: 'cronjob',
  BuildConfig: 'bc',
};

function namesOf(o: NameSource['objects'][number], kind: ResourceKind): string[] {
  if (kind === 'dc') return o.kind === 'DeploymentConfig' ? [`dc/${o.name}`] : [];
  if (kind === 'workload') return WORKLOAD_PREFIX[o.kind] ? [`${WORKLOAD_PREFIX[o.kind]}/${o.name}`] : [];
  if (o.kind !== 'ImageStream') return [];
  if (kind === 'is') return [o.name];
  const stream = o.object as {
    spec?: { tags?: { name?: string }[] | null };
    status?: { tags?: { tag?: string; items?: { image?: string }[] | null }[] | null };
  };
  if (kind === 'istag') {
    const tags = [...(stream.spec?.tags ?? []).map((t) => t.name), ...(stream.status?.tags ?? []).map((t) => t.tag)];
    return tags.filter((t): t is string => Boolean(t)).map((t) => `${o.name}:${t}`);
  }
  const images = (stream.status?.tags ?? []).flatMap((t) => (t.items ?? []).map((i) => i.image));
  return images.filter((i): i is string => Boolean(i)).map((i) => `${o.name}@${i}`);
}
