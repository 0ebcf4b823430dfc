/**
 * `create imagestream NAME`: a new, empty stream as the API server creates it (generation 1,
 * no tags; strategy.go PrepareForCreate), refused when the name is invalid or already taken.
 */
import { ServerError, ValidationError } from '../domain/errors.js';
import { IMAGE_API_VERSION, type ImageStream } from '../domain/types.js';
import { validateImageStream } from '../domain/validation.js';
import type { FileChange, StateStore } from '../state/types.js';
import { rfc3339 } from './apply.js';
import { RESOURCE_NAMES } from './get.js';

/** Options of `create imagestream`. */
export interface CreateImageStreamOptions {
  now: Date;
  /** `--lookup-local`: spec.lookupPolicy.local. */
  lookupLocal?: boolean;
  dryRun?: boolean;
}

/** The object `create imagestream` writes. */
export function newImageStream(
  name: string,
  namespace: string,
  options: { now: Date; lookupLocal?: boolean },
): ImageStream {
  return {
    apiVersion: IMAGE_API_VERSION,
    kind: 'ImageStream',
    metadata: { name, namespace, creationTimestamp: rfc3339(options.now), generation: 1 },
    spec: { lookupPolicy: { local: options.lookupLocal === true } },
  };
}

/** Creates the stream; AlreadyExists is worded like the API server's. */
export async function createImageStream(
  store: StateStore,
  namespace: string,
  name: string,
  options: CreateImageStreamOptions,
): Promise<{ stream: ImageStream; changes: FileChange[] }> {
  const stream = newImageStream(name, namespace, options);
  const problems = validateImageStream(stream, { namespace });
  if (problems.length > 0) throw new ValidationError('ImageStream', name, problems);
  const { changes } = await store.update(
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
    { dryRun: options.dryRun },
  );
  return { stream, changes };
}
