/**
 * The ImageSource isctl uses: registries over undici (src/registry/client.ts) and OCI layouts on
 * disk (src/registry/oci-layout.ts), sharing one content-addressed cache so every manifest and
 * config is read once per digest; an unchanged tag costs one HEAD once its content is cached.
 */
import type { Dispatcher } from 'undici';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IntegrityError, RegistryError } from '../domain/errors.js';
import { pullSpecWithDigest, readPullSpec, type PullSpec, type RegistrySpec } from '../domain/pullspec.js';
import { isDigest, registryLocation } from '../domain/reference.js';
import type { BlobStore } from '../state/types.js';
import { Authenticator } from './auth.js';
import { CONFIG_CAP, RegistryClient, type RepoLocation } from './client.js';
import { HttpTransport, type HttpOptions } from './http.js';
import { RequestBudget } from './budget.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './request-timeout.js';
import { OciLayoutSource, ociLayoutDir } from './oci-layout.js';
import { ContentCache } from './content-cache.js';
import { computedDigest, resolveImage, type ContentSource } from './resolve-image.js';
import { defaultCertDirs, tlsOptionsFor } from './tls.js';
import { createLookasideSource, type LookasideImage } from './lookaside.js';
import {
  MirrorConfigError,
  parseRegistriesConf,
  planPull,
  rulesFromMirrorSets,
  type MirrorSetObject,
  type PullSource,
  type RegistryRule,
} from './mirrors.js';
import type { ImageSource, ProvenanceStore, ResolveOptions, ResolvedImage } from './types.js';
import {
  evaluatePolicy,
  type PolicyDeps,
  type SignaturePolicy,
  type SignatureSource,
} from '../domain/signature/policy.js';
import { readSigstoreAttachments } from './sigstore-attachments.js';

/** A signature policy in force (--signature-policy): what evaluating it needs from outside. */
export interface SignaturePolicyOptions {
  policy: SignaturePolicy;
  /** Reads a keyPath file (the CLI resolves relative paths against the working directory). */
  readKeyFile: PolicyDeps['readKeyFile'];
  /** Verifies one GPG simple-signing signature (signedBy); absent: signedBy rejects, "not supported yet". */
  verifySimpleSigning?: PolicyDeps['verifySimpleSigning'];
  /**
   * --registries-d: the registries.d folder naming lookaside storage, where simple-signing
   * signatures are read from (src/registry/lookaside.ts), and whether sigstore attachments are
   * read (`use-sigstore-attachments`); default the containers folders.
   */
  registriesD?: string;
}

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
  /** Offer HTTP/2 to HTTPS registries (default true; false: HTTP/1.1 everywhere). */
  http2?: boolean;
  /** Concurrent HTTP/2 streams per connection (default 128). */
  maxStreamsPerConnection?: number;
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
  /** --registries-conf: the registries.conf read instead of CONTAINERS_REGISTRIES_CONF and the default files. */
  registriesConf?: string;
  /** The state folder's ImageDigestMirrorSet and ImageTagMirrorSet objects (read on first registry pull). */
  mirrorSets?: () => Promise<MirrorSetObject[]>;
  /** One line per pull sent to a mirror or refused (`-v` 6 and above). */
  onSource?: (line: string) => void;
  /** Sleep used between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** A signature policy: an image it rejects fails with reason SignatureRejected before any tag moves. */
  signaturePolicy?: SignaturePolicyOptions;
  /** Records where each newly resolved image came from and who signed it (for describe). */
  provenance?: ProvenanceStore;
}

/** Creates the ImageSource for registries and OCI layouts. */
export function createImageSource(options: ImageSourceOptions = {}): ImageSource {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const budget = new RequestBudget();
  const http = new HttpTransport({
    budget,
    dispatcher: options.dispatcher,
    maxConnectionsPerRegistry: options.maxConnectionsPerRegistry ?? 8,
    http2: options.http2 ?? true,
    maxStreamsPerConnection: options.maxStreamsPerConnection ?? 128,
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

  let lookaside: ReturnType<typeof createLookasideSource> | undefined;
  // A lookaside host is not the registry: no credentials, no client certificate, its own CAs only.
  const getLookaside = (sp: SignaturePolicyOptions) =>
    (lookaside ??= createLookasideSource({
      send: (req) => http.send(req),
      tlsFor: (host) => {
        const t = tlsOptionsFor(host, { certDirs: options.certDirs ?? defaultCertDirs(env), insecure: false, env });
        return { rejectUnauthorized: true, ...(t.ca ? { ca: t.ca, extraCa: t.extraCa } : {}) };
      },
      env,
      ...(sp.registriesD ? { registriesD: sp.registriesD } : {}),
    }));

  let rules: Promise<RegistryRule[]> | undefined;
  const getRules = () => (rules ??= loadMirrorRules(options, env));

  // Mirrors in order, then the source (containers/image docker_image_src.go newImageSource): any
  // failure moves on to the next; the last failure is reported. Every answer is digest-verified
  // by resolveImage, and the recorded reference always names the source (referenceFor).
  async function viaSources<T>(
    spec: PullSpec,
    ro: ResolveOptions,
    byDigest: boolean,
    fn: (src: RegistrySource, at: PullSource) => Promise<T>,
  ): Promise<T> {
    if (spec.transport === 'oci') throw new Error('internal: OCI layouts have no mirrors');
    const l = registryLocation(spec.ref);
    const plan = planPull(await getRules(), {
      host: l.host,
      repository: l.repository,
      byDigest,
      insecure: ro.insecure === true,
    });
    if (plan.blocked) {
      options.onSource?.(`refused ${l.host}/${l.repository}: ${plan.message}`);
      throw new RegistryError(`cannot import ${l.host}/${l.repository}: ${plan.message}`, {
        reason: 'Blocked',
        hint: 'remove blocked = true from that registry entry, or add a mirror that serves this pull',
      });
    }
    let last: unknown;
    for (const [i, at] of plan.sources.entries()) {
      try {
        const r = await fn(new RegistrySource(client, spec, ro, at), at);
        if (at.mirror) options.onSource?.(`${l.host}/${l.repository} answered by mirror ${at.host}/${at.repository}`);
        return r;
      } catch (e) {
        last = e;
        if (ro.signal?.aborted) throw e;
        if (i < plan.sources.length - 1)
          options.onSource?.(
            `${at.mirror ? 'mirror' : 'source'} ${at.host}/${at.repository} failed, trying the next: ${(e as Error).message}`,
          );
      }
    }
    throw last;
  }

  async function resolveFrom(src: ContentSource, spec: PullSpec, ro: ResolveOptions): Promise<ResolvedImage> {
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
  }

  // policy_eval.go IsRunningImageAllowed, before anything is recorded: a rejection is a failed import.
  async function verified(spec: PullSpec, r: ResolvedImage, src?: RegistrySource): Promise<ResolvedImage> {
    if (r.unchanged) return r;
    const sp = options.signaturePolicy;
    let signature: ResolvedImage['signature'];
    if (sp) {
      const transport = spec.transport === 'oci' ? 'oci' : 'docker';
      const reference = spec.transport === 'oci' ? ociLayoutDir(spec, baseDir) : dockerReference(spec);
      const source: SignatureSource = {
        // Attachments only when registries.d says use-sigstore-attachments: true for the repository
        // contacted (docker_image_src.go GetSignaturesWithFormat `if src.c.useSigstoreAttachments`).
        sigstoreNotRead: async () =>
          src ? getLookaside(sp).sigstoreAttachmentsOff(src.lookasideImage(r.topDigest)) : undefined,
        sigstore: async () =>
          src && (await getLookaside(sp).sigstoreAttachmentsOff(src.lookasideImage(r.topDigest))) === undefined
            ? src.sigstoreSignatures(r.topDigest)
            : [],
        // Lookaside signatures of the repository that served the image, as its registries.d
        // scope names it (docker_image_src.go: the physical reference, a mirror's when one answered).
        simpleSigning: async () => (src ? getLookaside(sp).simpleSigning(src.lookasideImage(r.topDigest)) : []),
      };
      const verdict = await evaluatePolicy(sp.policy, transport, { digest: r.topDigest, reference }, source, {
        readKeyFile: sp.readKeyFile,
        ...(sp.verifySimpleSigning ? { verifySimpleSigning: sp.verifySimpleSigning } : {}),
      });
      if (!verdict.allowed) {
        throw new RegistryError(
          `image ${reference}@${r.topDigest} rejected by signature policy ${sp.policy.file} ` +
            `(${verdict.scope}): ${verdict.reason}`,
          { reason: 'SignatureRejected' },
        );
      }
      signature = { policy: sp.policy.file, scope: verdict.scope, signers: verdict.signers };
    }
    if (options.provenance && spec.transport !== 'oci' && (signature || r.mirror)) {
      const l = registryLocation(spec.ref);
      await options.provenance.put(r.digest, {
        source: `${l.host}/${l.repository}`,
        ...(r.mirror ? { mirror: r.mirror } : {}),
        ...(signature ? { signature } : {}),
      });
    }
    return signature ? { ...r, signature } : r;
  }

  return {
    async resolve(spec: PullSpec, ro: ResolveOptions = {}): Promise<ResolvedImage> {
      if (spec.transport === 'oci') return verified(spec, await resolveFrom(sourceFor(spec, ro), spec, ro));
      const answered = await viaSources(spec, ro, Boolean(spec.ref.id), async (src, at) => {
        const r = await resolveFrom(src, spec, ro);
        return { r: at.mirror ? { ...r, mirror: `${at.host}/${at.repository}` } : r, src };
      });
      // Verified after the mirror loop: a rejected image does not send isctl on to the next mirror,
      // and its signatures are read from the repository that served it (docker_image_src.go).
      return verified(spec, answered.r, answered.src);
    },
    async listTags(spec: PullSpec, ro: ResolveOptions = {}): Promise<string[]> {
      if (spec.transport === 'oci') return sourceFor(spec, ro).listTags();
      return viaSources(spec, ro, false, (src) => src.listTags());
    },
    close: () => http.close(),
    // Connections ahead only where the first pull would go: a blocked repository or one whose
    // first source is insecure or a mirror elsewhere gets none from here (mirrors.ts planPull).
    prepare(repositories: readonly string[]): void {
      void (async () => {
        const rules = await getRules();
        for (const raw of repositories) {
          const spec = readPullSpec(raw);
          if (spec.transport !== 'docker') continue;
          const l = registryLocation(spec.ref);
          const plan = planPull(rules, { host: l.host, repository: l.repository, byDigest: false, insecure: false });
          const first = plan.blocked ? undefined : plan.sources[0];
          if (first && !first.insecure) client.preconnect(first.host);
        }
      })().catch(() => undefined);
    },
    requests: () => budget.report(),
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
    at?: PullSource,
  ) {
    const l = at ?? { ...registryLocation(spec.ref), insecure: ro.insecure === true };
    this.loc = { host: l.host, repository: l.repository, insecure: l.insecure, signal: ro.signal };
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

  /** Where the lookaside signatures of `digest` pulled through this repository are named. */
  lookasideImage(digest: string): LookasideImage {
    const tag = this.spec.ref.id ? undefined : this.spec.ref.tag || 'latest';
    return { host: this.loc.host, repository: this.loc.repository, ...(tag ? { tag } : {}), digest };
  }

  /** The sigstore attachments of `digest` in this repository (the same host, auth and deadline). */
  sigstoreSignatures(digest: string) {
    return readSigstoreAttachments(
      {
        name: this.name,
        manifest: (tag) => this.client.getManifest(this.loc, tag, this.describe(tag), 'signature'),
        blob: (d, cap) => this.client.getBlob(this.loc, d, cap, `signature payload ${d} of ${this.name}`, 'signature'),
      },
      digest,
    );
  }
}

/** The reference a policy is evaluated for: the source as named (tag or digest), never a mirror. */
function dockerReference(spec: RegistrySpec): string {
  const r = spec.ref;
  const name = [r.registry, r.namespace, r.name].filter(Boolean).join('/');
  return `${name}${r.tag ? `:${r.tag}` : ''}${r.id ? `@${r.id}` : ''}`;
}

/**
 * The registry rules: the state folder's mirror sets first (they win a tie with registries.conf),
 * then the one registries.conf read as containers/image picks it: --registries-conf, else
 * CONTAINERS_REGISTRIES_CONF, else ~/.config/containers/registries.conf when it exists, else
 * /etc/containers/registries.conf when it exists. A file named explicitly must exist.
 */
async function loadMirrorRules(
  options: ImageSourceOptions,
  env: Record<string, string | undefined>,
): Promise<RegistryRule[]> {
  const fromSets = options.mirrorSets ? rulesFromMirrorSets(await options.mirrorSets()) : [];
  const explicit = options.registriesConf
    ? { file: options.registriesConf, what: '--registries-conf' }
    : env.CONTAINERS_REGISTRIES_CONF
      ? { file: env.CONTAINERS_REGISTRIES_CONF, what: 'CONTAINERS_REGISTRIES_CONF' }
      : undefined;
  const home = env.HOME || os.homedir();
  const candidates = explicit
    ? [explicit.file]
    : [
        path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'registries.conf'),
        '/etc/containers/registries.conf',
      ];
  for (const file of candidates) {
    let text: string;
    try {
      // Read synchronously: a few KB, and connections opened ahead (`prepare`) wait for the rules.
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) continue;
      throw new MirrorConfigError(
        `cannot read registries.conf ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        explicit ? `check ${explicit.what}` : undefined,
      );
    }
    return [...fromSets, ...parseRegistriesConf(text, file)];
  }
  return fromSets;
}
