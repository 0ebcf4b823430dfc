/**
 * The marker reactor: every `# {"$imagestreamtag": "[NS/]STREAM:TAG[:FIELD]"}` comment in the
 * folder's YAML files is brought level with the stream tag it names, in the same transaction as
 * the other triggers (the counterpart of Flux's setters, fluxcd/image-automation-controller
 * pkg/update/setters.go, over ImageStream tags instead of ImagePolicies). Like the controller,
 * it is level-based: a run sets every marker that differs, whichever tag changed.
 */
import { parseMarkerSpec, markerValue, type ImageParts } from '../../../domain/marker.js';
import { pullSpecTag, readPullSpec, tagSource, validPullSpec } from '../../../domain/pullspec.js';
import { findSpecTag } from '../../../domain/imagestream.js';
import type { MarkerSite, Snapshot } from '../../../state/types.js';
import type { MarkerUpdate } from '../../context.js';
import type { ResolvedTag, TagRetriever } from './tag-retriever.js';

/** What the marker pass did: the values it set and the markers it could not follow. */
export interface MarkerResult {
  updated: MarkerUpdate[];
  problems: string[];
}

/** The repository, source tag and digest of a resolved stream tag, as markers write them. */
export function imageParts(resolved: ResolvedTag, tag: string): ImageParts {
  const recorded = validPullSpec(readPullSpec(resolved.ref));
  const name =
    recorded.transport === 'oci'
      ? `oci:${recorded.path}`
      : [recorded.ref.registry, recorded.ref.namespace, recorded.ref.name].filter((p) => p !== '').join('/');
  // A source the API server would refuse leaves the stream tag's own name.
  const source = tagSource(findSpecTag(resolved.stream, tag) ?? {});
  const sourceTag = source && source.transport !== 'invalid' ? pullSpecTag(source) : '';
  return { image: resolved.ref, name, tag: sourceTag || tag, digest: resolved.event.image };
}

/** Where a marker is, for messages. */
export function markerPlace(site: MarkerSite): string {
  return `${site.file}:${site.line}`;
}

/** Sets every marker of the snapshot that differs from its stream tag. */
export function reconcileMarkers(snapshot: Snapshot, retrieve: TagRetriever): MarkerResult {
  const result: MarkerResult = { updated: [], problems: [] };
  for (const site of snapshot.markers) {
    const place = markerPlace(site);
    if (site.error || site.raw === undefined) {
      result.problems.push(`${place}: ${site.error ?? 'malformed marker'}`);
      continue;
    }
    const parsed = parseMarkerSpec(site.raw);
    if ('error' in parsed) {
      result.problems.push(`${place}: marker "${site.raw}": ${parsed.error}`);
      continue;
    }
    const { spec } = parsed;
    const namespace = spec.namespace ?? site.namespace;
    const resolved = retrieve(namespace, `${spec.stream}:${spec.tag}`);
    if (!resolved) {
      const exists = snapshot.find('ImageStream', namespace, spec.stream) !== undefined;
      result.problems.push(
        `${place}: marker "${site.raw}": ` +
          (exists
            ? `imagestreamtag "${spec.stream}:${spec.tag}" in namespace "${namespace}" has no image yet`
            : `imagestreams.image.openshift.io "${spec.stream}" not found in namespace "${namespace}"`),
      );
      continue;
    }
    const value = markerValue(spec.field, imageParts(resolved, spec.tag));
    if (value === site.current) continue;
    snapshot.setMarker(site, value);
    result.updated.push({ file: site.file, line: site.line, marker: site.raw, from: site.current, to: value });
  }
  return result;
}
