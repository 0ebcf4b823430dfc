/**
 * The client half of `oc tag` (openshift/oc pkg/cli/tag, oc-cli.md §2): argument count, SOURCE
 * kind inference, DEST parsing and validation, with oc's exact messages. Pure: no I/O.
 */
import { CommandError, UsageError } from '../domain/errors.js';
import { readPullSpec } from '../domain/pullspec.js';
import { imageStreamNameProblems, namespaceProblems } from '../domain/validation.js';
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

/** A destination `[ns/]name:tag`. */
export interface TagDestination {
  namespace: string;
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
  dests: TagDestination[];
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

/** Parses and validates `tag` arguments in oc's order (Complete, then Validate). */
export function planTag(o: TagOptions, namespace: string): TagPlan {
  return validateTag(completeTag(o, namespace), o, namespace);
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
    dests: [],
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

/** oc's Validate (tag.go), then the destinations as Run splits them (SplitImageStreamTag, validateTag). */
export function validateTag(plan: CompletedTag, o: TagOptions, namespace: string): TagPlan {
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
  const dests = plan.destArgs.map((d) => parseDestination(d, namespace, !plan.delete));
  if (plan.alias && dests.some((d) => d.namespace !== namespace || d.stream !== plan.ref?.name))
    throw new CommandError('cannot set alias across different Image Streams');
  if (!plan.delete && o.importMode && o.importMode !== 'Legacy' && o.importMode !== 'PreserveOriginal')
    throw new CommandError('valid ImportMode values are Legacy or PreserveOriginal');
  const { destArgs: _typed, ...validated } = plan;
  return { ...validated, dests };
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

/** parseStreamName + SplitImageStreamTag + validateTag of oc. */
export function parseDestination(arg: string, namespace: string, validate: boolean): TagDestination {
  let ns = namespace;
  let rest = arg;
  const slashes = arg.split('/').length - 1;
  if (slashes > 1) throw new CommandError(`invalid image stream "${arg}"`);
  if (slashes === 1) {
    [ns, rest] = arg.split('/');
    if (namespaceProblems(ns).length > 0) throw new CommandError(`invalid namespace "${ns}" for image stream "${arg}"`);
  }
  const colon = rest.indexOf(':');
  // Run quotes destNameAndTag, the argument without the namespace parseStreamName split off.
  if (colon < 0) throw new CommandError(`"${rest}" must be of the form <stream_name>:<tag>`);
  const stream = rest.slice(0, colon);
  const tag = rest.slice(colon + 1) || 'latest';
  if (imageStreamNameProblems(stream).length > 0)
    throw new CommandError(`invalid name "${stream}" for image stream "${arg}"`);
  if (validate && !isTagName(tag)) {
    throw new CommandError(
      `invalid tag "${tag}" format, tags must start with an alphanumeric character followed by ` +
        `alphanumeric, '.' or '-' characters, and have a maximum of 128 characters`,
    );
  }
  return { namespace: ns, stream, tag };
}

/** DockerImageReferenceExact of the (possibly resolved) source, as oc prints it in messages. */
export function sourceExact(plan: TagPlan): string {
  return plan.ref ? exact(plan.ref) : (plan.source ?? '');
}
