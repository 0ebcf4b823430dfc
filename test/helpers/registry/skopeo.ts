/**
 * `skopeo inspect` against a harness registry, the independent oracle every digest isctl resolves
 * is compared with (for an index, `skopeo inspect --raw | sha256sum` is the index digest).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sha256 } from './images.js';
import type { TestRegistry } from './registry.js';

const run = promisify(execFile);

/** Options of skopeoInspect. */
export interface SkopeoOptions {
  /** Print the exact manifest bytes (`--raw`). */
  raw?: boolean;
  /** Print the config (`--config`). */
  config?: boolean;
  /** Platform override for lists. */
  arch?: string;
  /** Credentials to use (default: the registry's user, if any). */
  creds?: string | null;
}

function args(reg: TestRegistry, ref: string, o: SkopeoOptions): string[] {
  const a = ['inspect', '--no-tags'];
  if (o.raw) a.push('--raw');
  if (o.config) a.push('--config');
  if (o.arch) a.unshift('--override-arch', o.arch);
  if (reg.mode === 'tls') a.push('--cert-dir', `${reg.certsDir}/${reg.host}`);
  else a.push('--tls-verify=false');
  const creds = o.creds === undefined ? (reg.username ? `${reg.username}:${reg.password}` : null) : o.creds;
  if (creds) a.push('--creds', creds);
  a.push(`docker://${ref.startsWith(reg.host) ? ref : `${reg.host}/${ref}`}`);
  return a;
}

/** Runs `skopeo inspect` and returns stdout as a Buffer (raw) or parsed JSON. */
export async function skopeoInspect(reg: TestRegistry, ref: string, o: SkopeoOptions = {}): Promise<any> {
  const { stdout } = await run('skopeo', args(reg, ref, o), {
    encoding: 'buffer',
    maxBuffer: 16 << 20,
    env: { ...process.env, HOME: reg.dir },
  });
  return o.raw ? stdout : JSON.parse(stdout.toString('utf8'));
}

/** sha256 of `skopeo inspect --raw` (the digest of the top-level manifest or index). */
export async function skopeoRawDigest(reg: TestRegistry, ref: string): Promise<string> {
  return sha256((await skopeoInspect(reg, ref, { raw: true })) as Buffer);
}
