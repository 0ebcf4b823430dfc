/**
 * What a listing of ImageStreams prints, and whether a refresh would look at the stream at all,
 * as views the object index keeps beside each stream (src/state/object-index.ts): `get is` and
 * `get is -A` as a table or `-o name` read the listing view of every unchanged file instead of
 * parsing it, and `refresh` reads only the files of streams it may re-import (./refresh-candidates.ts
 * `mayRefresh`). The listing view is a pruned ImageStream holding every
 * field `decorateImageStream`, the label selector and the `get is` row (openshift-apiserver
 * pkg/image/printers/internalversion/printer.go printImageStream: name, repository, status tags
 * by their newest item's time, updated) read, so the same code prints either. Whoever makes the
 * table, the selector or the decoration read another field adds it here and changes `id`;
 * test/core/listing-views.test.ts compares the output of both over the corpus.
 */
import type { ImageStream, KubeObject, NamedTagEventList } from '../domain/types.js';
import { isKubeObject } from '../state/parse.js';
import { structuralProblems } from '../state/structure.js';
import type { ObjectViews } from '../state/types.js';
import { mayRefresh } from './refresh-candidates.js';

/** The views of one ImageStream. */
export interface ImageStreamViews {
  /** What `get is` prints of it. */
  listing: ImageStream;
  /** False when no refresh would re-import any of its tags (`mayRefresh`). */
  refresh: boolean;
}

/** The views of a stream from `Snapshot.listViews`; a store without views lists the objects themselves. */
export function streamViews(v: unknown): ImageStreamViews {
  const views = v as Partial<ImageStreamViews>;
  if (typeof views.refresh === 'boolean' && views.listing !== undefined) return views as ImageStreamViews;
  return { listing: v as ImageStream, refresh: mayRefresh(v as ImageStream) };
}

/** The listing view of an ImageStream. */
export function imageStreamView(s: ImageStream): ImageStream {
  const m = s.metadata;
  // Built field by field: a stream without a spec (which the structure check allows) has none in its view.
  const view = {
    apiVersion: s.apiVersion,
    kind: s.kind,
    metadata: {
      name: m.name,
      ...(m.namespace !== undefined && m.namespace !== null ? { namespace: m.namespace } : {}),
      ...(m.labels !== undefined && m.labels !== null ? { labels: m.labels } : {}),
    },
  } as ImageStream;
  if (s.spec) {
    const repo = s.spec.dockerImageRepository;
    view.spec = repo !== undefined && repo !== null ? { dockerImageRepository: repo } : {};
  }
  if (s.status) {
    const st = s.status;
    view.status = {
      ...(st.dockerImageRepository !== undefined && st.dockerImageRepository !== null
        ? { dockerImageRepository: st.dockerImageRepository }
        : {}),
      ...(st.publicDockerImageRepository ? { publicDockerImageRepository: st.publicDockerImageRepository } : {}),
      ...(Array.isArray(st.tags) ? { tags: st.tags.map(tagView) } : {}),
    };
  }
  return view;
}

/** A status tag as the row needs it: its name and the time of its newest item. */
function tagView(t: NamedTagEventList): NamedTagEventList {
  if (!t || typeof t !== 'object') return t;
  const first = Array.isArray(t.items) ? t.items[0] : undefined;
  const items = first && typeof first === 'object' && first.created ? [{ created: first.created }] : [];
  return { tag: t.tag, items } as unknown as NamedTagEventList;
}

/** The views the CLI's store keeps: ImageStreams only. */
export const LISTING_VIEWS: ObjectViews = {
  id: 'imagestream-views-2',
  of: (o: KubeObject): ImageStreamViews | undefined =>
    o.kind === 'ImageStream'
      ? { listing: imageStreamView(o as ImageStream), refresh: mayRefresh(o as ImageStream) }
      : undefined,
  check: (kind, v) => {
    if (kind !== 'ImageStream' || typeof v !== 'object' || v === null) return false;
    const { listing, refresh } = v as Partial<ImageStreamViews>;
    return (
      typeof refresh === 'boolean' &&
      isKubeObject(listing) &&
      listing.kind === 'ImageStream' &&
      typeof listing.metadata?.name === 'string' &&
      structuralProblems(listing).length === 0
    );
  },
};
