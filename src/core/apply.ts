/**
 * `apply -f`: create or update objects in the state folder the way `kubectl apply` treats spec. New
 * objects are created as the API server creates them (ImageStream: generation 1, status discarded;
 * openshift-apiserver imagestream strategy.go PrepareForCreate); existing ones get the applied
 * spec, labels and annotations while status stays. Every object is validated first: one invalid
 * object means nothing is written.
 */
import { rfc3339 } from '../domain/time.js';
import { CommandError, ServerError, StateFileError, ValidationError, type FieldProblem } from '../domain/errors.js';
import { applyCreateGenerations, applyUpdateGenerations, jsonEqual } from '../domain/generations.js';
import type { ImageStream, KubeObject } from '../domain/types.js';
import {
  kindProblems,
  namespaceProblems,
  objectNameProblems,
  requestNamespaceProblem,
  validateImageStream,
} from '../domain/validation.js';
import { parseStateFile } from '../state/parse.js';
import type { FileChange, Snapshot, StoredObject } from '../state/types.js';
import type { CoreContext, TriggerReport } from './context.js';
import { keepTriggerOwnedFields } from './apply-owned.js';

/** One object to apply and the file (or `-` for stdin) it came from. */
export interface ApplyDocument {
  object: KubeObject;
  source: string;
}

/** What apply did to one object. */
export interface ApplyOutcome {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  action: 'created' | 'configured' | 'unchanged' | 'skipped';
  /** Why an object was skipped (kinds isctl does not keep as objects). */
  reason?: string;
  /** The object as stored after the apply (what kubectl apply -o prints); none when skipped. */
  object?: KubeObject;
}

/**
 * Kinds of the image API that are not stored as objects in the state folder: Images live in the
 * content-addressed image store, and the others are virtual views or create-only requests.
 */
const NOT_STORED: Record<string, string> = {
  Image: 'image metadata is kept in the image store (.isctl/blobs); import or tag the image instead',
  ImageSignature: 'image signatures are not kept',
  ImageStreamTag: "image stream tags are views of their stream; use 'isctl tag' or apply the ImageStream",
  ImageTag: "image tags are views of their stream; use 'isctl tag' or apply the ImageStream",
  ImageStreamImage: 'image stream images are read-only views',
  ImageStreamImport: "use 'isctl import-image'",
  ImageStreamMapping: "use 'isctl tag'",
};

/** Annotations the system writes; an apply that does not mention them keeps them (they are not the user's). */
const SYSTEM_ANNOTATIONS = ['openshift.io/image.dockerRepositoryCheck'];

/**
 * Parses the text of an apply input into objects; syntax errors and wrongly typed fields are
 * thrown as StateFileError naming `source:line:col`.
 */
export function parseApplyInput(source: string, text: string): ApplyDocument[] {
  const parsed = parseStateFile(source === '-' ? 'stdin.yaml' : source, text);
  if (parsed.problems.length > 0) {
    const p = parsed.problems[0];
    if (source === '-') throw new StateFileError('-', p.message.replace(/^stdin\.yaml:?/, 'stdin:'), undefined, p.hint);
    throw p;
  }
  return parsed.objects.map((o) => ({ object: o.object, source }));
}

/** Checks every document; throws the first object's ValidationError (naming its file). */
export function validateApplyDocuments(docs: readonly ApplyDocument[], namespace: string): void {
  for (const d of docs) {
    const problems = documentProblems(d.object, namespace);
    if (problems.length > 0)
      throw new ValidationError(String(d.object.kind), String(d.object.metadata?.name ?? ''), problems, d.source);
  }
}

function documentProblems(obj: KubeObject, namespace: string): FieldProblem[] {
  // The kind first: it names the object's folder when the object is new.
  const badKind = kindProblems(obj.kind);
  if (badKind.length > 0) return badKind;
  if (String(obj.kind) in NOT_STORED) return [];
  if (obj.kind === 'ImageStream') return validateImageStream(obj, { namespace });
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '')
    return [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }];
  // Other kinds: object names are DNS-1123 subdomains (apimachinery NameIsDNSSubdomain).
  const problems: FieldProblem[] = [];
  for (const msg of objectNameProblems(name))
    problems.push({ field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: ${msg}` });
  const ns = obj.metadata?.namespace || namespace;
  for (const msg of namespaceProblems(ns))
    problems.push({ field: 'metadata.namespace', message: `Invalid value: ${JSON.stringify(ns)}: ${msg}` });
  return problems;
}

/** Applies validated documents to a snapshot (pure over the snapshot); returns one outcome per document. */
export function applyToSnapshot(snapshot: Snapshot, docs: readonly ApplyDocument[], now: Date): ApplyOutcome[] {
  validateApplyDocuments(docs, snapshot.namespace);
  return docs.map((d) => applyOne(snapshot, d.object, now));
}

function applyOne(snapshot: Snapshot, applied: KubeObject, now: Date): ApplyOutcome {
  const kind = String(applied.kind);
  const name = String(applied.metadata?.name);
  const namespace = applied.metadata?.namespace || snapshot.namespace;
  const base = { apiVersion: String(applied.apiVersion), kind, namespace, name };
  if (kind in NOT_STORED) return { ...base, action: 'skipped', reason: NOT_STORED[kind] };
  const existing = snapshot.find(kind, namespace, name);
  if (!existing) {
    const created = newObject(applied, namespace, now);
    snapshot.add(created, namespace);
    return { ...base, action: 'created', object: structuredClone(created) };
  }
  const before = structuredClone(existing.original ?? existing.object);
  const next = updatedObject(existing, applied);
  if (jsonEqual(before, next)) return { ...base, action: 'unchanged', object: before };
  existing.object = next;
  return { ...base, action: 'configured', object: structuredClone(next) };
}

// PrepareForCreate: the namespace is recorded, status is dropped for ImageStreams and
// generations start at 1; creationTimestamp is set as the API server sets it.
function newObject(applied: KubeObject, namespace: string, now: Date): KubeObject {
  const obj = structuredClone(applied);
  obj.metadata = { ...obj.metadata, name: String(applied.metadata?.name), namespace };
  if (!obj.metadata.creationTimestamp) obj.metadata.creationTimestamp = rfc3339(now);
  if (obj.kind === 'ImageStream') {
    const stream = obj as ImageStream;
    stream.spec = stream.spec ?? {};
    delete stream.status;
    applyCreateGenerations(stream);
  }
  return obj;
}

// kubectl apply for spec: the applied spec replaces the stored one; labels and annotations come
// from the applied object (system annotations it does not mention are kept); status stays.
function updatedObject(existing: StoredObject, applied: KubeObject): KubeObject {
  const current = existing.object;
  const next = structuredClone(current);
  for (const key of Object.keys(applied)) {
    if (key === 'metadata' || key === 'status' || key === 'apiVersion' || key === 'kind') continue;
    next[key] = structuredClone(applied[key]);
  }
  for (const key of Object.keys(current)) {
    if (!(key in applied) && !['metadata', 'status', 'apiVersion', 'kind'].includes(key)) delete next[key];
  }
  const meta = { ...(next.metadata ?? {}) };
  setOrDelete(meta, 'labels', applied.metadata?.labels);
  const annotations: Record<string, string> = { ...(applied.metadata?.annotations ?? {}) };
  for (const k of SYSTEM_ANNOTATIONS) {
    const v = current.metadata?.annotations?.[k];
    if (v !== undefined && !(k in annotations)) annotations[k] = v;
  }
  setOrDelete(meta, 'annotations', Object.keys(annotations).length > 0 ? annotations : undefined);
  next.metadata = meta;
  keepTriggerOwnedFields(current, next);
  if (next.kind === 'ImageStream') {
    const stream = next as ImageStream;
    stream.spec = stream.spec ?? {};
    applyUpdateGenerations(current as ImageStream, stream, existing.namespace);
  }
  return next;
}

function setOrDelete(meta: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === null) delete meta[key];
  else meta[key] = structuredClone(value);
}

/** What `apply` is asked for. */
export interface ApplyInput {
  docs: readonly ApplyDocument[];
  dryRun?: boolean;
  /** `-n` was given: every object's own namespace must match it (kubectl's RequireNamespace). */
  explicitNamespace?: boolean;
}

/**
 * Runs apply as one transaction in the context's namespace; nothing is written when any document
 * is invalid. In the same transaction the trigger controller takes its first look at the objects
 * created or configured, so a workload with a resolvable ImageChange trigger gets its image at
 * once, as on a cluster.
 */
export async function apply(
  ctx: CoreContext,
  input: ApplyInput,
): Promise<{ outcomes: ApplyOutcome[]; changes: FileChange[]; triggers: TriggerReport }> {
  const { namespace } = ctx;
  const { docs } = input;
  if (docs.length === 0)
    throw new CommandError(
      'no objects passed to apply',
      'give a file or folder with -f holding Kubernetes objects (apiVersion, kind, metadata.name)',
    );
  if (input.explicitNamespace) checkNamespaces(docs, namespace);
  // kubectl apply takes the objects one by one: the Get and the Create in the object's namespace,
  // then what the server's validation says of it.
  for (const d of docs) {
    requireNamespaceOf(d, namespace);
    validateApplyDocuments([d], namespace);
  }
  const { result, changes } = await ctx.store.update(
    namespace,
    (snapshot) => {
      const outcomes = applyToSnapshot(snapshot, docs, ctx.now());
      const touched = outcomes
        .filter((o) => o.action === 'created' || o.action === 'configured')
        .map((o) => snapshot.find(o.kind, o.namespace, o.name))
        .filter((so): so is StoredObject => so !== undefined);
      return { outcomes, triggers: ctx.triggers.applyTo(snapshot, touched, ctx.settings) };
    },
    { dryRun: input.dryRun },
  );
  return { outcomes: result.outcomes, changes, triggers: result.triggers };
}

// kubectl (resource.Builder RequireNamespace): an object's own namespace must match an explicit -n.
function checkNamespaces(docs: readonly ApplyDocument[], namespace: string): void {
  for (const d of docs) {
    const ns = d.object.metadata?.namespace;
    if (ns && ns !== namespace) {
      throw new CommandError(
        `the namespace from the provided object "${ns}" does not match the namespace "${namespace}` +
          `". You must pass '--namespace=${ns}' to perform this operation.`,
      );
    }
  }
}

/** Kinds apply may meet that live outside namespaces: their requests carry none. */
const CLUSTER_SCOPED = new Set([
  'Image',
  'ImageDigestMirrorSet',
  'ImageTagMirrorSet',
  'ImageContentSourcePolicy',
  'Namespace',
]);

/**
 * k8s.io/kubectl pkg/cmd/apply/apply.go applyOneObject, for the namespace the object is sent to: the
 * Get of the live object is built with it, and client-go Request.Namespace refuses one that is not
 * a URL path segment; that error is wrapped by cmdutil.AddSourceToErr with Info.String (cli-runtime
 * pkg/resource/visitor.go: the mapping's GroupVersionResource and GroupVersionKind, name, namespace).
 * A namespace that is no DNS-1123 label holds nothing, so the Get is NotFound and the Create is
 * answered by NamespaceLifecycle admission, wrapped by AddSourceToErr("creating", …).
 */
function requireNamespaceOf(d: ApplyDocument, namespace: string): void {
  const kind = String(d.object.kind ?? '');
  if (CLUSTER_SCOPED.has(kind)) return;
  const ns = d.object.metadata?.namespace || namespace;
  const source = JSON.stringify(d.source === '-' ? 'STDIN' : d.source);
  const problem = requestNamespaceProblem(ns);
  if (problem) {
    const apiVersion = String(d.object.apiVersion ?? '');
    const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
    const info =
      `Resource: "${gv}, Resource=${guessResource(kind)}", GroupVersionKind: "${gv}, Kind=${kind}"\n` +
      `Name: ${JSON.stringify(String(d.object.metadata?.name ?? ''))}, Namespace: ${JSON.stringify(ns)}`;
    throw new CommandError(
      `error when retrieving current configuration of:\n${info}\nfrom server for: ${source}: ${problem}`,
    );
  }
  if (namespaceProblems(ns).length > 0)
    throw new ServerError('NotFound', `error when creating ${source}: namespaces ${JSON.stringify(ns)} not found`);
}

/** apimachinery pkg/api/meta UnsafeGuessKindToResource: the plural resource of a kind. */
function guessResource(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular.endsWith('s')) return `${singular}es`;
  if (singular.endsWith('y')) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}
