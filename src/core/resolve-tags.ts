/**
 * Resolves many pull specs through the image source with bounded parallelism and turns every
 * registry failure into the reason/message pair OpenShift records in ImportSuccess=False conditions
 * (openshift-apiserver imagestreamimport/rest.go setFailureCondition). Never throws for a per-tag
 * failure; a state folder that cannot be written (StateFileError from the image cache) ends the
 * command.
 */
import { IsctlError, RegistryError, StateFileError } from '../domain/errors.js';
import type { InvalidPullSpec, PullSpec } from '../domain/pullspec.js';
import { isDockerHub } from '../domain/reference.js';
import type { Image, ImportMode, TagImportPolicy } from '../domain/types.js';
import { ANNOTATION_PREFER_ARCH, ANNOTATION_PREFER_OS } from '../domain/types.js';
import type { ImageSource, ResolvedImage } from '../registry/types.js';

/** One pull spec to resolve for one tag. */
export interface ResolveRequest {
  /** The tag's source, as read from the flag or the stored spec tag (an invalid one fails here). */
  source: PullSpec | InvalidPullSpec;
  importPolicy: TagImportPolicy;
  annotations?: Record<string, string> | null;
  /** The tag has no image yet (no HEAD first: see ResolveOptions.cold). */
  cold?: boolean;
  /** The digest the tag records now (warm check: see ResolveOptions.unchangedIf). */
  unchangedIf?: string;
}

/** The answer for one request: the resolved image or a failure as OpenShift words it. */
export type ResolveAnswer =
  | { ok: true; resolved: ResolvedImage; image: Image }
  | { ok: false; reason: string; message: string };

/**
 * Resolves every request, at most `parallel` at a time (default 256: enough to fill an HTTP/2
 * registry's 100 streams several times over; the registry client bounds what is in flight per
 * registry), reporting progress as they finish.
 */
export async function resolveAll(
  source: ImageSource,
  requests: ResolveRequest[],
  options: { parallel?: number; onDone?: (index: number, answer: ResolveAnswer) => void } = {},
): Promise<ResolveAnswer[]> {
  const answers: ResolveAnswer[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      answers[i] = await resolveOne(source, requests[i]);
      options.onDone?.(i, answers[i]);
    }
  };
  const n = Math.max(1, Math.min(options.parallel ?? 256, requests.length));
  await Promise.all(Array.from({ length: n }, worker));
  return answers;
}

/** Resolves one request; failures become answers, never exceptions. */
export async function resolveOne(source: ImageSource, req: ResolveRequest): Promise<ResolveAnswer> {
  const spec = req.source;
  if (spec.transport === 'invalid') return { ok: false, reason: 'Invalid', message: spec.error.message };
  try {
    const resolved = await source.resolve(spec, {
      insecure: Boolean(req.importPolicy.insecure),
      importMode: (req.importPolicy.importMode || 'Legacy') as ImportMode,
      preferArch: req.annotations?.[ANNOTATION_PREFER_ARCH] || undefined,
      preferOS: req.annotations?.[ANNOTATION_PREFER_OS] || undefined,
      ...(req.cold ? { cold: true } : {}),
      ...(req.unchangedIf ? { unchangedIf: req.unchangedIf } : {}),
    });
    return { ok: true, resolved, image: resolved.image };
  } catch (err) {
    // The state folder itself failed (the image cache could not be written): the command fails.
    if (err instanceof StateFileError) throw err;
    return { ok: false, ...failureOf(err, spec) };
  }
}

/** The condition reason and message for an import failure (importer.go wording where it has one). */
export function failureOf(err: unknown, spec: PullSpec): { reason: string; message: string } {
  if (err instanceof RegistryError) {
    // Registries get the API server's NotFound wording; an OCI layout keeps the message that names its folder.
    if (err.reason === 'NotFound' && spec.transport === 'docker') {
      return { reason: 'NotFound', message: `dockerimage.image.openshift.io "${normalizedName(spec)}" not found` };
    }
    return { reason: err.reason, message: err.message };
  }
  if (err instanceof IsctlError) return { reason: 'InternalError', message: err.message };
  return { reason: 'InternalError', message: `Internal error occurred: ${(err as Error)?.message ?? String(err)}` };
}

/** The distribution-normalised name (docker.io/library/x:tag) OpenShift prints in NotFound messages. */
export function normalizedName(spec: PullSpec): string {
  if (spec.transport === 'oci') return spec.raw;
  const r = spec.ref;
  const hub = isDockerHub(r.registry);
  const host = hub ? 'docker.io' : r.registry;
  const ns = r.namespace || (hub ? 'library' : '');
  let s = `${host}/${ns ? `${ns}/` : ''}${r.name}`;
  if (r.tag) s += `:${r.tag}`;
  if (r.id) s += `@${r.id}`;
  return s;
}
