/**
 * `create imagestream NAME`: a new, empty stream as the API server creates it (generation 1,
 * no tags; strategy.go PrepareForCreate), refused when the name is invalid or already taken.
 */
import { ServerError, ValidationError } from '../domain/errors.js';
import { newImageStream } from '../domain/imagestream.js';
import type { ImageStream } from '../domain/types.js';
import { requireWritableNamespace, validateImageStream } from '../domain/validation.js';
import type { FileChange } from '../state/types.js';
import type { CoreContext } from './context.js';
import { RESOURCE_NAMES } from './get.js';

/** What `create imagestream` is asked for. */
export interface CreateImageStreamInput {
  name: string;
  /** `--lookup-local`: spec.lookupPolicy.local. */
  lookupLocal?: boolean;
  dryRun?: boolean;
}

/** Creates the stream in the namespace of the context; AlreadyExists is worded like the API server's. */
export async function createImageStream(
  ctx: CoreContext,
  input: CreateImageStreamInput,
): Promise<{ stream: ImageStream; changes: FileChange[] }> {
  const { name, dryRun } = input;
  const namespace = ctx.namespace;
  // imagestream.go Run posts the stream: NamespaceLifecycle admission answers before validation.
  requireWritableNamespace(namespace);
  const stream = newImageStream(name, namespace, { now: ctx.now(), lookupLocal: input.lookupLocal });
  const problems = validateImageStream(stream, { namespace });
  if (problems.length > 0) throw new ValidationError('ImageStream', name, problems);
  const { changes } = await ctx.store.update(
    namespace,
    (snapshot) => {
      if (snapshot.find('ImageStream', namespace, name)) {
        throw new ServerError(
          'AlreadyExists',
          `${RESOURCE_NAMES.imagestreams} "${name}" already exists`,
          `use 'isctl apply -f' or 'isctl tag' to change it`,
        );
      }
      snapshot.add(stream, namespace);
    },
    { dryRun },
  );
  return { stream, changes };
}
