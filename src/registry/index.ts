/**
 * The ImageSource isctl uses: registries over undici (src/registry/client.ts) and OCI layouts on
 * disk (src/registry/oci-layout.ts), sharing one content-addressed cache so every manifest and
 * config is read once per digest; an unchanged tag costs one HEAD once its content is cached.
 */
import type { Dispatcher } from 'undici';
import { IntegrityError } from '../domain/errors.js';
import { pullSpecWithDigest, type PullSpec, type RegistrySpec } from '../domain/pullspec.js';
import { isDigest, registryLocation } from '../domain/reference.js';
import type { BlobStore } from '../state/types.js';
import { Authenticator } from './auth.js';
import { CONFIG_CAP, RegistryClient, type RepoLocation } from './client.js';
import { HttpTransport, type HttpOptions } from './http.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './request-timeout.js';
import { OciLayoutSource, ociLayoutDir } from './oci-layout.js';
import { ContentCache, computedDigest, resolveImage, type ContentSource } from './resolve.js';
import { defaultCertDirs } from './tls.js';
import type { ImageSource, ResolveOptions, ResolvedImage } from './types.js';

/** Options of createImageSource; everything has a default suitable for the CLI. */
export interface ImageSourceOptions {
  /** The state folder's content-addressed store (manifests and configs are kept there). */
  blobs?: BlobStore;
  /** --registry-config: the only credentials file read when given. */
  registryConfig?: string;
  /** Environment (HOME, DOCKER_CONFIG, REGISTRY_AUTH_FILE, XDG_*, PATH, NODE_EXTRA_CA_CERTS); default process.env. */
  env?: Record<string, string | undefined>;
  /** Connections per registry host (default 8). */
  maxConnectionsPerRegistry?: number;
  /** Overall deadline of one request: connect, headers, body, redirects and retries (default 30 s). */
  timeoutMs?: number;
  /** Retries for 429/502/503/504 and resets (default 3). */
  retries?: number;
  /** Longest Retry-After honoured (default 30 s). */
  maxRetryAfterMs?: number;
  /** Send every request through this dispatcher (tests); default one keep-alive Agent per registry. */
  dispatcher?: Dispatcher;
  /** Called after every HTTP exchange (status 0 for transport errors); URLs are redacted. */
  onRequest?: (method: string, url: string, status: number) => void;
  /** Every exchange with redacted URL and headers (`-v` 6 and above). */
  trace?: HttpOptions['trace'];
  /** A request to a host starts; the returned function is called when it ends (terminal notice). */
  onWait?: HttpOptions['onWait'];
  /** Clock for token expiry and the Created time of PreserveOriginal list images. */
  now?: () => Date;
  /** certs.d folders searched for `<host>/*.crt` (default /etc/containers/certs.d, /etc/docker/certs.d, ~/.config/containers/certs.d). */
  certDirs?: string[];
  /** Folder relative `oci:` paths are resolved against (the state folder; default the working directory). */
  ociBaseDir?: string;
  /** Sleep used between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** Creates the ImageSource for registries and OCI layouts. */
export function createImageSource(options: ImageSourceOptions = {}): ImageSource {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const http = new HttpTransport({
    dispatcher: options.dispatcher,
    maxConnectionsPerRegistry: options.maxConnectionsPerRegistry ?? 8,
    timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    retries: options.retries ?? 3,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
    onRequest: options.onRequest,
    trace: options.trace,
    onWait: options.onWait,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  });
  const auth = new Authenticator(http, { registryConfig: options.registryConfig, env, helperCache: new Map() }, now);
  const client = new RegistryClient(http, auth, { certDirs: options.certDirs ?? defaultCertDirs(env), env });
  const cache = new ContentCache(options.blobs);
  const baseDir = options.ociBaseDir ?? process.cwd();

  const sourceFor = (spec: PullSpec, ro: ResolveOptions): ContentSource & { listTags(): Promise<string[]> } =>
    spec.transport === 'oci'
      ? new OciLayoutSource(spec, ociLayoutDir(spec, baseDir))
      : new RegistrySource(client, spec, ro);

  return {
    async resolve(spec: PullSpec, ro: ResolveOptions = {}): Promise<ResolvedImage> {
      const src = sourceFor(spec, ro);
      const ref =
        spec.transport === 'oci' ? { tag: spec.tag, digest: spec.digest } : { tag: spec.ref.tag, digest: spec.ref.id };
      if (!ro.unchangedIf || ref.digest || ro.cold) return resolveImage(src, cache, ref, ro, now);
      // Warm check: one lookup; the same digest as recorded means nothing to read or verify.
      const found = await src.lookupTag(ref.tag || 'latest');
      // …as long as its manifest is still stored (a folder whose .isctl/ is not committed gets it back).
      if (found.digest === ro.unchangedIf && (await cache.has(found.digest))) {
        const image = { apiVersion: 'image.openshift.io/v1', kind: 'Image', metadata: { name: found.digest } } as const;
        const reference = src.referenceFor(found.digest);
        return {
          digest: found.digest,
          dockerImageReference: reference,
          image: { ...image, dockerImageReference: reference },
          topDigest: found.digest,
          topMediaType: found.mediaType ?? '',
          unchanged: true,
        };
      }
      const known: ContentSource = Object.assign(Object.create(src) as ContentSource, { lookupTag: async () => found });
      return resolveImage(known, cache, ref, ro, now);
    },
    async listTags(spec: PullSpec, ro: ResolveOptions = {}): Promise<string[]> {
      return sourceFor(spec, ro).listTags();
    },
    close: () => http.close(),
  };
}

/** A registry repository seen as a ContentSource. */
class RegistrySource implements ContentSource {
  private readonly loc: RepoLocation;
  private readonly name: string;
  constructor(
    private readonly client: RegistryClient,
    private readonly spec: RegistrySpec,
    ro: ResolveOptions,
  ) {
    const l = registryLocation(spec.ref);
    this.loc = { host: l.host, repository: l.repository, insecure: ro.insecure === true, signal: ro.signal };
    this.name = `${l.host}/${l.repository}`;
    this.cold = ro.cold === true;
  }

  private readonly cold: boolean;

  describe(reference: string): string {
    return reference.startsWith('sha') && reference.includes(':')
      ? `${this.name}@${reference}`
      : `${this.name}:${reference}`;
  }

  async lookupTag(tag: string): Promise<{ digest: string; mediaType?: string; bytes?: Buffer }> {
    if (this.cold) return this.getTag(tag);
    const head = await this.client.headManifest(this.loc, tag, this.describe(tag));
    // A malformed header is not trusted (it would end up in a URL path): read the bytes instead.
    if (head.digest && isDigest(head.digest)) return { digest: head.digest, mediaType: head.mediaType };
    // No Docker-Content-Digest on HEAD: GET the tag and hash the exact bytes (spec.md: assume sha256).
    return this.getTag(tag);
  }

  /** GET by tag: the digest is computed over the exact bytes and must agree with the header when one is sent. */
  private async getTag(tag: string): Promise<{ digest: string; mediaType?: string; bytes: Buffer }> {
    const got = await this.client.getManifest(this.loc, tag, this.describe(tag));
    const digest = computedDigest(got.bytes);
    const header = got.digestHeader;
    if (header && isDigest(header) && header.startsWith('sha256:') && header !== digest) {
      throw new IntegrityError(
        `content integrity error: the manifest retrieved for ${this.describe(tag)} has digest ${digest}, but the registry announced ${header}`,
      );
    }
    return { digest, mediaType: got.mediaType, bytes: got.bytes };
  }

  fetchManifest(digest: string) {
    return this.client.getManifest(this.loc, digest, this.describe(digest));
  }

  fetchBlob(digest: string): Promise<Buffer> {
    return this.client.getBlob(this.loc, digest, CONFIG_CAP, `config ${digest} of ${this.name}`);
  }

  referenceFor(digest: string): string {
    return pullSpecWithDigest(this.spec, digest);
  }

  listTags(): Promise<string[]> {
    return this.client.listTags(this.loc, this.name);
  }
}
