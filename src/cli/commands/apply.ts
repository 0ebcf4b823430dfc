/** `isctl apply -f FILE|DIR|-`: create or update objects in the state folder (kubectl apply for spec). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { globalOptions, type Program } from '../globals.js';
import type { CliIO } from '../io.js';
import { CommandError } from '../../domain/errors.js';
import type { ExitCode } from '../errors.js';
import { apply, parseApplyInput, type ApplyDocument } from '../../core/apply.js';
import { resourceName } from '../../output/serialize.js';
import { parseOutputFormat } from '../../output/printer.js';
import { ObjectPrinter } from '../../output/print-flags.js';
import type { KubeObject } from '../../domain/types.js';
import { buildCoreContext } from '../context.js';
import { renderTriggerReport } from '../../output/changes.js';
import { escapeControls } from '../../domain/escape.js';

const examples = `
Examples:
  # Apply the image streams and workloads in a file
  isctl apply -f streams.yaml

  # Apply every .yaml, .yml and .json file of a folder (and its subfolders with -R)
  isctl apply -f manifests/ -R

  # Apply what another command prints
  cat app.json | isctl apply -f -
`;

const MAX_STDIN_BYTES = 16 * 1024 * 1024;

/** Files named by one -f value: the file, or the .yaml/.yml/.json files of a folder (sorted). */
async function expand(arg: string, cwd: string, recursive: boolean): Promise<string[]> {
  const abs = path.resolve(cwd, arg);
  let st;
  try {
    st = await fs.stat(abs);
  } catch {
    throw new CommandError(`the path "${arg}" does not exist`);
  }
  if (!st.isDirectory()) return [arg];
  const out: string[] = [];
  for (const e of (await fs.readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = path.join(arg, e.name);
    if (e.isDirectory() && recursive && !e.name.startsWith('.')) out.push(...(await expand(rel, cwd, true)));
    else if (e.isFile() && /\.(ya?ml|json)$/i.test(e.name)) out.push(rel);
  }
  return out;
}

async function readStdin(io: CliIO): Promise<string> {
  if (!io.stdin) throw new CommandError('no standard input to read for -f -');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_STDIN_BYTES)
      throw new CommandError(`standard input is larger than ${MAX_STDIN_BYTES / 1048576} MiB; it was not applied`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readDocuments(files: string[], io: CliIO, recursive: boolean): Promise<ApplyDocument[]> {
  const docs: ApplyDocument[] = [];
  for (const f of files) {
    if (f === '-') {
      docs.push(...parseApplyInput('-', await readStdin(io)));
      continue;
    }
    for (const file of await expand(f, io.cwd, recursive))
      docs.push(...parseApplyInput(file, await fs.readFile(path.resolve(io.cwd, file), 'utf8')));
  }
  return docs;
}

async function action(opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const files = opts.filename ?? [];
  if (files.length === 0) throw new CommandError('must specify one of -f and -k');
  const dryRun = Boolean(opts.dryRun);
  // apply.go Complete: the printer is made (and -o checked) before any file is read.
  const format = parseOutputFormat(g.output, 'print-flags');
  const docs = await readDocuments(files, io, Boolean(opts.recursive));
  // clientcmd DirectClientConfig.Namespace: only a non-empty -n is explicit (kubectl's enforceNamespace).
  const explicitNamespace = Boolean(cmd.optsWithGlobals().namespace);
  const ctx = buildCoreContext(g, io, { dryRun, namespaceCheck: 'use-case' });
  const { outcomes, triggers } = await apply(ctx, { docs, dryRun, explicitNamespace });
  // kubectl apply.go shouldPrintObject: with -o other than name, nothing is printed per object;
  // printObjects then prints the one object, or a v1 List of all of them, as stored.
  const whole = format.kind !== 'table' && format.kind !== 'name';
  const stored: KubeObject[] = [];
  for (const o of outcomes) {
    if (o.action === 'skipped') {
      io.stderr.write(escapeControls(`warning: skipped ${o.kind} "${o.name}": ${o.reason}\n`));
      continue;
    }
    if (o.object) stored.push(o.object);
    if (whole) continue;
    const name = resourceName({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name } });
    io.stdout.write(
      escapeControls(format.kind === 'name' ? `${name}\n` : `${name} ${o.action}${dryRun ? ' (dry run)' : ''}\n`),
    );
  }
  if (whole && stored.length > 0) {
    const shown = stored.length === 1 ? stored[0] : { apiVersion: 'v1', kind: 'List', metadata: {}, items: stored };
    io.stdout.write(new ObjectPrinter(format, '', dryRun).print(shown as KubeObject));
  }
  const report = renderTriggerReport([triggers]);
  for (const w of report.warnings) io.stderr.write(`${w}\n`);
  if (format.kind === 'table') for (const l of report.lines) io.stdout.write(`${l}\n`);
  return 0;
}

function define(program: Program) {
  return program
    .command('apply')
    .usage('-f FILENAME [-R] [--dry-run]')
    .summary('Apply a configuration to objects in the state folder by file name or stdin')
    .description(
      'Apply a configuration to objects in the state folder by file name or stdin. JSON and YAML formats are accepted.\n\n' +
        'A new object is written to its default path (imagestreams/NAMESPACE/NAME.yaml, <kind>s/NAMESPACE/NAME.yaml); an ' +
        'existing one takes the applied spec, labels and annotations and keeps its status, edited in place. ImageStreams are ' +
        'validated as OpenShift validates them; if any object is invalid nothing is written.',
    )
    .option(
      '-f, --filename <file...>',
      'The files that contain the configurations to apply (a folder, or - for stdin).',
    )
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('--dry-run', 'Only print what would be created or configured')
    .addHelpText('after', examples);
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `apply`. */
export const applyCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((opts, cmd) => action(opts, cmd, io)));
  },
};
