/**
 * The server-side tables of `oc get is|istag|isimage` (openshift-apiserver
 * pkg/image/printers/internalversion/printer.go: the columns and how each cell is computed).
 */
import type { ImageStream, ImageStreamImage, ImageStreamTag, NamedTagEventList } from '../domain/types.js';
import { relativeTime } from './humanize.js';
import type { TableColumn, TableRow } from './table.js';

/** Columns of `get is` (no wide columns). */
export const IMAGE_STREAM_COLUMNS: TableColumn[] = [
  { name: 'Name', priority: 0 },
  { name: 'Image Repository', priority: 0 },
  { name: 'Tags', priority: 0 },
  { name: 'Updated', priority: 0 },
];

/** Columns of `get istag` (`IMAGE NAME` with `-o wide`). */
export const IMAGE_STREAM_TAG_COLUMNS: TableColumn[] = [
  { name: 'Name', priority: 0 },
  { name: 'Image Reference', priority: 0 },
  { name: 'Updated', priority: 0 },
  { name: 'Image Name', priority: 1 },
];

/** Columns of `get isimage` (`IMAGE REFERENCE` and `IMAGE NAME` with `-o wide`). */
export const IMAGE_STREAM_IMAGE_COLUMNS: TableColumn[] = [
  { name: 'Name', priority: 0 },
  { name: 'Updated', priority: 0 },
  { name: 'Image Reference', priority: 1 },
  { name: 'Image Name', priority: 1 },
];

/** The TAGS budget printImageStream uses. */
const TAGS_PREFERRED_WIDTH = 40;

/** The row of one ImageStream (printImageStream). */
export function imageStreamRow(stream: ImageStream, now: Date): TableRow {
  let latest: number | undefined;
  let latestText = '';
  for (const list of stream.status?.tags ?? []) {
    const created = list?.items?.[0]?.created;
    if (!created) continue;
    const t = Date.parse(created);
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) {
      latest = t;
      latestText = created;
    }
  }
  const updated = latest === undefined ? '' : `${relativeTime(now, latestText)} ago`;
  let repo = stream.spec?.dockerImageRepository || stream.status?.dockerImageRepository || '';
  if (stream.status?.publicDockerImageRepository) repo = stream.status.publicDockerImageRepository;
  const tags = printTagsUpToWidth(stream.status?.tags ?? [], TAGS_PREFERRED_WIDTH);
  return { namespace: stream.metadata.namespace ?? '', cells: [stream.metadata.name, repo, tags, updated] };
}

/** The row of one ImageStreamTag (printImageStreamTag). */
export function imageStreamTagRow(ist: ImageStreamTag, now: Date): TableRow {
  const created = `${relativeTime(now, ist.metadata.creationTimestamp)} ago`;
  return {
    namespace: ist.metadata.namespace ?? '',
    cells: [ist.metadata.name, ist.image?.dockerImageReference ?? '', created, ist.image?.metadata?.name ?? ''],
  };
}

/** The row of one ImageStreamImage (printImageStreamImage). */
export function imageStreamImageRow(isi: ImageStreamImage, now: Date): TableRow {
  const created = `${relativeTime(now, isi.metadata.creationTimestamp)} ago`;
  return {
    namespace: isi.metadata.namespace ?? '',
    cells: [isi.metadata.name, created, isi.image?.dockerImageReference ?? '', isi.image?.metadata?.name ?? ''],
  };
}

/**
 * Status tag names newest first (items[0].created rounded to the second), ties by name, tags
 * without items last (SortStatusTags). Duplicate entries collapse as in the API's map.
 */
export function sortStatusTags(tags: readonly NamedTagEventList[]): string[] {
  const byName = new Map<string, number>();
  for (const t of tags) {
    if (!t || typeof t.tag !== 'string') continue;
    const created = t.items?.[0]?.created;
    const ms = created ? Date.parse(created) : NaN;
    byName.set(t.tag, Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : Math.round(ms / 1000));
  }
  return [...byName.entries()]
    .sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name]) => name);
}

/**
 * As many tags as fit in `preferredWidth` (at least one; up to 125% when the rest would leave
 * over 25% unfilled), then ` + N more...` (printTagsUpToWidth).
 */
export function printTagsUpToWidth(statusTags: readonly NamedTagEventList[], preferredWidth: number): string {
  const all = sortStatusTags(statusTags);
  let tags = all;
  let remaining = preferredWidth;
  for (let i = 0; i < all.length; i++) {
    const len = Buffer.byteLength(all[i]);
    remaining -= len + 1;
    if (remaining >= 0) continue;
    if (i === 0) {
      tags = all.slice(0, 1);
      break;
    }
    const margin = Math.trunc(preferredWidth / 4);
    if (margin < remaining + len && margin >= -remaining) continue;
    tags = all.slice(0, i);
    break;
  }
  const hidden = all.length - tags.length;
  return hidden > 0 ? `${tags.join(',')} + ${hidden} more...` : tags.join(',');
}
