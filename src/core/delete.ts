/**
 * `delete is|istag NAME…`: removes streams from the state folder (their files lose the document, or
 * disappear when nothing else is left). Missing names are reported as the API server's NotFound.
 */
import { CommandError, IsctlError, NotFoundError, ServerError } from '../domain/errors.js';
import { applyUpdateGenerations } from '../domain/generations.js';
import { removeTag } from '../domain/history.js';
import { parseImageStreamTagName } from '../domain/imagestream.js';
import type { ImageStream } from '../domain/types.js';
import type { FileChange, Snapshot, StateStore } from '../state/types.js';
import type { CoreContext } from './context.js';
import { RESOURCE_NAMES } from './get.js';

/** Deleted names in argument order and one error per name that was not found. */
export interface DeleteResult {
  deleted: string[];
  errors: IsctlError[];
  changes: FileChange[];
}

/** What to delete: names, or (streams only) every one of the namespace. */
export interface DeleteInput {
  names: readonly string[];
  /** `--all`: every ImageStream of the namespace of the context. */
  all?: boolean;
  dryRun?: boolean;
}

/** Deletes the named ImageStreams (or all of them) of the context's namespace in one transaction. */
export async function deleteImageStreams(ctx: CoreContext, input: DeleteInput): Promise<DeleteResult> {
  const namespace = ctx.namespace;
  let names = input.names;
  if (input.all) {
    if (names.length > 0) throw new CommandError('pass either names or --all, not both');
    names = (await ctx.store.read(namespace)).list('ImageStream', namespace).map((o) => o.name);
    if (names.length === 0) return { deleted: [], errors: [], changes: [] };
  }
  if (names.length === 0) throw new CommandError('resource(s) were provided, but no name was specified');
  return deleteEach(ctx.store, namespace, names, input, (snapshot, name) => {
    const found = snapshot.find('ImageStream', namespace, name);
    if (!found) throw new NotFoundError(RESOURCE_NAMES.imagestreams, name);
    snapshot.remove(found);
  });
}

/**
 * Deletes ImageStreamTags `stream:tag`: the spec tag and its history go (imagestreamtag/rest.go
 * Delete); the stream's generation moves as for any spec change.
 */
export function deleteImageStreamTags(ctx: CoreContext, input: DeleteInput): Promise<DeleteResult> {
  const namespace = ctx.namespace;
  if (input.all || input.names.length === 0)
    throw new CommandError('name the image stream tags to delete, as in STREAM:TAG');
  return deleteEach(ctx.store, namespace, input.names, input, (snapshot, name) =>
    removeImageStreamTag(snapshot, namespace, name),
  );
}

/** Runs `remove` for each name in one transaction; a name it refuses becomes an error, the rest still go. */
async function deleteEach(
  store: StateStore,
  namespace: string,
  names: readonly string[],
  options: { dryRun?: boolean },
  remove: (snapshot: Snapshot, name: string) => void,
): Promise<DeleteResult> {
  const { result, changes } = await store.update(
    namespace,
    (snapshot) => {
      const deleted: string[] = [];
      const errors: IsctlError[] = [];
      for (const name of names) {
        try {
          remove(snapshot, name);
          deleted.push(name);
        } catch (e) {
          if (!(e instanceof IsctlError)) throw e;
          errors.push(e);
        }
      }
      return { deleted, errors };
    },
    { dryRun: options.dryRun },
  );
  return { ...result, changes };
}

function removeImageStreamTag(snapshot: Snapshot, namespace: string, name: string): void {
  let parsed: { name: string; tag: string };
  try {
    parsed = parseImageStreamTagName(name);
  } catch {
    throw new ServerError('BadRequest', 'ImageStreamTags must be retrieved with <name>:<tag>');
  }
  const stored = snapshot.find<ImageStream>('ImageStream', namespace, parsed.name);
  if (!stored) throw new NotFoundError(RESOURCE_NAMES.imagestreams, parsed.name);
  const old = stored.object;
  const next = structuredClone(old);
  if (!removeTag(next, parsed.tag)) throw new NotFoundError(RESOURCE_NAMES.imagestreamtags, name);
  applyUpdateGenerations(old, next, stored.namespace);
  stored.object = next;
}
