/**
 * The client half of `oc tag` (openshift/oc pkg/cli/tag/tag.go Complete and Validate): argument
 * count, SOURCE kind inference, DEST parsing and validation, with oc's exact messages. Pure: no
 * I/O.
 */
import { CommandError, ServerError, UsageError, ValidationError } from '../domain/errors.js';
import { readPullSpec } from '../domain/pullspec.js';
import { imageStreamNameProblems } from '../domain/validation.js';
import { exact, isTagName, type DockerImageReference } from '../domain/reference.js';
import type { ImportMode } from '../domain/types.js';

/** Flags and arguments of `tag`. */
export interface TagOptions {
  args: string[];
  source?: string;
  alias?: boolean;
  reference?: boolean;
  scheduled?: boolean;
  insecure?: boolean;
  referencePolicy?: string;
  importMode?: string;
  delete?: boolean;
}

/** A DEST argument as Complete leaves it (parseStreamName): its namespace and the rest as typed. */
export interface TagTarget {
  namespace: string;
  /** `name:tag` as typed, without the namespace (oc's destNameAndTag). */
  nameAndTag: string;
}

/** A destination `[ns/]name:tag`, split as Run splits it. */
export interface TagDestination extends TagTarget {
  stream: string;
  tag: string;
}

/** The validated request. */
export interface TagPlan {
  delete: boolean;
  kind?: 'DockerImage' | 'ImageStreamTag' | 'ImageStreamImage';
  /** The parsed SOURCE (unset for OCI layout sources and deletes). */
  ref?: DockerImageReference;
  /** The SOURCE as typed. */
  source?: string;
  /** The destinations as Complete parsed them; Run splits each one in turn (splitDestination). */
  targets: TagTarget[];
  alias: boolean;
  reference: boolean;
  scheduled: boolean;
  insecure: boolean;
  referencePolicy: 'Source' | 'Local';
  importMode: ImportMode;
}

const kindNames: Record<string, TagPlan['kind']> = {
  imagestreamtag: 'ImageStreamTag',
  imagestreamtags: 'ImageStreamTag',
  istag: 'ImageStreamTag',
  imagestreamimage: 'ImageStreamImage',
  imagestreamimages: 'ImageStreamImage',
  isimage: 'ImageStreamImage',
  docker: 'DockerImage',
  dockerimage: 'DockerImage',
};

/** The validated request together with the destination arguments as typed. */
export interface CompletedTag extends TagPlan {
  /** DEST arguments (every argument when deleting), parsed by validateTag. */
  destArgs: string[];
}

/**
 * Parses and validates `tag` arguments in oc's order (Complete, Validate, then Run's split of
 * every destination), as if every destination were reached.
 */
export function planTag(o: TagOptions, namespace: string): TagPlan & { dests: TagDestination[] } {
  const plan = validateTag(completeTag(o, namespace), o, namespace);
  return { ...plan, dests: plan.targets.map((t) => splitDestination(t, plan.delete)) };
}

/**
 * oc's Complete (tag.go): the argument count and the SOURCE. What Complete looks up next — the
 * stream of an ImageStreamTag source — is the caller's, before validateTag, so that a missing
 * source stream is reported before a missing destination, as oc does.
 */
export function completeTag(o: TagOptions, namespace: string): CompletedTag {
  const del = Boolean(o.delete);
  if (o.args.length === 0 && !del)
    throw new UsageError('you must specify a source and at least one destination or one or more tags to delete');
  const policy = o.referencePolicy ?? 'source';
  const plan: CompletedTag = {
    delete: del,
    targets: [],
    destArgs: del ? o.args : o.args.slice(1),
    alias: Boolean(o.alias),
    reference: Boolean(o.reference),
    scheduled: Boolean(o.scheduled),
    insecure: Boolean(o.insecure),
    referencePolicy: policy === 'local' ? 'Local' : 'Source',
    importMode: (o.importMode || 'Legacy') as ImportMode,
  };
  if (!del) inferSource(o, plan, o.args[0], namespace);
  return plan;
}

/**
 * The rest of oc's Complete (tag.go: parseStreamName of every DEST), then its Validate. What Run
 * checks per destination — `name:tag` form, the tag name, what the API server refuses — is
 * splitDestination's, so that earlier destinations are set before a later one fails, as in oc.
 */
export function validateTag(plan: CompletedTag, o: TagOptions, namespace: string): TagPlan {
  const targets = plan.destArgs.map((d) => parseStreamName(d, namespace));
  if (plan.delete && plan.alias) throw new CommandError('--alias and --delete may not be both specified');
  const policy = o.referencePolicy ?? 'source';
  if (policy !== 'source' && policy !== 'local')
    throw new CommandError("reference policy must be set to 'source' or 'local'");
  if (plan.delete) {
    if (o.source) throw new CommandError('cannot specify a source kind when deleting');
    // Validate refuses --scheduled and --insecure on delete; --reference is not an import flag there.
    if (o.scheduled || o.insecure) throw new CommandError('cannot set flags for importing images when deleting a tag');
    if (o.importMode) throw new CommandError('cannot specify an import mode when deleting');
  }
  if (plan.destArgs.length === 0) throw new CommandError('at least a destination is required');
  if (!plan.delete) {
    if ((plan.scheduled || plan.insecure) && plan.kind !== 'DockerImage')
      throw new CommandError('only container images can have importing flags set');
    if (plan.alias && (plan.scheduled || plan.insecure))
      throw new CommandError('cannot set a container image tag as an alias and also set import flags');
  }
  if (plan.alias && isCrossImageStream(namespace, plan.ref?.name ?? '', targets))
    throw new CommandError('cannot set alias across different Image Streams');
  if (!plan.delete && o.importMode && o.importMode !== 'Legacy' && o.importMode !== 'PreserveOriginal')
    throw new CommandError('valid ImportMode values are Legacy or PreserveOriginal');
  const { destArgs: _typed, ...validated } = plan;
  return { ...validated, targets };
}

/**
 * tag.go isCrossImageStream: a destination in another namespace than the current one, or naming
 * another stream than SOURCE's. It compares with the current namespace, not SOURCE's: an alias of
 * `other/s:1` into `s:2` passes, one into `other/s:2` does not.
 */
function isCrossImageStream(namespace: string, srcName: string, targets: TagTarget[]): boolean {
  for (const t of targets) {
    if (t.namespace !== namespace) return true;
    const colon = t.nameAndTag.indexOf(':');
    if (colon < 0) throw new CommandError(`"${t.nameAndTag}" must be of the form <stream_name>:<tag>`);
    if (t.nameAndTag.slice(0, colon) !== srcName) return true;
  }
  return false;
}

function inferSource(o: TagOptions, plan: TagPlan, source: string, namespace: string): void {
  let explicit: TagPlan['kind'];
  if (o.source !== undefined) {
    explicit = kindNames[o.source.toLowerCase()];
    if (!explicit)
      throw new UsageError(
        `invalid source "${o.source}"; valid values are docker, dockerimage, imagestreamimage, imagestreamtag, isimage, istag`,
      );
  }
  plan.source = source;
  const read = readPullSpec(source);
  if (read.transport === 'invalid') throw new CommandError(`invalid SOURCE: ${read.error.reason}`);
  if (read.transport === 'oci') {
    // isctl extension: an OCI image layout on disk is always a DockerImage-like source.
    if (explicit && explicit !== 'DockerImage')
      throw new CommandError('an oci: source can only be used as a container image (--source=docker)');
    plan.kind = 'DockerImage';
    return;
  }
  // A copy: the istag and isimage forms below default its namespace.
  const ref: DockerImageReference = { ...read.ref };
  plan.ref = ref;
  if (explicit === 'ImageStreamTag' || explicit === 'ImageStreamImage') {
    if (ref.registry) throw new CommandError('server in SOURCE is only allowed when providing a container image');
    if (ref.namespace === 'library') ref.namespace = namespace;
    if (explicit === 'ImageStreamTag' && !ref.tag)
      throw new CommandError('--source=ImageStreamTag requires a valid <name>:<tag> in SOURCE');
    if (explicit === 'ImageStreamImage' && !ref.id)
      throw new CommandError('--source=ImageStreamImage requires a valid <name>@<id> in SOURCE');
    plan.kind = explicit;
    return;
  }
  if (explicit === 'DockerImage') plan.kind = 'DockerImage';
  else if (ref.registry) plan.kind = 'DockerImage';
  else if (ref.id) plan.kind = 'ImageStreamImage';
  else if (ref.tag) plan.kind = 'ImageStreamTag';
  else plan.kind = 'DockerImage';
}

/**
 * tag.go parseStreamName: `[namespace/]rest`, refusing only an empty namespace. A namespace that is
 * not a DNS label is the server's NotFound when the destination is written (tagImages,
 * requireWritableNamespace), so it never becomes a folder of the state.
 */
export function parseStreamName(arg: string, namespace: string): TagTarget {
  if (!arg.includes('/')) return { namespace, nameAndTag: arg };
  const parts = arg.split('/');
  if (parts.length !== 2) throw new CommandError(`invalid image stream "${arg}"`);
  const [ns, rest] = parts;
  if (ns.length === 0) throw new CommandError(`invalid namespace "${ns}" for image stream "${arg}"`);
  if (rest.length === 0) throw new CommandError(`invalid name "" for image stream "${arg}"`);
  return { namespace: ns, nameAndTag: rest };
}

/**
 * What Run checks for one destination, in its order: SplitImageStreamTag (an empty tag is
 * `latest`), validateTag (not when deleting: existing tags may have invalid names), then what the
 * API server refuses: a name imagestreamtag/rest.go nameAndTag cannot split (BadRequest), and —
 * when setting — a stream name ValidateImageStreamName rejects (the stream would be created).
 */
export function splitDestination(t: TagTarget, del: boolean): TagDestination {
  const colon = t.nameAndTag.indexOf(':');
  // Run quotes destNameAndTag, the argument without the namespace parseStreamName split off.
  if (colon < 0) throw new CommandError(`"${t.nameAndTag}" must be of the form <stream_name>:<tag>`);
  const stream = t.nameAndTag.slice(0, colon);
  const tag = t.nameAndTag.slice(colon + 1) || 'latest';
  if (!del && !isTagName(tag)) {
    throw new CommandError(
      `invalid tag "${tag}" format, tags must start with an alphanumeric character followed by ` +
        `alphanumeric, '.' or '-' characters, and have a maximum of 128 characters`,
    );
  }
  // Update sends the typed name (ImageStreamTag.Name = destNameAndTag), Delete JoinImageStreamTag's.
  const sent = del ? `${stream}:${tag}` : t.nameAndTag;
  if (!parsesAsStreamTag(sent))
    throw new ServerError('BadRequest', 'ImageStreamTags must be retrieved with <name>:<tag>');
  if (!del) {
    const problems = imageStreamNameProblems(stream);
    if (problems.length > 0)
      throw new ValidationError(
        'ImageStream',
        stream,
        problems.map((m) => ({ field: 'metadata.name', message: `Invalid value: "${stream}": ${m}` })),
      );
  }
  return { ...t, stream, tag };
}

/** library-go imageutil.ParseImageStreamTagName: exactly one ':', a name and a tag, no '@'. */
function parsesAsStreamTag(s: string): boolean {
  if (s.includes('@')) return false;
  const parts = s.split(':');
  return parts.length === 2 && parts[0].length > 0 && parts[1].length > 0;
}

/** parseStreamName + Run's split of one DEST, all at once (policy tags check every DEST first). */
export function parseDestination(arg: string, namespace: string, validate: boolean): TagDestination {
  return splitDestination(parseStreamName(arg, namespace), !validate);
}

/** DockerImageReferenceExact of the (possibly resolved) source, as oc prints it in messages. */
export function sourceExact(plan: TagPlan): string {
  return plan.ref ? exact(plan.ref) : (plan.source ?? '');
}
