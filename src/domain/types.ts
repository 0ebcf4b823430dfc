/**
 * Wire types of the OpenShift `image.openshift.io/v1` API as they appear in YAML/JSON files. Field
 * names and optionality follow openshift/api image/v1/types.go; objects are plain data so the state
 * layer can diff them and splice only what changed back into the source file.
 */

/** Any Kubernetes object as read from a file. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** The subset of ObjectMeta isctl reads and writes. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  generation?: number;
  creationTimestamp?: string | null;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  resourceVersion?: string;
  uid?: string;
  [key: string]: unknown;
}

/** corev1.ObjectReference as used by `spec.tags[].from`. */
export interface ObjectReference {
  kind: string;
  name: string;
  namespace?: string;
  [key: string]: unknown;
}

/** `importPolicy.importMode`. */
export type ImportMode = 'Legacy' | 'PreserveOriginal';

/** TagImportPolicy (types.go:303-310). */
export interface TagImportPolicy {
  insecure?: boolean;
  scheduled?: boolean;
  importMode?: ImportMode | string;
}

/** `referencePolicy.type`. */
export type ReferencePolicyType = 'Source' | 'Local';

/** TagReference: one `spec.tags[]` entry. */
export interface TagReference {
  name: string;
  annotations?: Record<string, string> | null;
  from?: ObjectReference | null;
  reference?: boolean;
  generation?: number | null;
  importPolicy?: TagImportPolicy;
  referencePolicy?: { type: ReferencePolicyType | string };
  [key: string]: unknown;
}

/** TagEvent: one history item; items[0] is the current image of the tag. */
export interface TagEvent {
  created: string;
  dockerImageReference: string;
  image: string;
  generation: number;
}

/** TagEventCondition; `ImportSuccess` is the only type OpenShift defines. */
export interface TagEventCondition {
  type: 'ImportSuccess' | string;
  status: 'True' | 'False' | 'Unknown' | string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  generation: number;
}

/** NamedTagEventList: one `status.tags[]` entry. */
export interface NamedTagEventList {
  tag: string;
  items: TagEvent[] | null;
  conditions?: TagEventCondition[];
}

/** ImageStreamSpec. */
export interface ImageStreamSpec {
  lookupPolicy?: { local: boolean };
  dockerImageRepository?: string;
  tags?: TagReference[];
  [key: string]: unknown;
}

/** ImageStreamStatus. */
export interface ImageStreamStatus {
  dockerImageRepository?: string;
  publicDockerImageRepository?: string;
  tags?: NamedTagEventList[];
  [key: string]: unknown;
}

/** ImageStream (`image.openshift.io/v1`, namespaced). */
export interface ImageStream extends KubeObject {
  apiVersion: string;
  kind: 'ImageStream';
  metadata: ObjectMeta & { name: string };
  spec: ImageStreamSpec;
  status?: ImageStreamStatus;
}

/** ImageLayer of an Image. */
export interface ImageLayer {
  name: string;
  size: number;
  mediaType: string;
}

/** ImageManifest: a child of a manifest list kept by PreserveOriginal. */
export interface ImageManifest {
  digest: string;
  mediaType: string;
  manifestSize: number;
  architecture: string;
  os: string;
  variant?: string;
}

/** DockerConfig inside DockerImageMetadata (capitalised JSON names, as OpenShift stores them). */
export interface DockerConfig {
  Hostname?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
  Volumes?: Record<string, Record<string, never>>;
  StopSignal?: string;
  [key: string]: unknown;
}

/** DockerImage metadata (`image.openshift.io/1.0`). */
export interface DockerImageMetadata {
  kind?: 'DockerImage';
  apiVersion?: 'image.openshift.io/1.0';
  Id: string;
  Parent?: string;
  Comment?: string;
  Created?: string;
  Container?: string;
  ContainerConfig?: DockerConfig;
  DockerVersion?: string;
  Author?: string;
  Config?: DockerConfig;
  Architecture?: string;
  Size?: number;
}

/** Image (cluster-scoped; metadata.name is the manifest digest). */
export interface Image extends KubeObject {
  apiVersion: 'image.openshift.io/v1';
  kind: 'Image';
  metadata: ObjectMeta & { name: string };
  dockerImageReference?: string;
  dockerImageMetadata?: DockerImageMetadata;
  dockerImageMetadataVersion?: string;
  dockerImageLayers?: ImageLayer[];
  dockerImageManifestMediaType?: string;
  dockerImageManifests?: ImageManifest[];
}

/** ImageStreamTag view (`<stream>:<tag>`), synthesised from a stream and an Image. */
export interface ImageStreamTag extends KubeObject {
  apiVersion: 'image.openshift.io/v1';
  kind: 'ImageStreamTag';
  metadata: ObjectMeta & { name: string };
  tag: TagReference | null;
  generation: number;
  lookupPolicy: { local: boolean };
  conditions?: TagEventCondition[];
  image: Image;
}

/** ImageStreamImage view (`<stream>@<digest>`). */
export interface ImageStreamImage extends KubeObject {
  apiVersion: 'image.openshift.io/v1';
  kind: 'ImageStreamImage';
  metadata: ObjectMeta & { name: string };
  image: Image;
}

/** The API group/version every ImageStream is written with. */
export const IMAGE_API_VERSION = 'image.openshift.io/v1';

/** OpenShift's default internal registry host (cluster-image-registry-operator defaults). */
export const DEFAULT_INTERNAL_REGISTRY = 'image-registry.openshift-image-registry.svc:5000';

/** Annotation set on every import write (RFC3339 UTC). */
export const ANNOTATION_REPOSITORY_CHECK = 'openshift.io/image.dockerRepositoryCheck';
/** Stream-wide insecure import annotation. */
export const ANNOTATION_INSECURE_REPOSITORY = 'openshift.io/image.insecureRepository';
/** Spec-tag annotations that steer the Legacy platform choice. */
export const ANNOTATION_PREFER_ARCH = 'importer.image.openshift.io/prefer-arch';
export const ANNOTATION_PREFER_OS = 'importer.image.openshift.io/prefer-os';
/** The workload trigger annotation. */
export const ANNOTATION_TRIGGERS = 'image.openshift.io/triggers';
