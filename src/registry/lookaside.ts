/**
 * Lookaside signature storage (containers/image docs/signature-protocols.md, "lookaside"): the
 * signatures of manifest `sha256:HEX` in repository `REPO` are the files
 * `<base>/REPO@sha256=HEX/signature-1`, `signature-2`, … read in order until the first one that
 * does not exist (docker/docker_image_src.go `appendSignaturesFromLookaside`, `getOneSignature`;
 * the URL from docker/registries_d.go `lookasideStorageURL`).
 *
 * - `file://` URLs are read from disk; `http://` and `https://` through the registry HTTP
 *   transport (its overall deadline, redirects, body cap), with no Authorization and no client
 *   certificate: a lookaside server is not the registry and gets none of its secrets.
 * - a 404 (or a missing file) ends the list; any other status, or another scheme, is an error;
 * - at most 128 signatures (`maxLookasideSignatures`), each at most 4 MiB (iolimits
 *   `MaxSignatureBodySize`).
 */
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IntegrityError, RegistryError } from '../domain/errors.js';
import { digestProblem } from '../domain/reference.js';
import { classifySignatureBlob } from '../domain/signature/gpg-payload.js';
import {
  loadRegistriesD,
  lookasideBase,
  registriesDDir,
  sigstoreAttachmentsSetting,
  type RegistriesDConfig,
} from './registries-d.js';
import { redactUrl } from './errors.js';
import type { HttpRequest, HttpResponse } from './http.js';
import type { TlsConnectOptions } from './tls.js';

/** docker_image_src.go `maxLookasideSignatures`. */
export const MAX_LOOKASIDE_SIGNATURES = 128;
/** internal/iolimits `MaxSignatureBodySize`. */
export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;

/** What reading a lookaside needs. */
export interface LookasideDeps {
  /** The registry HTTP transport's send (deadline, redirects, caps). */
  send: (req: HttpRequest) => Promise<HttpResponse>;
  /** TLS trust for a lookaside host (CAs only). */
  tlsFor: (host: string) => TlsConnectOptions;
  signal?: AbortSignal;
  /** Limits (tests lower them). */
  maxSignatures?: number;
  maxBytes?: number;
}

/** `<base>@sha256=HEX/signature-N` (N from 1). */
export function lookasideSignatureURL(base: URL, digest: string, index: number): URL {
  const problem = digestProblem(digest);
  if (problem) throw new RegistryError(`cannot name the signatures of ${JSON.stringify(digest)}: ${problem}`);
  const colon = digest.indexOf(':');
  const url = new URL(base.href);
  url.pathname = `${base.pathname}@${digest.slice(0, colon)}=${digest.slice(colon + 1)}/signature-${index}`;
  return url;
}

/** Every signature stored for `digest` under `base` (the repository's lookaside URL), in order. */
export async function readLookasideSignatures(base: URL, digest: string, deps: LookasideDeps): Promise<Uint8Array[]> {
  const max = deps.maxSignatures ?? MAX_LOOKASIDE_SIGNATURES;
  const out: Uint8Array[] = [];
  for (let i = 1; ; i++) {
    if (i > max)
      throw new RegistryError(
        `lookaside ${redactUrl(base)} provided ${max} signatures for ${digest}, assuming that's unreasonable and a server error`,
      );
    const url = lookasideSignatureURL(base, digest, i);
    const sig = await readOne(url, deps);
    if (sig === undefined) return out;
    out.push(sig);
  }
}

async function readOne(url: URL, deps: LookasideDeps): Promise<Uint8Array | undefined> {
  const cap = deps.maxBytes ?? MAX_SIGNATURE_BYTES;
  if (url.protocol === 'file:') return readFileCapped(decodeURIComponent(url.pathname), cap);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RegistryError(`Unsupported scheme when reading signature from ${redactUrl(url)}`, {
      hint: 'a lookaside URL in registries.d is file://, http:// or https://',
    });
  // The lookaside URL as configured, without any userinfo: no credentials are sent.
  const clean = new URL(url.href);
  clean.username = '';
  clean.password = '';
  const res = await deps.send({
    method: 'GET',
    url: clean,
    headers: { accept: '*/*' },
    maxBody: cap,
    agentKey: `lookaside|${clean.host}`,
    tls: deps.tlsFor(clean.host),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (res.status === 404) return undefined;
  if (res.status !== 200)
    throw new RegistryError(`reading signature from ${redactUrl(clean)}: unexpected HTTP status ${res.status}`, {
      status: res.status,
      method: 'GET',
      url: redactUrl(clean),
      transient: res.status >= 500 || res.status === 429,
    });
  return new Uint8Array(res.body);
}

async function readFileCapped(file: string, cap: number): Promise<Uint8Array | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new RegistryError(`cannot read signature ${file}: ${(e as Error).message}`);
  }
  try {
    const size = (await handle.stat()).size;
    if (size > cap) throw new IntegrityError(`signature ${file} is larger than ${cap} bytes; refusing to read it`);
    const buf = Buffer.alloc(size);
    let n = 0;
    while (n < size) {
      const { bytesRead } = await handle.read(buf, n, size - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw new RegistryError(`cannot read signature ${file}: ${(e as Error).message}`);
  } finally {
    await handle.close();
  }
}

/** Where a pulled image's signatures are looked up: the repository actually contacted (a mirror's, when one answered). */
export interface LookasideImage {
  /** Registry host as contacted (`registry-1.docker.io` is Docker Hub). */
  host: string;
  /** Repository path in that registry (`library/busybox`). */
  repository: string;
  /** The tag pulled, when pulled by tag (the registries.d scope `host/repo:tag`). */
  tag?: string;
  /** The manifest digest whose signatures are read. */
  digest: string;
}

/** Options of createLookasideSource. */
export interface LookasideSourceOptions extends Omit<LookasideDeps, 'signal'> {
  /** --registries-d: the folder read instead of the default ones (must exist). */
  registriesD?: string;
  env: Record<string, string | undefined>;
  /** Effective user id, for the built-in default folder (default process.geteuid()). */
  euid?: number;
}

/**
 * The simple signing signatures of pulled images, from the lookaside registries.d names for them
 * (the folder is read once, on first use). Blobs in the prefixed sigstore format are not simple
 * signing and are left out; a blob in no known format is an error, as containers/image fails
 * `GetSignatures` on it. The same folder says whether sigstore attachments are read.
 */
export function createLookasideSource(options: LookasideSourceOptions): {
  simpleSigning(image: LookasideImage, signal?: AbortSignal): Promise<Uint8Array[]>;
  sigstoreAttachmentsOff(image: LookasideImage): Promise<string | undefined>;
} {
  let config: Promise<{ dir: string; config: RegistriesDConfig }> | undefined;
  const load = () =>
    (config ??= registriesDDir(options.registriesD, options.env).then(async (dir) => ({
      dir,
      config: await loadRegistriesD(dir, options.registriesD !== undefined),
    })));
  const refOf = (image: LookasideImage) => ({
    name: `${policyHost(image.host)}/${image.repository}`,
    ...(image.tag ? { tag: image.tag } : { digest: image.digest }),
  });
  return {
    async simpleSigning(image, signal) {
      const home = options.env.HOME || os.homedir();
      const { config: c } = await load();
      const base = lookasideBase(c, refOf(image), { euid: options.euid ?? process.geteuid?.() ?? 0, home });
      const blobs = await readLookasideSignatures(base.url, image.digest, {
        ...options,
        ...(signal ? { signal } : {}),
      });
      const out: Uint8Array[] = [];
      for (const [i, blob] of blobs.entries()) {
        const c = classifySignatureBlob(blob);
        if (c.format === 'invalid')
          throw new RegistryError(
            `parsing signature ${redactUrl(lookasideSignatureURL(base.url, image.digest, i + 1))}: ${c.reason}`,
          );
        if (c.format === 'simple-signing') out.push(c.bytes);
      }
      return out;
    },
    /**
     * Why the `.sig` attachments of `image` are not read, or undefined when they are: containers/image
     * docker/docker_image_src.go GetSignaturesWithFormat reads them only `if src.c.useSigstoreAttachments`,
     * which registries_d.go `useSigstoreAttachments` takes from the scope of the repository contacted
     * (default false, also when there is no registries.d at all).
     */
    async sigstoreAttachmentsOff(image) {
      const { dir, config: c } = await load();
      const ref = refOf(image);
      const setting = sigstoreAttachmentsSetting(c, ref);
      if (setting?.value) return undefined;
      const where = setting
        ? `${setting.file} sets use-sigstore-attachments: false for ${setting.scope}`
        : c.missing
          ? `no registries.d folder was found (neither ${path.join(options.env.HOME || os.homedir(), '.config/containers/registries.d')} ` +
            `nor ${dir} exists; --registries-d DIR names one)`
          : `the registries.d folder ${dir} does not set it for ${ref.name}`;
      return (
        `sigstore attachments of ${ref.name} are not read: set use-sigstore-attachments: true for it ` +
        `(or for default-docker) in registries.d; ${where}`
      );
    },
  };
}

/** The registry as policies and registries.d name it: Docker Hub is `docker.io`. */
function policyHost(host: string): string {
  return host === 'registry-1.docker.io' || host === 'index.docker.io' ? 'docker.io' : host;
}
