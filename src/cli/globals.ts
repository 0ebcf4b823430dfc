/**
 * Global options shared by every command (`--dir`, `-n`, `-A`, `-o`, `--no-color`, `-v`), accepted
 * before or after the command name as `oc` does, with their environment fallbacks.
 */
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_INTERNAL_REGISTRY } from '../domain/types.js';
import type { CliIO } from './io.js';
import { UsageError } from '../domain/errors.js';
import { folderNamespace } from '../state/namespaces.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, parseRequestTimeout } from '../registry/request-timeout.js';

/** Resolved global options. */
export interface GlobalOptions {
  dir: string;
  namespace: string;
  allNamespaces: boolean;
  output?: string;
  color: boolean;
  verbosity: number;
  /** Overall deadline of one registry request (--request-timeout, ISCTL_REQUEST_TIMEOUT; default 30 s). */
  requestTimeoutMs: number;
  registryConfig?: string;
  /** --registries-conf: registries.conf v2 with mirrors and blocked registries. */
  registriesConf?: string;
  internalRegistry: string;
}

/** Declares the global options on the root program. */
export function addGlobalOptions(program: Command) {
  return program
    .option('--dir <path>', 'State folder holding the YAML/JSON objects (env ISCTL_DIR, default: current directory)')
    .option(
      '-n, --namespace <name>',
      'Namespace to work in (env ISCTL_NAMESPACE; default the folder\'s namespace: see "isctl project")',
    )
    .option('-A, --all-namespaces', 'List objects across all namespaces')
    .option(
      '-o, --output <format>',
      'Output format: wide, name, json, yaml, jsonpath=TEMPLATE (graph: mermaid, dot, json)',
    )
    .option('--no-color', 'Never colour the output (also NO_COLOR)')
    .option(
      '-v, --v <level>',
      'Log level on stderr: 6 logs every registry request (method, URL, status, time), 7 adds ' +
        'request headers, 8 response headers; credentials are always masked',
      '0',
    )
    .option(
      '--request-timeout <duration>',
      'Give up on a registry request after this long: connect, headers and body (e.g. 30s, 2m; env ISCTL_REQUEST_TIMEOUT, default 30s)',
    )
    .option(
      '--registry-config <file>',
      'Registry credentials file (auth.json or docker config.json); env REGISTRY_AUTH_FILE',
    )
    .option(
      '--registries-conf <file>',
      'registries.conf (v2) with mirrors and blocked registries; env CONTAINERS_REGISTRIES_CONF, default ' +
        '~/.config/containers/registries.conf, then /etc/containers/registries.conf',
    )
    .option(
      '--internal-registry <host>',
      'Internal registry host used by Local reference policies (env ISCTL_INTERNAL_REGISTRY)',
    );
}

/** The root program with the global options declared: what command modules register on. */
export type Program = ReturnType<typeof addGlobalOptions>;

/** The global flags as commander parses them. */
export type GlobalFlags = ReturnType<Program['opts']>;

/** A command directly under the program (`get`, or a group such as `set`). */
// biome-ignore lint/complexity/noBannedTypes: extra-typings types the options of a command that declares none as {}.
export type SubCommand = Command<[], {}, GlobalFlags>;

/** Reads the global options of a (sub)command together with the environment. */
export function globalOptions(cmd: { optsWithGlobals(): GlobalFlags }, io: CliIO): GlobalOptions {
  return readGlobals(cmd.optsWithGlobals(), io);
}

/**
 * The global options from flags and the environment: the one place that defaults --dir, -n,
 * the request timeout and the internal registry (`__complete`, which reads its own words, too).
 */
export function readGlobals(o: GlobalFlags, io: CliIO): GlobalOptions {
  const dir = path.resolve(io.cwd, o.dir ?? io.env.ISCTL_DIR ?? io.cwd);
  const tty = Boolean(io.stdout.isTTY);
  const color = o.color !== false && !io.env.NO_COLOR && tty;
  return {
    dir,
    // -n only selects; by default commands work in the namespace namespace-less objects belong to.
    // An empty -n (or ISCTL_NAMESPACE) is none, as client-go clientcmd DirectClientConfig.Namespace
    // takes only a non-empty override.
    namespace: o.namespace || io.env.ISCTL_NAMESPACE || folderNamespace(dir).namespace,
    allNamespaces: Boolean(o.allNamespaces),
    output: o.output,
    color,
    verbosity: parseVerbosity(o.v),
    requestTimeoutMs: requestTimeout(o.requestTimeout, io.env.ISCTL_REQUEST_TIMEOUT),
    ...(o.registryConfig !== undefined ? { registryConfig: o.registryConfig } : {}),
    ...(o.registriesConf !== undefined ? { registriesConf: o.registriesConf } : {}),
    internalRegistry: o.internalRegistry ?? io.env.ISCTL_INTERNAL_REGISTRY ?? DEFAULT_INTERNAL_REGISTRY,
  };
}

/** `-v 6`, `--v=6`, `-v=6` (commander leaves the `=` of a short option in the value). */
function parseVerbosity(v: string): number {
  const text = v.replace(/^=/, '');
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isFinite(n))
    throw new UsageError(`invalid -v "${text}": use a log level such as 0, 6 or 8`);
  return n;
}

function requestTimeout(flag: string | undefined, env: string | undefined): number {
  if (flag !== undefined) return parseRequestTimeout(flag.replace(/^=/, ''), '--request-timeout');
  if (env !== undefined && env !== '') return parseRequestTimeout(env, 'ISCTL_REQUEST_TIMEOUT');
  return DEFAULT_REQUEST_TIMEOUT_MS;
}
