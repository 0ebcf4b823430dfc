/**
 * The client half of `oc import-image` (openshift/oc pkg/cli/importimage/importimage.go
 * parseImageReference, Validate, createImageImport):
 * turns the arguments and the existing stream into the list of images (or the repository) to
 * import, with oc's exact error messages. Pure: no I/O.
 */
import { CommandError } from '../domain/errors.js';
import { followTagReference } from '../domain/imagestream.js';
import { hasUserInfo, parseDockerImageReference } from '../domain/reference.js';
import {
  ANNOTATION_INSECURE_REPOSITORY,
  ANNOTATION_REPOSITORY_CHECK,
  IMAGE_API_VERSION,
  type ImageStream,
  type ImportMode,
  type TagImportPolicy,
  type TagReference,
} from '../domain/types.js';

/** Flags of `import-image`. */
export interface ImportImageOptions {
  target: string;
  from?: string;
  confirm?: boolean;
  all?: boolean;
  scheduled?: boolean;
  /** undefined when --insecure was not given (the stream annotation then decides). */
  insecure?: boolean;
  referencePolicy?: string;
  importMode?: string;
  dryRun?: boolean;
}

/** One image to import into one tag (ISI spec.images[]). */
export interface PlannedImage {
  from: string;
  to: string;
  importPolicy: TagImportPolicy;
  referencePolicy: { type: string };
}

/** What to import (an ImageStreamImport spec). */
export interface ImportPlan {
  stream: string;
  tag: string;
  create: boolean;
  images: PlannedImage[];
  repository?: { from: string; importPolicy: TagImportPolicy; referencePolicy: { type: string } };
}

/** Parses the target and validates the flags (Complete + Validate of oc). */
export function parseImportTarget(o: ImportImageOptions): {
  stream: string;
  tag: string;
  referencePolicy: string;
  importMode: ImportMode;
} {
  let ref;
  try {
    ref = parseDockerImageReference(o.target);
  } catch {
    throw new CommandError(
      'the image name must be a valid container image pull spec or reference to an image stream (e.g. myregistry/myteam/image:tag)',
    );
  }
  if (ref.id) throw new CommandError("to import images by ID, use the 'tag' command");
  if (ref.tag && o.all) throw new CommandError(`cannot specify a tag "${o.target}" as well as --all`);
  const tag = ref.tag || (o.all ? '' : 'latest');
  const policy = (o.referencePolicy ?? '').toLowerCase();
  if (!['', 'source', 'local'].includes(policy))
    throw new CommandError('valid reference policy values are source or local');
  const mode = o.importMode ?? '';
  if (!['', 'Legacy', 'PreserveOriginal'].includes(mode))
    throw new CommandError('valid ImportMode values are Legacy or PreserveOriginal');
  return {
    stream: ref.name,
    tag,
    referencePolicy: policy === 'local' ? 'Local' : 'Source',
    importMode: (mode || 'Legacy') as ImportMode,
  };
}

/** Builds the import plan from the options and the existing stream (undefined if absent). */
export function planImport(o: ImportImageOptions, stream: ImageStream | undefined): ImportPlan {
  // Credentials in a pull spec would be written to the stream file and its messages: refused, unquoted.
  if (o.from && hasUserInfo(o.from))
    throw new CommandError(
      '--from must not carry credentials (user:password@ before the registry host); ' +
        'isctl reads them from the credentials file: log in with podman login or docker login',
    );
  const t = parseImportTarget(o);
  const base = { stream: t.stream, tag: t.tag };
  const policyFor = (old?: TagReference): PlannedImage['importPolicy'] => importPolicyFor(o, stream, old, t.importMode);
  const referencePolicy = { type: t.referencePolicy };
  if (!stream) {
    if (!o.confirm) {
      throw new CommandError(`no image stream named "${t.stream}" exists, pass --confirm to create and import`);
    }
    const from = o.from || o.target;
    if (o.all)
      return { ...base, create: true, images: [], repository: { from, importPolicy: policyFor(), referencePolicy } };
    return { ...base, create: true, images: [{ from, to: t.tag, importPolicy: policyFor(), referencePolicy }] };
  }
  if (o.all) return planAll(o, stream, base, policyFor, referencePolicy);
  return planTag(o, stream, base, policyFor, referencePolicy);
}

function importPolicyFor(
  o: ImportImageOptions,
  stream: ImageStream | undefined,
  old: TagReference | undefined,
  mode: ImportMode,
): TagImportPolicy {
  let insecure = stream?.metadata.annotations?.[ANNOTATION_INSECURE_REPOSITORY] === 'true';
  if (o.insecure !== undefined) insecure = o.insecure;
  insecure = insecure || Boolean(old?.importPolicy?.insecure);
  const scheduled = Boolean(o.scheduled) || Boolean(old?.importPolicy?.scheduled);
  return { insecure, scheduled, importMode: mode };
}

type PolicyFor = (old?: TagReference) => TagImportPolicy;

function planAll(
  o: ImportImageOptions,
  stream: ImageStream,
  base: { stream: string; tag: string },
  policyFor: PolicyFor,
  referencePolicy: { type: string },
): ImportPlan {
  let from = o.from ?? '';
  const repo = stream.spec?.dockerImageRepository ?? '';
  if (!from) {
    from = repo;
    if (!from) {
      const images = (stream.spec?.tags ?? [])
        .filter((t) => t.from?.kind === 'DockerImage')
        .map((t) => ({ from: t.from!.name, to: t.name, importPolicy: policyFor(t), referencePolicy }));
      if (images.length === 0)
        throw new CommandError('image stream does not have tags pointing to external container images');
      return { ...base, create: false, images };
    }
  }
  if (from !== repo && !o.confirm) {
    if (!repo)
      throw new CommandError(
        'the image stream does not currently import an entire Docker repository, pass --confirm to update',
      );
    throw new CommandError(`the image stream has a different import spec "${repo}", pass --confirm to update`);
  }
  return { ...base, create: false, images: [], repository: { from, importPolicy: policyFor(), referencePolicy } };
}

function planTag(
  o: ImportImageOptions,
  stream: ImageStream,
  base: { stream: string; tag: string },
  policyFor: PolicyFor,
  referencePolicy: { type: string },
): ImportPlan {
  const tag = base.tag;
  const followed = followTagReference(stream, tag);
  switch (followed.problem) {
    case 'invalid':
      throw new CommandError(`tag "${tag}" points to an invalid imagestreamtag`);
    case 'cross-stream':
      throw new CommandError(`tag "${tag}" points to an imagestreamtag from another ImageStream`);
    case 'circular':
      throw new CommandError(`tag "${tag}" on the image stream is a reference to same tag`);
    case 'not-found': {
      let from = o.from ?? '';
      if (!from && tag === 'latest') from = stream.spec?.dockerImageRepository ?? '';
      if (!from) {
        throw new CommandError(
          `the tag "${tag}" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag`,
        );
      }
      return { ...base, create: false, images: [{ from, to: tag, importPolicy: policyFor(), referencePolicy }] };
    }
  }
  const existing = followed.ref!;
  if (!existing.from) {
    throw new CommandError(
      `tag "${tag}" already exists - you must use the 'tag' command if you want to change the source to "${o.from ?? ''}"`,
    );
  }
  if (existing.from.kind !== 'DockerImage') {
    throw new CommandError(
      `tag "${tag}" points to existing ${existing.from.kind} "${existing.from.name}", it cannot be re-imported`,
    );
  }
  if (o.from && o.from !== existing.from.name) {
    if (followed.multiple) {
      throw new CommandError(
        `the tag "${tag}" points to the tag "${followed.finalTag}" which points to ` +
          `"${existing.from.name}" - use the 'tag' command if you want to change the source to ` +
          `"${o.from}"`,
      );
    }
    throw new CommandError(
      `the tag "${tag}" points to "${existing.from.name}" - use the 'tag' command if you want to change the source to "${o.from}"`,
    );
  }
  const to = followed.finalTag;
  return {
    ...base,
    tag: to,
    create: false,
    images: [{ from: existing.from.name, to, importPolicy: policyFor(existing), referencePolicy }],
  };
}

/**
 * The ImageStream oc's client builds before it posts the ImageStreamImport, which is what
 * `import-image -o json|yaml` prints (openshift/oc pkg/cli/importimage/importimage.go Run:
 * `printer.PrintObj(stream, o.Out)` with the stream of createImageImport, not the import's
 * `result.Status.Import`): for a new stream the bare object of newImageStream (name only, a spec
 * tag without a name); for an existing one the stream as read, with the spec changes of importAll
 * (spec.dockerImageRepository) or importTag (the followed tag with generation 0 and without the
 * dockerRepositoryCheck annotation, or a new nameless tag). Its status is the one before the import.
 */
export function requestedStream(
  o: ImportImageOptions,
  plan: ImportPlan,
  existing: ImageStream | undefined,
  namespace: string,
): ImageStream {
  if (!existing) {
    const bare: ImageStream = {
      apiVersion: IMAGE_API_VERSION,
      kind: 'ImageStream',
      metadata: { name: plan.stream },
      spec: { lookupPolicy: { local: false } },
      status: { dockerImageRepository: '' },
    };
    if (plan.repository) bare.spec!.dockerImageRepository = plan.repository.from;
    else bare.spec!.tags = [nameless(plan.images[0]?.from ?? '', referencePolicyFlag(o.referencePolicy))];
    return bare;
  }
  const stream = structuredClone(existing);
  stream.metadata = { ...stream.metadata, namespace };
  if (o.all) {
    if (plan.repository) stream.spec = { ...stream.spec, dockerImageRepository: plan.repository.from };
    return stream;
  }
  const tag = parseImportTarget(o).tag;
  const followed = followTagReference(existing, tag);
  let ref: TagReference;
  let name = tag;
  if (followed.problem === 'not-found') ref = nameless(plan.images[0]?.from ?? '', '');
  else {
    ref = structuredClone(followed.ref!);
    if (ref.annotations) delete ref.annotations[ANNOTATION_REPOSITORY_CHECK];
    ref.generation = 0;
    if (followed.multiple) name = followed.finalTag;
  }
  const tags = [...(stream.spec?.tags ?? [])];
  const i = tags.findIndex((t) => t?.name === name);
  if (i >= 0) tags[i] = ref;
  else tags.push(ref);
  stream.spec = { ...stream.spec, tags };
  return stream;
}

/** A TagReference with only `from` set, as Go serializes it (name "", annotations and generation null). */
function nameless(from: string, referencePolicy: string): TagReference {
  return {
    name: '',
    annotations: null,
    from: { kind: 'DockerImage', name: from },
    generation: null,
    importPolicy: {},
    referencePolicy: { type: referencePolicy },
  };
}

// getReferencePolicy: empty unless --reference-policy was given, then exactly "source" or "local".
function referencePolicyFlag(flag: string | undefined): string {
  if (flag === 'source') return 'Source';
  if (flag === 'local') return 'Local';
  return '';
}
