/**
 * `oc describe is` (openshift/oc describer.go DescribeImageStream and helpers.go
 * formatImageStreamTags / latestObservedTagGeneration), byte for byte.
 */
import { followTagReference } from '../domain/imagestream.js';
import { pullSpecTag, readPullSpec, tagSource } from '../domain/pullspec.js';
import { prioritizeTags } from '../domain/tag-order.js';
import { readHeldBack, readPolicyInput } from '../domain/policy/annotations.js';
import { formatDuration } from '../core/policy-tags.js';
import type { ImageStream, NamedTagEventList, TagReference } from '../domain/types.js';
import { relativeTime } from './humanize.js';
import { tabbedString, type DescribeWriter } from './describe-format.js';
import { redactUserInfo } from '../domain/reference.js';
import { escapeLine } from '../domain/escape.js';
import type { ImageProvenance } from '../registry/types.js';

/** The `describe is` text of one stream (ends in `\n`). */
export function describeImageStream(
  stream: ImageStream,
  now: Date,
  provenance?: ReadonlyMap<string, ImageProvenance>,
): string {
  return tabbedString(now, (out) => {
    out.formatMeta(stream.metadata);
    const status = stream.status ?? {};
    out.formatString('Image Repository', status.publicDockerImageRepository || status.dockerImageRepository || '');
    out.formatString('Image Lookup', `local=${stream.spec?.lookupPolicy?.local === true}`);
    formatImageStreamTags(out, stream, provenance);
  });
}

// library-go StatusHasTag / SpecHasTag: the first entry with that name.
function statusHasTag(stream: ImageStream, tag: string): NamedTagEventList | undefined {
  return (stream.status?.tags ?? []).find((t) => t?.tag === tag);
}
function specHasTag(stream: ImageStream, tag: string): TagReference | undefined {
  return (stream.spec?.tags ?? []).find((t) => t?.name === tag);
}

// "Unique Images" counts image IDs, plus one bucket ("") when any event has only a reference
// (a quirk of the Go code: such items are stored under images[item.Image] with an empty key).
function uniqueImageCount(stream: ImageStream): number {
  const images = new Set<string>();
  for (const tag of stream.status?.tags ?? []) {
    for (const item of tag?.items ?? []) {
      if (item.image) images.add(item.image);
      else if (item.dockerImageReference && !images.has(item.dockerImageReference)) images.add('');
    }
  }
  return images.size;
}

/** Spec-tag aliases to tags of the same stream, keyed by the tag they lead to (FollowTagReference). */
function aliasesOf(stream: ImageStream): { local: Set<string>; byTarget: Map<string, string[]> } {
  const local = new Set<string>();
  const byTarget = new Map<string, string[]>();
  for (const tag of stream.spec?.tags ?? []) {
    const r = followTagReference(stream, tag.name);
    if (r.problem || !r.multiple) continue;
    local.add(tag.name);
    const list = byTarget.get(r.finalTag) ?? [];
    if (!list.includes(tag.name)) list.push(tag.name);
    byTarget.set(r.finalTag, list);
  }
  return { local, byTarget };
}

function formatImageStreamTags(
  out: DescribeWriter,
  stream: ImageStream,
  provenance?: ReadonlyMap<string, ImageProvenance>,
): void {
  const statusTags = stream.status?.tags ?? [];
  const specTags = stream.spec?.tags ?? [];
  if (statusTags.length === 0 && specTags.length === 0) {
    out.write('Tags:\t<none>\n');
    return;
  }
  const sorted: string[] = statusTags.map((t) => t.tag);
  for (const tag of specTags) if (!statusHasTag(stream, tag.name)) sorted.push(tag.name);
  const { local, byTarget } = aliasesOf(stream);
  out.write(`Unique Images:\t${uniqueImageCount(stream)}\nTags:\t${sorted.length}\n\n`);
  let first = true;
  for (const tag of prioritizeTags(sorted)) {
    if (local.has(tag)) continue;
    if (!first) out.write('\n');
    first = false;
    formatTagBlock(out, stream, tag, byTarget.get(tag), provenance);
  }
}

function formatTagBlock(
  out: DescribeWriter,
  stream: ImageStream,
  tag: string,
  aliases: string[] | undefined,
  provenance?: ReadonlyMap<string, ImageProvenance>,
): void {
  const list = statusHasTag(stream, tag);
  const ref = specHasTag(stream, tag);
  let name = '';
  let scheduled = false;
  let insecure = false;
  let importing = false;
  if (ref?.from) {
    const ns = ref.from.namespace ?? '';
    name = ns && ns !== (stream.metadata.namespace ?? '') ? `${ns}/${ref.from.name}` : ref.from.name;
    // A hand-written from.name may carry user:password@: describe never shows it.
    name = redactUserInfo(name);
    scheduled = ref.importPolicy?.scheduled === true;
    insecure = ref.importPolicy?.insecure === true;
    const gen = latestObservedTagGeneration(list);
    importing = !ref.reference && typeof ref.generation === 'number' && ref.generation > gen;
  }
  out.write(aliases && aliases.length > 0 ? `${tag} (${prioritizeTags(aliases).join(', ')})\n` : `${tag}\n`);
  out.write(sourceLine(ref, name, scheduled));
  if (insecure) out.write('    will use insecure HTTPS or HTTP connections\n');
  if (ref?.referencePolicy?.type === 'Local') out.write('    prefer registry pullthrough when referencing this tag\n');
  out.write('\n');
  formatTagAnnotations(out, ref?.annotations ?? {});
  formatPolicy(out, stream, ref);
  if (importing) out.write('  ~ importing latest image ...\n');
  for (const c of list?.conditions ?? []) {
    if (c.type === 'ImportSuccess' && c.status === 'False') {
      out.write(
        `  ! error: Import failed (${c.reason ?? ''}): ${c.message ?? ''}\n      ${relativeTime(out.now, c.lastTransitionTime)} ago\n`,
      );
    }
  }
  (list?.items ?? []).forEach((event, i) => {
    out.write(i === 0 ? `  * ${event.dockerImageReference}\n` : `    ${event.dockerImageReference}\n`);
    const age = `      ${relativeTime(out.now, event.created)} ago`;
    const id = event.image;
    out.write(id && parsedIdDiffers(event.dockerImageReference, id) ? `${age}\t${id}\n` : `${age}\n`);
    // isctl's own lines for the current image: the mirror that served it, who signed it.
    const p = i === 0 && id ? provenance?.get(id) : undefined;
    if (p?.mirror) out.write(`      pulled from mirror ${escapeLine(p.mirror)}\n`);
    for (const s of p?.signature?.signers ?? []) out.write(`      signed by ${escapeLine(s)}\n`);
  });
}

/**
 * isctl extension: under a policy tag, the policy, the version chosen (the tag from.name names)
 * and the newest candidate held back with its reason.
 */
function formatPolicy(out: DescribeWriter, stream: ImageStream, ref: TagReference | undefined): void {
  const input = readPolicyInput(ref?.annotations);
  if (!ref || !input) return;
  const extras = [
    input.tagFilter !== undefined ? `--tag-filter ${JSON.stringify(input.tagFilter)}` : '',
    input.tagExtract !== undefined ? `--tag-extract ${JSON.stringify(input.tagExtract)}` : '',
    input.minAge !== undefined ? `--min-age ${input.minAge}` : '',
  ].filter(Boolean);
  out.write(`  policy:\t${input.policy}${extras.length ? ` (${extras.join(', ')})` : ''}\n`);
  const source = tagSource(ref);
  const chosen = source && source.transport !== 'invalid' ? pullSpecTag(source) : '';
  out.write(`  chosen:\t${chosen || '<none>'}\n`);
  const held = readHeldBack(stream.metadata.annotations, ref.name);
  if (held) {
    let why = held.reason === 'MinAge' ? held.message : `${held.reason}: ${held.message}`;
    if (held.until) {
      const left = Date.parse(held.until) - out.now.getTime();
      why += left > 0 ? ` (${formatDuration(left)} remaining)` : ' (cooldown over: taken on the next refresh)';
    }
    out.write(`  held back:\t${held.tag}: ${why}\n`);
  }
}

function sourceLine(ref: TagReference | undefined, name: string, scheduled: boolean): string {
  if (!ref) return '  no spec tag\n';
  if (!ref.from) return '  tag without source image\n';
  const kind = ref.from.kind;
  if (kind === 'ImageStreamTag') {
    if (ref.reference) return `  reference to ${name}\n`;
    return scheduled ? `  updates automatically from ${name}\n` : `  tagged from ${name}\n`;
  }
  if (kind === 'DockerImage') {
    if (ref.reference) return `  reference to registry ${name}\n`;
    return scheduled ? `  updates automatically from registry ${name}\n` : `  tagged from ${name}\n`;
  }
  if (kind === 'ImageStreamImage') return ref.reference ? `  reference to image ${name}\n` : `  tagged from ${name}\n`;
  return ref.reference ? `  reference to ${kind} ${name}\n` : `  updates from ${kind} ${name}\n`;
}

function formatTagAnnotations(out: DescribeWriter, a: Record<string, string>): void {
  let extra = false;
  const line = (s: string) => {
    out.write(`  ${s}\n`);
    extra = true;
  };
  if (a.description) line(a.description);
  if (a.tags) line(`Tags: ${a.tags.split(',').join(', ')}`);
  if (a.supports) line(`Supports: ${a.supports.split(',').join(', ')}`);
  if (a.sampleRepo) line(`Example Repo: ${a.sampleRepo}`);
  if (extra) out.write('\n');
}

// The ID is printed only when the reference does not already end in it (tag-form references).
function parsedIdDiffers(ref: string, id: string): boolean {
  const spec = readPullSpec(ref);
  return spec.transport === 'docker' && spec.ref.id !== id;
}

/** The generation the importer last acted on: max(items[0].generation, first ImportSuccess condition's). */
export function latestObservedTagGeneration(list: NamedTagEventList | undefined): number {
  if (!list) return 0;
  let last = 0;
  const first = list.items?.[0];
  if (first && first.generation > last) last = first.generation;
  const cond = (list.conditions ?? []).find((c) => c.type === 'ImportSuccess');
  if (cond && cond.generation > last) last = cond.generation;
  return last;
}
