/**
 * Registry credentials from the files users already have, read the way containers/image
 * (pkg/docker/config/config.go) and docker/cli do: an explicit file (--registry-config or
 * REGISTRY_AUTH_FILE) is the only one read; otherwise $XDG_RUNTIME_DIR/containers/auth.json,
 * ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json, ~/.dockercfg. In each file: credHelpers[host], then `auths` (namespaced
 * keys most specific first, `https://` and `/v1/` forms normalised), then credsStore.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from '../domain/errors.js';
import { jsonSyntaxErrorAt } from '../domain/json-syntax.js';

/** Credentials for one registry; `source` names where they came from (never the secret). */
export type Credential =
  | { kind: 'basic'; username: string; password: string; source: string }
  | { kind: 'identityToken'; token: string; username: string; source: string };

/** Where credentials are looked for. */
export interface CredentialOptions {
  registryConfig?: string;
  env: Record<string, string | undefined>;
  /** Helper answers by `helper|registry`, so a helper runs once per registry (not per repository). */
  helperCache?: Map<string, Promise<Credential | undefined>>;
}

/** A file that may hold credentials. */
interface AuthPath {
  path: string;
  legacy: boolean;
}

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The files read for credentials, in order (containers-auth.json(5)). */
export function authFilePaths(opts: CredentialOptions): AuthPath[] {
  const env = opts.env;
  const explicit = opts.registryConfig || env.REGISTRY_AUTH_FILE;
  if (explicit) return [{ path: explicit, legacy: false }];
  const home = env.HOME ?? '';
  const paths: AuthPath[] = [];
  if (env.XDG_RUNTIME_DIR) paths.push({ path: join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'), legacy: false });
  if (home || env.XDG_CONFIG_HOME)
    paths.push({ path: join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json'), legacy: false });
  if (env.DOCKER_CONFIG) paths.push({ path: join(env.DOCKER_CONFIG, 'config.json'), legacy: false });
  else if (home) paths.push({ path: join(home, '.docker', 'config.json'), legacy: false });
  if (home) paths.push({ path: join(home, '.dockercfg'), legacy: true });
  return paths;
}

const HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Normalises an auth key: strips scheme and path of legacy docker keys, maps Docker Hub names to docker.io. */
export function normalizeAuthKey(key: string): string {
  let k = key;
  const hadScheme = /^https?:\/\//.test(k);
  k = k.replace(/^https?:\/\//, '');
  // `https://index.docker.io/v1/` style keys name a registry, not a namespace.
  if (hadScheme) k = k.split('/')[0];
  k = k.replace(/\/+$/, '');
  const [host, ...rest] = k.split('/');
  const h = HUB.has(host) ? 'docker.io' : host;
  return [h, ...rest].join('/');
}

/**
 * Finds credentials for `host` and `repository` (the repository path inside the registry).
 * Returns undefined when no file has any; `searched` lists the files looked at.
 */
export async function findCredential(
  host: string,
  repository: string,
  opts: CredentialOptions,
): Promise<{ credential?: Credential; searched: string[] }> {
  const registry = HUB.has(host) ? 'docker.io' : host;
  const searched: string[] = [];
  for (const p of authFilePaths(opts)) {
    searched.push(p.path);
    const file = readAuthFile(p, opts.registryConfig !== undefined || opts.env.REGISTRY_AUTH_FILE !== undefined);
    if (!file) continue;
    const found = await fromFile(file, p.path, registry, repository, opts);
    if (found) return { credential: found, searched };
  }
  return { searched };
}

function readAuthFile(p: AuthPath, explicit: boolean): AuthFile | undefined {
  if (!existsSync(p.path)) {
    if (explicit)
      throw new RegistryError(
        `registry config file ${p.path} does not exist; check --registry-config or REGISTRY_AUTH_FILE`,
        { reason: 'InternalError' },
      );
    return undefined;
  }
  let doc: unknown;
  let text: string;
  try {
    text = readFileSync(p.path, 'utf8');
  } catch (e) {
    throw new RegistryError(
      `cannot read credentials from ${p.path}: ${(e as NodeJS.ErrnoException).code ?? 'read error'}; fix or remove the file`,
    );
  }
  try {
    doc = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error (a password, perhaps): only the position is told.
    const at = jsonSyntaxErrorAt(text);
    throw new RegistryError(
      `cannot read credentials from ${p.path}: it is not valid JSON${at ? ` (line ${at.line}, column ${at.column})` : ''}; fix or remove the file`,
    );
  }
  if (!doc || typeof doc !== 'object') return undefined;
  if (p.legacy) return { auths: doc as AuthFile['auths'] };
  return doc as AuthFile;
}

async function fromFile(
  file: AuthFile,
  path: string,
  registry: string,
  repository: string,
  opts: CredentialOptions,
): Promise<Credential | undefined> {
  const helper =
    file.credHelpers && Object.entries(file.credHelpers).find(([k]) => normalizeAuthKey(k) === registry)?.[1];
  if (helper) return cachedHelper(helper, registry, opts);
  const auths = file.auths ?? {};
  // Most specific namespace first: host/ns/repo, host/ns, host (containers-auth.json(5)).
  const parts = repository.split('/').filter(Boolean);
  const candidates: string[] = [];
  for (let n = parts.length; n >= 0; n--) candidates.push([registry, ...parts.slice(0, n)].join('/'));
  const normalized = new Map<string, (typeof auths)[string]>();
  for (const [k, v] of Object.entries(auths))
    if (!normalized.has(normalizeAuthKey(k))) normalized.set(normalizeAuthKey(k), v);
  for (const key of candidates) {
    const entry = auths[key] ?? normalized.get(key);
    const cred = entry && decodeEntry(entry, `in ${path}`);
    if (cred) return cred;
  }
  if (file.credsStore) return cachedHelper(file.credsStore, registry, opts);
  return undefined;
}

function cachedHelper(name: string, registry: string, opts: CredentialOptions): Promise<Credential | undefined> {
  if (!opts.helperCache) return fromHelper(name, registry, opts.env);
  const key = `${name}|${registry}`;
  let p = opts.helperCache.get(key);
  if (!p) {
    p = fromHelper(name, registry, opts.env);
    opts.helperCache.set(key, p);
  }
  return p;
}

function decodeEntry(e: NonNullable<AuthFile['auths']>[string], source: string): Credential | undefined {
  let username = e.username ?? '';
  let password = e.password ?? '';
  if (e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i >= 0) {
      username = decoded.slice(0, i);
      password = decoded.slice(i + 1);
    }
  }
  if (e.identitytoken) return { kind: 'identityToken', token: e.identitytoken, username, source };
  if (username || password) return { kind: 'basic', username, password, source };
  return undefined;
}

const HELPER_TIMEOUT_MS = 30_000;
const HELPER_EXIT_GRACE_MS = 500;

/** Runs `docker-credential-<name> get` with the registry on stdin (docker-credential-helpers protocol). */
async function fromHelper(
  name: string,
  registry: string,
  env: Record<string, string | undefined>,
): Promise<Credential | undefined> {
  const program = `docker-credential-${name}`;
  const serverUrl = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
  const { code, stdout, error } = await runHelper(program, serverUrl, env);
  const source = `from ${program}`;
  if (error)
    throw new RegistryError(
      `cannot run credential helper ${program}: ${error}; install it or remove it from credHelpers/credsStore`,
    );
  if (code !== 0) {
    if (/credentials not found/i.test(stdout)) return undefined;
    throw new RegistryError(`credential helper ${program} failed for ${registry} (exit code ${code})`);
  }
  let doc: { Username?: string; Secret?: string };
  try {
    doc = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch {
    throw new RegistryError(`credential helper ${program} printed something that is not JSON for ${registry}`);
  }
  if (!doc.Secret) return undefined;
  if (doc.Username === '<token>') return { kind: 'identityToken', token: doc.Secret, username: '', source };
  return { kind: 'basic', username: doc.Username ?? '', password: doc.Secret, source };
}

function runHelper(
  program: string,
  input: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, ['get'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    let done = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = (r: { code: number; stdout: string; error?: string }) => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      clearTimeout(grace);
      child.stdout.destroy();
      resolve(r);
    };
    // The whole exchange is bounded: a helper that never answers is killed.
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ code: -1, stdout: '', error: `no answer within ${HELPER_TIMEOUT_MS / 1000} s` });
    }, HELPER_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      finish({ code: -1, stdout: '', error: e.code === 'ENOENT' ? 'not found on PATH' : (e.code ?? 'failed') }),
    );
    // A process the helper left behind may hold its stdout open: once the helper itself has
    // exited, what it printed is read for a moment more, then the pipe is closed.
    child.on('exit', (code) => {
      grace = setTimeout(() => finish({ code: code ?? -1, stdout }), HELPER_EXIT_GRACE_MS);
    });
    child.on('close', (code) => finish({ code: code ?? -1, stdout }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
