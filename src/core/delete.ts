/**
 * `delete is NAME…`: removes streams from the state folder (their files lose the document, or
 * disappear when nothing else is left). Missing names are reported as the API server's NotFound.
 */
import { IsctlError, NotFoundError } from '../domain/errors.js';
import type { FileChange, StateStore } from '../state/types.js';
import { RESOURCE_NAMES } from './get.js';

/** Deleted names in argument order and one error per name that was not found. */
export interface DeleteResult {
  deleted: string[];
  errors: IsctlError[];
  changes: FileChange[];
}

/** Deletes the named ImageStreams of `namespace` in one transaction. */
export async function deleteImageStreams(store: StateStore, namespace: string, names: readonly string[], options: { dryRun?: boolean } = {}): Promise<DeleteResult> {
  const { result, changes } = await store.update(
    namespace,
    (snapshot) => {
      const deleted: string[] = [];
      const errors: IsctlError[] = [];
      for (const name of names) {
        const found = snapshot.find('ImageStream', namespace, name);
        if (!found) {
          errors.push(new NotFoundError(RESOURCE_NAMES.imagestreams, name));
          continue;
        }
        snapshot.remove(found);
        deleted.push(name);
      }
      return { deleted, errors };
    },
    { dryRun: options.dryRun },
  );
  return { ...result, changes };
}
