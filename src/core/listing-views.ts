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
import type { ObjectViews } from '../state/types.js';
import { mayRefresh, refreshSources } from './refresh-candidates.js';

/** The views of one ImageStream. */
export interface ImageStreamViews {
  /** What `get is` prints of it. */
  listing: ImageStream;
  /** False when no refresh would re-import any of its tags (`mayRefresh`). */
  refresh: boolean;
  /** The repositories a refresh would ask over verified TLS, one per registry (`refreshSources`). */
  sources: string[];
}

/**
 * The views of a stream from `Snapshot.listViews`: stored views (checked when read back) are
 * expanded; a store without views lists the objects themselves.
 */
export function streamViews(v: unknown): ImageStreamViews {
  if (Array.isArray(v)) return decodeViews(v as StoredViews);
  const s = v as ImageStream;
  return { listing: s, refresh: mayRefresh(s), sources: refreshSources(s) };
}

/** What a refresh needs of the views (`refresh` and `sources`), without building the listing view. */
export function refreshViews(v: unknown): Pick<ImageStreamViews, 'refresh' | 'sources'> {
  if (Array.isArray(v)) return { refresh: (v as StoredViews)[0], sources: (v as StoredViews)[7] };
  const s = v as ImageStream;
  const refresh = mayRefresh(s);
  return { refresh, sources: refresh ? refreshSources(s) : [] };
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

/**
 * The views as the index stores them: one flat array per stream instead of a pruned object, so
 * that 100,000 streams' views take a third of the bytes and of the objects a listing reads back.
 * `[refresh, apiVersion, name, namespace, labels, spec, status, sources]`: spec is null (no spec), 0 (a
 * spec without dockerImageRepository) or that repository; status is null or `[dockerImageRepository,
 * publicDockerImageRepository, tags]`, with each tag null or `[tag, newest item's created]`;
 * sources is `refreshSources` (empty for most streams).
 */
export type StoredViews = [
  refresh: boolean,
  apiVersion: string,
  name: string,
  namespace: string | null,
  labels: Record<string, string> | null,
  spec: string | 0 | null,
  status: [repository: string | null, publicRepository: string | null, tags: StoredTag[] | null] | null,
  sources: string[],
];
type StoredTag = [tag: string, created: string | null] | null;

const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';

/** The stored views of a stream; undefined for the rare stream they cannot hold (a tag or time that is not a string). */
export function encodeViews(s: ImageStream): StoredViews | undefined {
  const listing = imageStreamView(s);
  const m = listing.metadata;
  const st = listing.status;
  let tags: StoredTag[] | null = null;
  if (st?.tags) {
    tags = [];
    for (const t of st.tags) {
      if (t === null) {
        tags.push(null);
        continue;
      }
      if (typeof t !== 'object' || typeof t.tag !== 'string') return undefined;
      const created = t.items?.[0]?.created ?? null;
      if (!isStringOrNull(created)) return undefined;
      tags.push([t.tag, created]);
    }
  }
  const public_ = st?.publicDockerImageRepository ?? null;
  const status: StoredViews[6] = st ? [st.dockerImageRepository ?? null, public_, tags] : null;
  const spec = listing.spec ? (listing.spec.dockerImageRepository ?? 0) : null;
  const refresh = mayRefresh(s);
  const sources = refresh ? refreshSources(s) : [];
  return [refresh, listing.apiVersion, m.name, m.namespace ?? null, m.labels ?? null, spec, status, sources];
}

/** The views a stored array stands for: the same listing view `imageStreamView` gives. */
function decodeViews(v: StoredViews): ImageStreamViews {
  const [refresh, apiVersion, name, namespace, labels, spec, status, sources] = v;
  const listing = {
    apiVersion,
    kind: 'ImageStream',
    metadata: { name, ...(namespace !== null ? { namespace } : {}), ...(labels !== null ? { labels } : {}) },
  } as ImageStream;
  if (spec !== null) listing.spec = spec === 0 ? {} : { dockerImageRepository: spec };
  if (status !== null) {
    const [repo, publicRepo, tags] = status;
    listing.status = {
      ...(repo !== null ? { dockerImageRepository: repo } : {}),
      ...(publicRepo !== null ? { publicDockerImageRepository: publicRepo } : {}),
      ...(tags !== null
        ? {
            tags: tags.map((t) =>
              t === null
                ? (null as unknown as NamedTagEventList)
                : ({ tag: t[0], items: t[1] !== null ? [{ created: t[1] }] : [] } as unknown as NamedTagEventList),
            ),
          }
        : {}),
    };
  }
  return { listing, refresh, sources };
}

/** True when `v` has the shape of stored views (the index is untrusted bytes). */
function isStoredViews(v: unknown): v is StoredViews {
  if (!Array.isArray(v) || v.length !== 8) return false;
  const [refresh, apiVersion, name, namespace, labels, spec, status, sources] = v as unknown[];
  if (typeof refresh !== 'boolean' || typeof apiVersion !== 'string' || typeof name !== 'string') return false;
  if (!Array.isArray(sources) || !sources.every((x) => typeof x === 'string')) return false;
  if (!isStringOrNull(namespace)) return false;
  if (labels !== null) {
    if (typeof labels !== 'object' || Array.isArray(labels)) return false;
    if (!Object.values(labels as object).every((x) => typeof x === 'string')) return false;
  }
  if (!(spec === null || spec === 0 || typeof spec === 'string')) return false;
  if (status === null) return true;
  if (!Array.isArray(status) || status.length !== 3) return false;
  const [repo, publicRepo, tags] = status as unknown[];
  if (!isStringOrNull(repo) || !isStringOrNull(publicRepo)) return false;
  if (tags === null) return true;
  return (
    Array.isArray(tags) &&
    tags.every(
      (t) => t === null || (Array.isArray(t) && t.length === 2 && typeof t[0] === 'string' && isStringOrNull(t[1])),
    )
  );
}

/** The views the CLI's store keeps: ImageStreams only. */
export const LISTING_VIEWS: ObjectViews = {
  id: 'imagestream-views-4',
  of: (o: KubeObject): StoredViews | undefined =>
    o.kind === 'ImageStream' ? encodeViews(o as ImageStream) : undefined,
  check: (kind, v) => kind === 'ImageStream' && isStoredViews(v),
};
