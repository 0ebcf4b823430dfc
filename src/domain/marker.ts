/**
 * Marker comments: a YAML line ending in `# {"$imagestreamtag": "[NAMESPACE/]STREAM:TAG[:FIELD]"}`
 * follows that ImageStream tag, the way Flux's image-automation setters
 * (`# {"$imagepolicy": "ns:policy[:tag|:name]"}`, fluxcd/image-automation-controller
 * pkg/update/setters.go) make any YAML value follow an image policy.
 */
import { isTagName } from './reference.js';
import { imageStreamNameProblems, namespaceProblems } from './validation.js';

/** What a marker writes: the whole pull spec, or one part of it. */
export type MarkerField = 'image' | 'name' | 'tag' | 'digest';

/** A parsed marker: which stream tag it follows and which part of its image it writes. */
export interface MarkerSpec {
  /** Undefined: the namespace of the file the marker is in. */
  namespace?: string;
  stream: string;
  tag: string;
  field: MarkerField;
}

const FIELDS: Record<string, MarkerField> = { name: 'name', tag: 'tag', digest: 'digest' };
// Tag names as the API server validates them (openshift-apiserver ValidateImageStream: tag names
// follow distribution's tag grammar).

/** Parses the value of `$imagestreamtag`; returns the spec, or the reason it is malformed. */
export function parseMarkerSpec(raw: string): { spec: MarkerSpec } | { error: string } {
  const form = 'expected "[NAMESPACE/]STREAM:TAG[:FIELD]" with FIELD one of name, tag, digest';
  let rest = raw;
  let namespace: string | undefined;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    namespace = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
    const bad = namespaceProblems(namespace);
    if (bad.length > 0) return { error: `namespace "${namespace}": ${bad[0]}` };
  }
  const parts = rest.split(':');
  if (parts.length < 2 || parts.length > 3) return { error: form };
  const [stream, tag, fieldWord] = parts;
  const badName = imageStreamNameProblems(stream);
  if (badName.length > 0) return { error: `stream name "${stream}": ${badName[0]}` };
  if (!isTagName(tag)) return { error: `tag "${tag}" is not a valid tag name; ${form}` };
  let field: MarkerField = 'image';
  if (fieldWord !== undefined) {
    const f = FIELDS[fieldWord];
    if (!f) return { error: `unknown field "${fieldWord}"; ${form}` };
    field = f;
  }
  return { spec: { ...(namespace !== undefined ? { namespace } : {}), stream, tag, field } };
}

/** The parts of a pull spec a marker can write. */
export interface ImageParts {
  /** The whole reference as triggers write it (`repo@sha256:…`). */
  image: string;
  /** The repository: the reference without tag and digest. */
  name: string;
  /** The tag the spec tag imports from (for policy tags, the version chosen). */
  tag: string;
  /** `sha256:…`. */
  digest: string;
}

/** The value a marker of `field` writes. */
export function markerValue(field: MarkerField, parts: ImageParts): string {
  return parts[field];
}
