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

async function recorded(ctx: CoreContext, snapshot: Snapshot): Promise<Recorded> {
  const images = new Map<string, string>();
  for (const s of snapshot.list<ImageStream>('ImageStream'))
    for (const t of s.object.status?.tags ?? [])
      for (const item of t.items ?? [])
        if (item.image && !images.has(item.image)) images.set(item.image, `${s.namespace}/${s.name}:${t.tag}`);
  const children = new Map<string, { list: string; platform: string; tag: string }>();
  for (const [digest, tag] of images) {
    const bytes = await ctx.store.blobs.get(digest).catch(() => undefined);
    if (!bytes) continue;
    let doc: { manifests?: { digest?: string; platform?: { os?: string; architecture?: string; variant?: string } }[] };
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      continue;
    }
    for (const m of doc.manifests ?? []) {
      if (!m.digest) continue;
      const p = m.platform;
      const platform = p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown platform';
      children.set(m.digest, { list: digest, platform, tag });
    }
  }
  return { images, children };
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
  const rec = await recorded(ctx, snapshot);
  return {
    findings: lintSnapshot(snapshot, rec, input.allNamespaces ? undefined : ctx.namespace),
    problems: snapshot.problems,
  };
}

function lintSnapshot(snapshot: Snapshot, rec: Recorded, namespace: string | undefined): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const o of snapshot.objects) {
    if (namespace !== undefined && o.namespace !== namespace) continue;
    const spec = getPodSpec(o.object, o.kind);
    if (!spec) continue;
    const file = o.location?.file ?? '';
    for (const { container } of allContainers(spec)) {
      if (typeof container.image !== 'string') continue;
      const f = check(
        rec,
        file,
        `${o.kind.toLowerCase()}/${o.name} container "${container.name ?? ''}"`,
        container.image,
      );
      if (f) findings.push(f);
    }
  }
  for (const m of snapshot.markers) {
    if (namespace !== undefined && m.namespace !== namespace) continue;
    const f = check(rec, `${m.file}:${m.line}`, `marker "${m.raw ?? ''}"`, m.current);
    if (f) findings.push(f);
  }
  return findings;
}
