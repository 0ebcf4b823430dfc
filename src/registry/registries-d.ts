/**
 * registries.d (containers-registries.d(5)): where signatures of an image are kept outside the
 * registry ("lookaside" storage), and whether sigstore attachments are read, per registry,
 * namespace or repository. Read as containers/image docker/registries_d.go reads it:
 *
 * - one folder: `--registries-d DIR`, else `~/.config/containers/registries.d` when it exists, else
 *   `/etc/containers/registries.d` (`registriesDirPathWithHomeDir`); a missing folder is no
 *   configuration;
 * - every `*.yaml` file in it (`loadAndMergeConfig`), merged: `default-docker` in at most one file,
 *   each `docker` scope in at most one file;
 * - a scope is looked up as policy.json scopes are (`signatureTopLevel`): the exact
 *   `host/repo:tag` (or `@digest`), then `host/repo`, its parent namespaces, the host, then
 *   `*.domain` wildcards (docker/policyconfiguration/naming.go `DockerReferenceNamespaces`), then
 *   `default-docker`; the first scope that sets a lookaside wins (`lookaside`, else the old name
 *   `sigstore`), and the first that sets `use-sigstore-attachments` says whether the image's
 *   `sha256-<hex>.sig` attachments are read at all (default false: `useSigstoreAttachments`);
 * - with nothing configured, the built-in default folder: `file:///var/lib/containers/sigstore`
 *   for root, `file://~/.local/share/containers/sigstore` otherwise
 *   (`builtinDefaultLookasideStorageDir`).
 *
 * Parsing and lookup are pure; `loadRegistriesD` reads the folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import { RegistryError } from '../domain/errors.js';
import { referenceNamespaces } from '../domain/signature/reference.js';

/** One scope's settings (docker/registries_d.go `registryNamespace`). */
export interface RegistriesDNamespace {
  lookaside?: string;
  lookasideStaging?: string;
  /** Old name of `lookaside`, still read. */
  sigstore?: string;
  sigstoreStaging?: string;
  useSigstoreAttachments?: boolean;
  /** The file that defined it. */
  file: string;
}

/** Every file of the folder merged. */
export interface RegistriesDConfig {
  defaultDocker?: RegistriesDNamespace;
  docker: Map<string, RegistriesDNamespace>;
  /** Set when the default folder did not exist (no configuration at all). */
  missing?: true;
}

/** A registries.d file or folder that cannot be used. */
export class RegistriesDError extends RegistryError {
  constructor(message: string, hint?: string) {
    super(message, { reason: 'InternalError', hint });
  }
}

/** The image a lookup is for: the canonical name (`docker.io/library/busybox`) with its tag or digest. */
export interface LookasideRef {
  /** `host/repository`, Docker Hub as `docker.io`. */
  name: string;
  tag?: string;
  digest?: string;
}

/** Parses one registries.d file (YAML); unknown keys are ignored, as yaml.v3 ignores them. */
export function parseRegistriesDFile(
  text: string,
  file: string,
): Omit<RegistriesDConfig, 'docker'> & {
  docker: [string, RegistriesDNamespace][];
} {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = e.linePos?.[0];
    throw new RegistriesDError(
      `${file}${at ? `:${at.line}:${at.col}` : ''}: invalid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      'fix the file, or point --registries-d at another folder',
    );
  }
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return { docker: [] };
  if (!isRecord(root)) throw new RegistriesDError(`${file}: expected a mapping with "default-docker" and "docker"`);
  const out: ReturnType<typeof parseRegistriesDFile> = { docker: [] };
  if (root['default-docker'] !== undefined && root['default-docker'] !== null)
    out.defaultDocker = namespace(root['default-docker'], file, 'default-docker');
  const docker = root.docker;
  if (docker !== undefined && docker !== null) {
    if (!isRecord(docker)) throw new RegistriesDError(`${file}: "docker" must be a mapping of scopes`);
    for (const [scope, v] of Object.entries(docker))
      out.docker.push([scope, namespace(v ?? {}, file, `docker.${scope}`)]);
  }
  return out;
}

function namespace(v: unknown, file: string, where: string): RegistriesDNamespace {
  if (!isRecord(v)) throw new RegistriesDError(`${file}: ${where} must be a mapping`);
  const ns: RegistriesDNamespace = { file };
  const str = (key: string): string | undefined => {
    const x = v[key];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'string' && typeof x !== 'number')
      throw new RegistriesDError(`${file}: ${where}.${key} must be a URL`);
    return String(x);
  };
  const set = <K extends keyof RegistriesDNamespace>(k: K, value: RegistriesDNamespace[K] | undefined) => {
    if (value !== undefined && value !== '') ns[k] = value;
  };
  set('lookaside', str('lookaside'));
  set('lookasideStaging', str('lookaside-staging'));
  set('sigstore', str('sigstore'));
  set('sigstoreStaging', str('sigstore-staging'));
  const att = v['use-sigstore-attachments'];
  if (att !== undefined && att !== null) {
    if (typeof att !== 'boolean')
      throw new RegistriesDError(`${file}: ${where}.use-sigstore-attachments must be true or false`);
    ns.useSigstoreAttachments = att;
  }
  return ns;
}

/** Merges the files of one folder (in name order); a scope defined twice is an error naming both files. */
export function mergeRegistriesD(files: { file: string; text: string }[]): RegistriesDConfig {
  const merged: RegistriesDConfig = { docker: new Map() };
  for (const { file, text } of files) {
    const one = parseRegistriesDFile(text, file);
    if (one.defaultDocker) {
      if (merged.defaultDocker)
        throw new RegistriesDError(
          `signature storage configuration: "default-docker" defined both in ${merged.defaultDocker.file} and ${file}`,
        );
      merged.defaultDocker = one.defaultDocker;
    }
    for (const [scope, ns] of one.docker) {
      const before = merged.docker.get(scope);
      if (before)
        throw new RegistriesDError(
          `signature storage configuration: "docker" namespace "${scope}" defined both in ${before.file} and ${file}`,
        );
      merged.docker.set(scope, ns);
    }
  }
  return merged;
}

/**
 * The scopes searched for `ref`, most specific first (docker_transport.go
 * `PolicyConfigurationIdentity` then policyconfiguration/naming.go `DockerReferenceNamespaces`).
 */
export function lookasideScopes(ref: LookasideRef): string[] {
  const out: string[] = [];
  if (ref.tag) out.push(`${ref.name}:${ref.tag}`);
  else if (ref.digest) out.push(`${ref.name}@${ref.digest}`);
  out.push(...referenceNamespaces(ref.name));
  return out;
}

/** The scope settings that apply to `ref`, in the order they are consulted (then default-docker). */
function applicable(config: RegistriesDConfig, ref: LookasideRef): { scope: string; ns: RegistriesDNamespace }[] {
  const found = lookasideScopes(ref).flatMap((scope) => {
    const ns = config.docker.get(scope);
    return ns ? [{ scope, ns }] : [];
  });
  if (config.defaultDocker) found.push({ scope: 'default-docker', ns: config.defaultDocker });
  return found;
}

/** Where the lookaside of `ref` is configured (registries_d.go `signatureTopLevel` for reading), or undefined. */
export function configuredLookaside(
  config: RegistriesDConfig,
  ref: LookasideRef,
): { url: string; scope: string; file: string } | undefined {
  for (const { scope, ns } of applicable(config, ref)) {
    const url = ns.lookaside ?? ns.sigstore;
    if (url) return { url, scope, file: ns.file };
  }
  return undefined;
}

/** The scope whose `use-sigstore-attachments` applies to `ref` (the first that sets it), or undefined. */
export function sigstoreAttachmentsSetting(
  config: RegistriesDConfig,
  ref: LookasideRef,
): { value: boolean; scope: string; file: string } | undefined {
  for (const { scope, ns } of applicable(config, ref))
    if (ns.useSigstoreAttachments !== undefined) return { value: ns.useSigstoreAttachments, scope, file: ns.file };
  return undefined;
}

/** registries_d.go `useSigstoreAttachments`: the first scope that says true or false decides (default false). */
export function useSigstoreAttachments(config: RegistriesDConfig, ref: LookasideRef): boolean {
  return sigstoreAttachmentsSetting(config, ref)?.value ?? false;
}

/**
 * The lookaside base URL of `ref`'s repository (registries_d.go `lookasideStorageBaseURL`): the
 * configured URL, or the built-in default folder, with `/<repository path>` appended.
 */
export function lookasideBase(
  config: RegistriesDConfig,
  ref: LookasideRef,
  defaults: { euid: number; home: string },
): { url: URL; configured?: { scope: string; file: string } } {
  const configured = configuredLookaside(config, ref);
  let url: URL;
  if (configured) {
    try {
      url = new URL(configured.url);
    } catch {
      throw new RegistriesDError(
        `${configured.file}: invalid signature storage URL ${JSON.stringify(configured.url)} (scope ${configured.scope})`,
        'write an absolute file://, http:// or https:// URL',
      );
    }
  } else {
    const dir =
      defaults.euid === 0
        ? '/var/lib/containers/sigstore'
        : path.join(defaults.home, '.local/share/containers/sigstore');
    url = pathToFileURL(dir);
  }
  const slash = ref.name.indexOf('/');
  const repo = ref.name.slice(slash + 1);
  url.pathname = `${url.pathname}/${repo}`;
  return configured ? { url, configured: { scope: configured.scope, file: configured.file } } : { url };
}

/** The registries.d folder: the one given, else the user's when it exists, else the system's. */
export async function registriesDDir(
  given: string | undefined,
  env: Record<string, string | undefined>,
): Promise<string> {
  if (given) return given;
  const home = env.HOME || os.homedir();
  const user = path.join(home, '.config', 'containers', 'registries.d');
  try {
    await readdir(user);
    return user;
  } catch {
    return '/etc/containers/registries.d';
  }
}

/** Reads and merges every `*.yaml` of the folder; a folder that does not exist is no configuration. */
export async function loadRegistriesD(dir: string, explicit: boolean): Promise<RegistriesDConfig> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return { docker: new Map(), missing: true };
    throw new RegistriesDError(
      `cannot read the registries.d folder ${dir}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (e as Error).message}`,
      explicit ? 'check --registries-d' : undefined,
    );
  }
  const files: { file: string; text: string }[] = [];
  for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) {
    const file = path.join(dir, name);
    try {
      files.push({ file, text: await readFile(file, 'utf8') });
    } catch (e) {
      // Removed between the listing and the read: an expected race (registries_d.go).
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new RegistriesDError(`cannot read ${file}: ${(e as Error).message}`);
    }
  }
  return mergeRegistriesD(files);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
