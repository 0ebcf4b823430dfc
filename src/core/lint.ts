/**
 * `isctl lint`: digests pinned in the folder that no stream tag records. Pinning one platform's
 * image of a manifest list by mistake is the digest-pinning error users report most
 * (renovate#8427, dependabot-core#8609): the workload then runs on one architecture only and
 * never follows the list. Every container image of a workload and every marker value that names
 * a `sha256:` digest is checked against the images the folder's streams record, and against the
 * children of the manifest lists they recorded with PreserveOriginal (read from the blob store).
 */
import { getPodSpec, allContainers } from '../domain/triggers/podspec.js';
import type { ImageStream } from '../domain/types.js';
import type { Snapshot } from '../state/types.js';
import type { CoreContext } from './context.js';

/** One finding of lint. */
export interface LintFinding {
  /** `file` or `file:line` (markers). */
  place: string;
  /** `deployment/web container "web"` or `marker "app:stable"`. */
  what: string;
  digest: string;
  problem: 'ChildOfManifestList' | 'UnknownDigest';
  message: string;
}

const DIGEST = /sha256:[a-f0-9]{64}/;

interface Recorded {
  /** digest → `namespace/stream:tag` that records it as its image. */
  images: Map<string, string>;
  /** child digest → the list digest, its platform and the stream tag. */
  children: Map<string, { list: string; platform: string; tag: string }>;
}

/** Digests the streams record as a tag's image, and for which stream tag. */
function recordedImages(snapshot: Snapshot): Map<string, string> {
  const images = new Map<string, string>();
  for (const s of snapshot.list<ImageStream>('ImageStream'))
    for (const t of s.current.status?.tags ?? [])
      for (const item of t.items ?? [])
        if (item.image && !images.has(item.image)) images.set(item.image, `${s.namespace}/${s.name}:${t.tag}`);
  return images;
}

/**
 * The children of the manifest lists kept whole (PreserveOriginal) by the streams' tags: read from
 * the blob store, and only when something pins a digest no stream records, so a folder without
 * such pins costs no read.
 */
async function recorded(ctx: CoreContext, snapshot: Snapshot, pinned: Iterable<string>): Promise<Recorded> {
  const images = recordedImages(snapshot);
  const children = new Map<string, { list: string; platform: string; tag: string }>();
  if (![...pinned].some((d) => !images.has(d))) return { images, children };
  for (const s of snapshot.list<ImageStream>('ImageStream')) {
    const preserved = new Set(
      (s.current.spec?.tags ?? []).filter((t) => t.importPolicy?.importMode === 'PreserveOriginal').map((t) => t.name),
    );
    for (const t of s.current.status?.tags ?? []) {
      if (!preserved.has(t.tag)) continue;
      for (const item of t.items ?? [])
        await addChildren(ctx, item.image, `${s.namespace}/${s.name}:${t.tag}`, children);
    }
  }
  return { images, children };
}

async function addChildren(
  ctx: CoreContext,
  digest: string | undefined,
  tag: string,
  children: Recorded['children'],
): Promise<void> {
  if (!digest) return;
  const bytes = await ctx.store.blobs.get(digest).catch(() => undefined);
  if (!bytes) return;
  let doc: { manifests?: { digest?: string; platform?: { os?: string; architecture?: string; variant?: string } }[] };
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return;
  }
  for (const m of doc.manifests ?? []) {
    if (!m.digest || children.has(m.digest)) continue;
    const p = m.platform;
    const platform = p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown platform';
    children.set(m.digest, { list: digest, platform, tag });
  }
}

function check(rec: Recorded, place: string, what: string, value: string): LintFinding | undefined {
  const digest = DIGEST.exec(value)?.[0];
  if (!digest || rec.images.has(digest)) return undefined;
  const child = rec.children.get(digest);
  if (child)
    return {
      place,
      what,
      digest,
      problem: 'ChildOfManifestList',
      message:
        `pins ${digest}, the ${child.platform} image of the manifest list ${child.list} that ${child.tag} records; ` +
        `pin the list's digest (or follow the tag) so every platform gets its image`,
    };
  return {
    place,
    what,
    digest,
    problem: 'UnknownDigest',
    message: `pins ${digest}, which no image stream tag in the folder records`,
  };
}

/** The findings of the folder (one namespace, or every namespace with `allNamespaces`). */
export async function lintFolder(
  ctx: CoreContext,
  input: { allNamespaces?: boolean },
): Promise<{ findings: LintFinding[]; problems: Snapshot['problems'] }> {
  const snapshot = await ctx.store.read(ctx.namespace);
  const findings = await lintSnapshot(ctx, snapshot, input.allNamespaces ? undefined : ctx.namespace);
  return { findings, problems: snapshot.problems };
}

interface Pin {
  place: string;
  what: string;
  value: string;
}

function pins(snapshot: Snapshot, namespace: string | undefined, skipMarkers: ReadonlySet<string>): Pin[] {
  const out: Pin[] = [];
  // An ImageStream has no pod spec: its files need not be parsed to find the pins.
  for (const o of snapshot.objectsExcept('ImageStream')) {
    if (namespace !== undefined && o.namespace !== namespace) continue;
    const spec = getPodSpec(o.current, o.kind);
    if (!spec) continue;
    for (const { container } of allContainers(spec))
      if (typeof container.image === 'string' && DIGEST.test(container.image))
        out.push({
          place: o.location?.file ?? '',
          what: `${o.kind.toLowerCase()}/${o.name} container "${container.name ?? ''}"`,
          value: container.image,
        });
  }
  for (const m of snapshot.markers) {
    const place = `${m.file}:${m.line}`;
    if ((namespace !== undefined && m.namespace !== namespace) || skipMarkers.has(place) || !DIGEST.test(m.current))
      continue;
    out.push({ place, what: `marker "${m.raw ?? ''}"`, value: m.current });
  }
  return out;
}

/**
 * The findings of a snapshot; `skipMarkers` (`file:line`) are markers this run set from a stream
 * (their loaded value is stale). `refresh` runs it in its transaction and prints them as warnings.
 */
export async function lintSnapshot(
  ctx: CoreContext,
  snapshot: Snapshot,
  namespace: string | undefined,
  skipMarkers: ReadonlySet<string> = new Set(),
): Promise<LintFinding[]> {
  const list = pins(snapshot, namespace, skipMarkers);
  // Nothing pinned: no finding, and no need to gather every stream's recorded digests.
  if (list.length === 0) return [];
  const rec = await recorded(
    ctx,
    snapshot,
    list.map((p) => DIGEST.exec(p.value)![0]),
  );
  return list.map((p) => check(rec, p.place, p.what, p.value)).filter((f): f is LintFinding => f !== undefined);
}
