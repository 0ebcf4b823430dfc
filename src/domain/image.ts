/**
 * Manifests and configs as the OpenShift importer reads them, and the `Image` object it builds.
 * Rules: openshift-apiserver pkg/image/apiserver/importer/image.go (schema2OrOCIToImage,
 * manifestListToImage) and pkg/image/apiserver/internal/imageutil/helpers.go
 * (InternalImageWithMetadata).
 */
import { createHash } from 'node:crypto';
import { rfc3339 } from './time.js';
import { IntegrityError } from './errors.js';
import type { DockerConfig, DockerImageMetadata, Image, ImageLayer, ImageManifest } from './types.js';

/** Manifest media types isctl accepts (Accept header order: lists first, as the importer registers them). */
export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/**
 * The four manifest types sent in `Accept` on every manifest request: OCI and Docker schema 2,
 * images and lists (schema 1 is not accepted: a registry that has only that fails the import).
 */
export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.dockerList,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifest,
];

/** Annotation the apiserver adds to every schema2/OCI Image (helpers.go, DockerImageLayersOrderAnnotation). */
export const ANNOTATION_LAYERS_ORDER = 'image.openshift.io/dockerLayersOrder';

/** A content descriptor (OCI image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture?: string; os?: string; variant?: string };
  annotations?: Record<string, string>;
}

/** A parsed manifest: an image manifest (Docker schema2 / OCI) or a list (Docker list / OCI index). */
export type ParsedManifest =
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] }
  | { kind: 'list'; mediaType: string; manifests: Descriptor[] };

/** sha256 (or the algorithm named by `like`) digest of the exact bytes, as `alg:hex`. */
export function digestOf(bytes: Buffer, like = 'sha256:'): string {
  const alg = like.slice(0, like.indexOf(':')) || 'sha256';
  if (!['sha256', 'sha384', 'sha512'].includes(alg)) throw new IntegrityError(`unsupported digest algorithm "${alg}"`);
  return `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
}

/** Throws IntegrityError when `bytes` do not hash to `digest` (importer "content integrity error"). */
export function verifyDigest(bytes: Buffer, digest: string, what: string, mediaType = ''): void {
  const actual = digestOf(bytes, digest);
  if (actual !== digest) {
    const mt = mediaType ? ` (media type: ${mediaType})` : '';
    throw new IntegrityError(
      `content integrity error: the ${what} retrieved${mt} with digest ${digest} does not match the digest calculated from the content ${actual}`,
    );
  }
}

/** Strips parameters from a Content-Type (`; charset=utf-8`), as the distribution spec asks. */
export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Parses manifest bytes. The `mediaType` field wins over the transport's Content-Type; without
 * either, `manifests` means an OCI index and `config` an OCI manifest (image-spec, manifestlist.go
 * reports an index without mediaType as OCI). Schema1 is rejected like go-containerregistry does.
 */
export function parseManifest(bytes: Buffer, contentType?: string): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new IntegrityError(`malformed manifest: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new IntegrityError('malformed manifest: not a JSON object');
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : '';
  const transport = baseMediaType(contentType);
  let mediaType = declared || (isKnown(transport) ? transport : '');
  if (!mediaType) mediaType = Array.isArray(doc.manifests) ? MediaTypes.ociIndex : MediaTypes.ociManifest;
  if (
    doc.schemaVersion === 1 ||
    mediaType === MediaTypes.dockerSchema1 ||
    mediaType === MediaTypes.dockerSchema1Signed
  ) {
    throw new IntegrityError(
      'unsupported image manifest type: Docker schema1 manifests are deprecated; push the image again with a current client',
    );
  }
  if (mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerList) {
    if (!Array.isArray(doc.manifests)) throw new IntegrityError(`malformed manifest list: "manifests" is missing`);
    return { kind: 'list', mediaType, manifests: doc.manifests.map((d, i) => descriptor(d, `manifests[${i}]`)) };
  }
  if (mediaType === MediaTypes.ociManifest || mediaType === MediaTypes.dockerManifest) {
    const layers = Array.isArray(doc.layers) ? doc.layers : [];
    return {
      kind: 'image',
      mediaType,
      config: descriptor(doc.config, 'config'),
      layers: layers.map((d, i) => descriptor(d, `layers[${i}]`)),
    };
  }
  throw new IntegrityError(`unsupported image manifest type "${mediaType}"`);
}

function isKnown(mt: string): boolean {
  return (Object.values(MediaTypes) as string[]).includes(mt);
}

function descriptor(v: unknown, field: string): Descriptor {
  const d = v as Partial<Descriptor> | null;
  if (
    !d ||
    typeof d !== 'object' ||
    typeof d.digest !== 'string' ||
    !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(d.digest)
  ) {
    throw new IntegrityError(`malformed manifest: ${field} has no valid digest`);
  }
  const out: Descriptor = {
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    digest: d.digest,
    size: typeof d.size === 'number' ? d.size : 0,
  };
  if (d.platform && typeof d.platform === 'object') out.platform = d.platform;
  if (d.annotations && typeof d.annotations === 'object') out.annotations = d.annotations;
  return out;
}

/** Input of imageFromManifest: the exact bytes the registry (or OCI layout) returned. */
export interface ImageFromManifestInput {
  /** Digest of `manifest`; verified over the bytes. */
  digest: string;
  manifest: Buffer;
  /** The config blob; required for image manifests, ignored for lists. */
  config?: Buffer;
  dockerImageReference?: string;
  /** Content-Type the manifest came with (used when the manifest has no mediaType field). */
  mediaType?: string;
  /** For lists: `DockerImageMetadata.Created` (the apiserver uses the import time, metav1.Now()). */
  created?: string;
}

/** Builds the OpenShift Image for a manifest the way the importer and apiserver do. */
export function imageFromManifest(input: ImageFromManifestInput): Image {
  const parsed = parseManifest(input.manifest, input.mediaType);
  verifyDigest(input.manifest, input.digest, 'manifest', parsed.mediaType);
  return parsed.kind === 'list' ? listImage(input, parsed) : singleImage(input, parsed);
}

function baseImage(digest: string, ref: string | undefined): Image {
  const image: Image = { apiVersion: 'image.openshift.io/v1', kind: 'Image', metadata: { name: digest } };
  if (ref) image.dockerImageReference = ref;
  return image;
}

// manifestListToImage (image.go): metadata {Id: list digest, Created: now}, no layers, children listed in order.
function listImage(input: ImageFromManifestInput, parsed: Extract<ParsedManifest, { kind: 'list' }>): Image {
  const image = baseImage(input.digest, input.dockerImageReference);
  const meta: DockerImageMetadata = { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: input.digest };
  if (input.created) meta.Created = toRFC3339Seconds(input.created);
  meta.ContainerConfig = {};
  image.dockerImageMetadata = meta;
  image.dockerImageMetadataVersion = '1.0';
  image.dockerImageManifestMediaType = parsed.mediaType;
  image.dockerImageManifests = parsed.manifests.map(toImageManifest);
  return image;
}

function toImageManifest(d: Descriptor): ImageManifest {
  const m: ImageManifest = {
    digest: d.digest,
    mediaType: d.mediaType,
    manifestSize: d.size,
    architecture: d.platform?.architecture ?? '',
    os: d.platform?.os ?? '',
  };
  if (d.platform?.variant) m.variant = d.platform.variant;
  return m;
}

// InternalImageWithMetadata (helpers.go): Id = config digest, Size = len(config) + unique layer sizes
// (config digest pre-inserted in the set), layers in manifest order, dockerLayersOrder: ascending.
function singleImage(input: ImageFromManifestInput, parsed: Extract<ParsedManifest, { kind: 'image' }>): Image {
  if (!input.config) throw new IntegrityError(`dockerImageConfig must not be empty for manifest ${input.digest}`);
  verifyDigest(input.config, parsed.config.digest, 'config blob');
  const config = parseConfig(input.config);
  const image = baseImage(input.digest, input.dockerImageReference);
  image.metadata.annotations = { [ANNOTATION_LAYERS_ORDER]: 'ascending' };
  const layers: ImageLayer[] = parsed.layers.map((l) => ({ name: l.digest, size: l.size, mediaType: l.mediaType }));
  const seen = new Set([parsed.config.digest]);
  let size = input.config.length;
  for (const l of layers) {
    if (seen.has(l.name)) continue;
    seen.add(l.name);
    size += l.size;
  }
  image.dockerImageMetadata = dockerImageMetadata(parsed.config.digest, config, size);
  image.dockerImageMetadataVersion = '1.0';
  if (layers.length > 0) image.dockerImageLayers = layers;
  image.dockerImageManifestMediaType = parsed.mediaType;
  return image;
}

function parseConfig(bytes: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new IntegrityError('failed to parse dockerImageConfig: the config blob is not a JSON object');
}

// Field order follows docker10.DockerImage; empty values are omitted (omitempty), ContainerConfig always present.
function dockerImageMetadata(id: string, c: Record<string, unknown>, size: number): DockerImageMetadata {
  const m: DockerImageMetadata = { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: id };
  const str = (k: string) => (typeof c[k] === 'string' && c[k] !== '' ? (c[k] as string) : undefined);
  const set = <K extends keyof DockerImageMetadata>(k: K, v: DockerImageMetadata[K] | undefined) => {
    if (v !== undefined) m[k] = v;
  };
  set('Parent', str('parent'));
  set('Comment', str('comment'));
  // Go's zero time (0001-01-01T00:00:00Z) marshals as null in metav1.Time: treat it as absent.
  const created = str('created');
  set('Created', created && !created.startsWith('0001-01-01') ? toRFC3339Seconds(created) : undefined);
  set('Container', str('container'));
  m.ContainerConfig = dockerConfig(c.container_config) ?? {};
  set('DockerVersion', str('docker_version'));
  set('Author', str('author'));
  set('Config', dockerConfig(c.config));
  set('Architecture', str('architecture'));
  if (size > 0) m.Size = size;
  return m;
}

/** DockerConfig fields OpenShift keeps (docker10.DockerConfig); anything else in the config is dropped. */
const DOCKER_CONFIG_FIELDS = [
  'Hostname',
  'Domainname',
  'User',
  'Memory',
  'MemorySwap',
  'CpuShares',
  'Cpuset',
  'AttachStdin',
  'AttachStdout',
  'AttachStderr',
  'PortSpecs',
  'ExposedPorts',
  'Tty',
  'OpenStdin',
  'StdinOnce',
  'Env',
  'Cmd',
  'Dns',
  'Image',
  'Volumes',
  'VolumesFrom',
  'WorkingDir',
  'Entrypoint',
  'NetworkDisabled',
  'SecurityOpts',
  'OnBuild',
  'Labels',
] as const;

function dockerConfig(v: unknown): DockerConfig | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const src = v as Record<string, unknown>;
  const out: DockerConfig = {};
  for (const k of DOCKER_CONFIG_FIELDS) {
    const val = src[k];
    if (isEmpty(val)) continue;
    (out as Record<string, unknown>)[k] = val;
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Formats a timestamp as metav1.Time does: RFC 3339, UTC, whole seconds. */
export function toRFC3339Seconds(t: string): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  return rfc3339(d);
}
