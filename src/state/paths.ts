/**
 * Where new objects are written. The default path of an object added to the state folder is
 *   imagestreams/<namespace>/<name>.yaml      for an ImageStream,
 *   <lowercase kind>s/<namespace>/<name>.yaml  for any other kind (e.g. deploymentconfigs/…),
 * relative to the state folder. Names become path segments, so anything that could escape the
 * folder or confuse a terminal (`..`, `/`, `\`, control characters) is refused first.
 */
import { ValidationError } from '../domain/errors.js';
import { kindProblems } from '../domain/validation.js';

// DNS-1123 subdomain (the rule for ImageStream and most object names) plus `_` and upper case
// for the odd kinds that allow them; never `..`, separators or control characters.
const SAFE_SEGMENT = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;

/** Throws a ValidationError unless `value` can be used as one path segment. */
export function checkPathSegment(kind: string, name: string, field: string, value: string): void {
  if (!SAFE_SEGMENT.test(value) || value.includes('..')) {
    throw new ValidationError(kind, name, [
      {
        field,
        message: `Invalid value: ${JSON.stringify(value)}: must consist of letters, digits, '-', '.' or '_' and start and end with a letter or digit`,
      },
    ]);
  }
}

/** The default file (relative to the state folder) for a new object of `kind`. */
export function defaultPathFor(kind: string, namespace: string, name: string): string {
  const badKind = kindProblems(kind);
  if (badKind.length > 0) throw new ValidationError(kind, name, badKind);
  checkPathSegment(kind, name, 'metadata.name', name);
  checkPathSegment(kind, name, 'metadata.namespace', namespace);
  return `${kind.toLowerCase()}s/${namespace}/${name}.yaml`;
}
