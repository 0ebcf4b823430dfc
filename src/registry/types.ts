/**
 * What the rest of isctl needs from a registry (or an OCI layout on disk). Implemented by
 * src/registry/index.ts (createImageSource) over undici; tests use a real Distribution registry.
 */
import type { PullSpec } from '../domain/pullspec.js';
import type { Image, ImportMode } from '../domain/types.js';

/** Per-request choices that come from the tag's importPolicy and annotations. */
export interface ResolveOptions {
  /** Allow plain HTTP and unverified TLS for this registry (importPolicy.insecure / --insecure). */
  insecure?: boolean;
  /** Legacy picks one platform of a list; PreserveOriginal keeps the list (default Legacy). */
  importMode?: ImportMode;
  /** `importer.image.openshift.io/prefer-arch` / `prefer-os` of the spec tag. */
  preferArch?: string;
  preferOS?: string;
  /** Abort the request when signalled. */
  signal?: AbortSignal;
  /**
   * The tag has no recorded image yet: GET its manifest by tag at once (verified against
   * Docker-Content-Digest) instead of HEAD + GET by digest — two requests a tag instead of three.
   */
  cold?: boolean;
  /**
   * The digest the tag records now: when the tag still names it (one HEAD), resolve returns at
   * once with `unchanged: true` and a stub image, reading no stored content (warm refresh).
   */
  unchangedIf?: string;
}

/** The result of importing one pull spec: what OpenShift records in the TagEvent and the Image. */
export interface ResolvedImage {
  /** Digest recorded as the tag event's `image` (the child for Legacy lists, the list for PreserveOriginal). */
  digest: string;
  /** The pull spec as typed with its tag replaced by `digest`. */
  dockerImageReference: string;
  /** The OpenShift Image for `digest` (metadata, layers, size as the importer computes them). */
  image: Image;
  /** PreserveOriginal: every child of the list, as Images. */
  manifests?: Image[];
  /** The digest the registry returned for the tag (the list digest when a child was picked). */
  topDigest: string;
  /** The media type of `topDigest`'s manifest. */
  topMediaType: string;
  /** `host/repository` of the mirror that answered (registries.conf or a mirror set); absent when the source did. */
  mirror?: string;
  /** The tag still names `ResolveOptions.unchangedIf`; `image` is then only a stub naming the digest. */
  unchanged?: boolean;
  /** A signature policy accepted the image: who signed it (empty when the policy asks for no signature). */
  signature?: { policy: string; scope: string; signers: string[] };
}

/**
 * Where an image last came from and what verified it, kept per digest beside the blobs
 * (`.isctl/provenance/`) for `describe`: OpenShift's stream status has no place for either.
 */
export interface ImageProvenance {
  /** `host/repository` of the source as named. */
  source: string;
  /** `host/repository` of the mirror that answered, when one did. */
  mirror?: string;
  /** The signature policy that accepted it, when one was in force. */
  signature?: { policy: string; scope: string; signers: string[] };
}

/** Keeps and reads ImageProvenance records by image digest. */
export interface ProvenanceStore {
  get(digest: string): Promise<ImageProvenance | undefined>;
  put(digest: string, record: ImageProvenance): Promise<void>;
}

/** What a registry request asks for, as the registry budget counts it. */
/** `signature`: the sigstore attachment (`sha256-<hex>.sig` manifest and its payload blobs) a signature policy reads. */
export type RequestKind = 'headManifest' | 'getManifest' | 'getBlob' | 'tagsList' | 'token' | 'signature';

/** The requests made for one registry (README "Registry budget"). */
export interface RegistryRequests {
  /** The registry host (a mirror's host when a mirror answered). */
  registry: string;
  /** Every exchange made for it: retries, 401 re-tries, redirect hops and token requests included. */
  requests: number;
  byKind: Record<RequestKind, number>;
  /** The rate-limit headers of its answer with the lowest remaining quota, as sent. */
  rateLimit?: { limit?: string; remaining?: string; reset?: string };
}

/** A registry or OCI layout, seen through the distribution API. */
export interface ImageSource {
  /** Resolves a pull spec (tag or digest) to its image; manifests and configs are read once per digest. */
  resolve(spec: PullSpec, options?: ResolveOptions): Promise<ResolvedImage>;
  /** Lists every tag of the spec's repository (all pages). */
  listTags(spec: PullSpec, options?: ResolveOptions): Promise<string[]>;
  /** Closes kept-alive connections. */
  close(): Promise<void>;
  /**
   * A hint that pulls from these repositories (`registry/namespace/name`) follow: the source may
   * open their connections now, sending nothing on them (no request, no credential), and only to
   * where its mirror and block rules would send the first pull. Never fails, never waits.
   */
  prepare?(repositories: readonly string[]): void;
  /** The requests made so far, per registry (sources that make none may leave this out). */
  requests?(): RegistryRequests[];
}
