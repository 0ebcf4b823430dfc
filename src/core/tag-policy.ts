/**
 * `tag REGISTRY/REPO STREAM:TAG --policy …` and `set policy STREAM:TAG …`: a DockerImage spec
 * tag that follows a version policy. The policy is stored on the spec tag's annotations and
 * `from` names the tag it chose (`quay.io/org/app:1.2.5`), so the file stays an ImageStream that
 * `oc apply` accepts (a cluster just imports the pinned tag). Everything is validated, and the
 * repository evaluated, before anything is written.
 */
import { CommandError, NotFoundError, UsageError } from '../domain/errors.js';
import { applyCreateGenerations, applyUpdateGenerations, cloneJson } from '../domain/generations.js';
import { insertSorted, specTag } from '../domain/history.js';
import {
  readPolicyInput,
  withoutPolicyAnnotations,
  withPolicyAnnotations,
  writeFirstSeen,
  writeHeldBack,
} from '../domain/policy/annotations.js';
import { PolicyError, parsePolicy, type PolicyInput, type TagPolicy } from '../domain/policy/policy.js';
import {
  pullSpecDigest,
  pullSpecTag,
  pullSpecWithTag,
  readPullSpec,
  validPullSpec,
  type PullSpec,
} from '../domain/pullspec.js';
import type { ImageStream, TagReference } from '../domain/types.js';
import type { FileChange, Snapshot } from '../state/types.js';
import type { CoreContext, TagChange, TriggerReport } from './context.js';
import { newImageStream } from '../domain/imagestream.js';
import { recordImportResults } from './import-record.js';
import {
  applyPolicyEvaluation,
  evaluatePolicyTag,
  policyInputOf,
  type PolicyEvaluation,
  type PolicyReport,
  TagLister,
} from './policy-tags.js';
import { parseDestination, type TagDestination } from './tag-plan.js';

/** Flags of `tag --policy`. */
export interface PolicyTagOptions extends PolicyInput {
  args: string[];
  scheduled?: boolean;
  insecure?: boolean;
  referencePolicy?: string;
  importMode?: string;
  /** Flags `tag --policy` cannot be combined with, as given. */
  conflicting?: string[];
}

/** What `tag --policy` or `set policy` did, per destination. */
export interface PolicyTagResult {
  messages: string[];
  changes: FileChange[];
  tagChanges: TagChange[];
  triggers: TriggerReport[];
  reports: { dest: string; report: PolicyReport }[];
  importFailures: { dest: string; reason: string; message: string }[];
}

function policyOrUsage(input: PolicyInput): TagPolicy {
  try {
    return parsePolicy(input);
  } catch (e) {
    if (e instanceof PolicyError) throw new UsageError(e.message);
    throw e;
  }
}

function repositorySpec(source: string): PullSpec {
  const spec = readPullSpec(source);
  if (spec.transport === 'invalid') throw new UsageError(`invalid SOURCE: ${spec.error.reason}`);
  const tag = pullSpecTag(spec);
  const digest = pullSpecDigest(spec);
  if (tag || digest) {
    throw new UsageError(
      `--policy: SOURCE names the repository the policy picks a tag from; drop ${tag ? `":${tag}"` : `"@${digest}"`} from ${source}`,
    );
  }
  return spec;
}

function validateImportFlags(o: PolicyTagOptions): { referencePolicy: 'Source' | 'Local'; importMode: string } {
  const rp = o.referencePolicy ?? 'source';
  if (rp !== 'source' && rp !== 'local') throw new UsageError("reference policy must be set to 'source' or 'local'");
  if (o.importMode && o.importMode !== 'Legacy' && o.importMode !== 'PreserveOriginal') {
    throw new UsageError('valid ImportMode values are Legacy or PreserveOriginal');
  }
  return { referencePolicy: rp === 'local' ? 'Local' : 'Source', importMode: o.importMode || 'Legacy' };
}

/** Runs `tag SOURCE DEST… --policy …`. */
export async function tagWithPolicy(
  ctx: CoreContext,
  namespace: string,
  o: PolicyTagOptions,
  dryRun = false,
): Promise<PolicyTagResult> {
  if (o.conflicting?.length) {
    throw new UsageError(
      `--policy cannot be combined with ${o.conflicting.join(', ')}: a policy tag imports a container image`,
    );
  }
  const [source, ...destArgs] = o.args;
  if (!source) throw new UsageError('you must specify a source repository and at least one destination');
  if (destArgs.length === 0) throw new UsageError('at least a destination is required');
  const policy = policyOrUsage(o);
  const spec = repositorySpec(source);
  const flags = validateImportFlags(o);
  const dests = destArgs.map((d) => parseDestination(d, namespace, true));
  const input: PolicyInput = {
    policy: policy.policy,
    ...(o.tagFilter !== undefined ? { tagFilter: o.tagFilter } : {}),
    ...(o.tagExtract !== undefined ? { tagExtract: o.tagExtract } : {}),
    ...(policy.minAge !== undefined ? { minAge: policy.minAge } : {}),
  };
  const snap = await ctx.store.read(namespace);
  const lister = new TagLister(ctx.source);
  const evaluations: PolicyEvaluation[] = [];
  for (const dest of dests) {
    const stream = snap.find<ImageStream>('ImageStream', dest.namespace, dest.stream)?.object;
    const ref = newPolicyRef(dest.tag, spec, input, o, flags);
    const existing = stream ? specTag(stream, dest.tag) : undefined;
    // An existing tag of the same repository keeps its image and first-seen records: --min-age applies.
    const same = existing?.from?.kind === 'DockerImage' && sameRepository(existing.from.name, spec);
    const evalInput = stream
      ? policyInputOf(
          dest.namespace,
          stream,
          same ? { ...ref, from: { kind: 'DockerImage', name: existing!.from!.name } } : ref,
        )
      : { namespace: dest.namespace, stream: dest.stream, ref, firstSeen: {} };
    if (!same) {
      delete evalInput.currentImage;
      evalInput.firstSeen = {};
    }
    const e = await evaluatePolicyTag(ctx.source, lister, evalInput, ctx.now, policy);
    if (e.failure && !existing) {
      // Nothing to pin `from` to: refuse, writing nothing.
      throw new CommandError(`cannot tag ${dest.stream}:${dest.tag}: ${e.failure.message}`);
    }
    evaluations.push(e);
  }
  const out: PolicyTagResult = {
    messages: [],
    changes: [],
    tagChanges: [],
    triggers: [],
    reports: [],
    importFailures: [],
  };
  for (let i = 0; i < dests.length; i++) {
    const dest = dests[i];
    const e = evaluations[i];
    const { result, changes } = await ctx.store.update(namespace, (s) => writePolicyTag(ctx, s, dest, e, spec, input), {
      dryRun,
    });
    out.changes.push(...changes);
    out.tagChanges.push(...result.tagChanges);
    out.triggers.push(result.triggers);
    const name = `${dest.stream}:${dest.tag}`;
    out.reports.push({ dest: name, report: e.report });
    const where = dest.namespace === namespace ? name : `${dest.namespace}/${name}`;
    out.messages.push(
      e.report.chosen
        ? `Tag ${where} set to ${pullSpecWithTag(spec, e.report.chosen)} (${policy.policy} picked ${e.report.chosen}).`
        : `Tag ${where} follows ${policy.policy}.`,
    );
    const failure = e.failure ?? (e.chosen && !e.chosen.answer.ok ? e.chosen.answer : undefined);
    if (failure) out.importFailures.push({ dest: name, reason: failure.reason, message: failure.message });
  }
  return out;
}

function sameRepository(from: string, spec: PullSpec): boolean {
  const other = readPullSpec(from);
  return other.transport !== 'invalid' && pullSpecWithTag(other, 'x') === pullSpecWithTag(spec, 'x');
}

function newPolicyRef(
  tag: string,
  spec: PullSpec,
  input: PolicyInput,
  o: PolicyTagOptions,
  flags: { referencePolicy: string; importMode: string },
): TagReference {
  return {
    name: tag,
    annotations: withPolicyAnnotations(null, input),
    from: { kind: 'DockerImage', name: spec.raw },
    generation: 0,
    importPolicy: {
      ...(o.insecure ? { insecure: true } : {}),
      ...(o.scheduled ? { scheduled: true } : {}),
      importMode: flags.importMode,
    },
    referencePolicy: { type: flags.referencePolicy },
  };
}

function writePolicyTag(
  ctx: CoreContext,
  snap: Snapshot,
  dest: TagDestination,
  e: PolicyEvaluation,
  spec: PullSpec,
  input: PolicyInput,
) {
  let stored = snap.find<ImageStream>('ImageStream', dest.namespace, dest.stream);
  const created = !stored;
  if (!stored)
    stored = snap.add(
      newImageStream(dest.stream, dest.namespace, { now: ctx.now(), internalRegistry: ctx.settings.internalRegistry }),
      dest.namespace,
    );
  const s = stored.object;
  const original = cloneJson(s);
  const old = specTag(s, dest.tag);
  const from = e.chosen?.from ?? (old?.from?.kind === 'DockerImage' ? old.from.name : spec.raw);
  const next: TagReference = {
    ...cloneJson(e.input.ref),
    annotations: withPolicyAnnotations(old?.annotations, input),
    from: { kind: 'DockerImage', name: from },
  };
  putSpecTag(s, next);
  if (created) applyCreateGenerations(s);
  else applyUpdateGenerations(original, s, dest.namespace);
  const evaluated: PolicyEvaluation = { ...e, input: { ...e.input, ref: cloneJson(specTag(s, dest.tag)!) } };
  const r = applyPolicyEvaluation(s, dest.namespace, evaluated);
  const tagChanges = r
    ? recordImportResults(s, dest.namespace, [r], ctx.now(), false, ctx.settings.internalRegistry)
    : [];
  return { tagChanges, triggers: ctx.triggers.apply(snap, tagChanges, ctx.settings) };
}

/** Replaces the spec tag in place (keeping its position and key order) or inserts it sorted. */
function putSpecTag(s: ImageStream, next: TagReference): void {
  s.spec ??= {};
  s.spec.tags ??= [];
  const cur = s.spec.tags.find((t) => t.name === next.name);
  if (!cur) {
    insertSorted(s.spec.tags, next, (t) => t.name);
    return;
  }
  const target = cur as Record<string, unknown>;
  for (const k of Object.keys(target)) if (!(k in next)) delete target[k];
  for (const [k, v] of Object.entries(next)) {
    if (JSON.stringify(target[k]) !== JSON.stringify(v)) target[k] = cloneJson(v);
  }
}

/** Flags of `set policy`. */
export interface SetPolicyOptions extends Partial<PolicyInput> {
  target: string;
  remove?: boolean;
}

/**
 * `set policy STREAM:TAG --policy … | --remove`: changes the policy of an existing DockerImage
 * tag and evaluates it at once (min-age counts from the records kept so far); `--remove` drops
 * the policy and its records, leaving `from` pinned where it is.
 */
export async function setPolicy(
  ctx: CoreContext,
  namespace: string,
  o: SetPolicyOptions,
  dryRun = false,
): Promise<PolicyTagResult> {
  const dest = parseDestination(o.target, namespace, true);
  if (
    o.remove &&
    (o.policy !== undefined || o.tagFilter !== undefined || o.tagExtract !== undefined || o.minAge !== undefined)
  ) {
    throw new UsageError('--remove takes no other policy flag');
  }
  const snap = await ctx.store.read(namespace);
  const stream = snap.find<ImageStream>('ImageStream', dest.namespace, dest.stream)?.object;
  const name = `${dest.stream}:${dest.tag}`;
  const ref = stream ? specTag(stream, dest.tag) : undefined;
  if (!stream || !ref) throw new NotFoundError('imagestreamtags.image.openshift.io', name);
  if (ref.from?.kind !== 'DockerImage' || ref.reference) {
    throw new UsageError(
      `${name} does not import a container image (from.kind ${ref.from?.kind ?? 'none'}): only DockerImage tags can follow a policy`,
    );
  }
  const out: PolicyTagResult = {
    messages: [],
    changes: [],
    tagChanges: [],
    triggers: [],
    reports: [],
    importFailures: [],
  };
  if (o.remove) {
    if (!readPolicyInput(ref.annotations)) throw new UsageError(`${name} follows no policy`);
    const { changes } = await ctx.store.update(
      namespace,
      (s) => {
        const st = s.find<ImageStream>('ImageStream', dest.namespace, dest.stream)?.object;
        const t = st ? specTag(st, dest.tag) : undefined;
        if (!st || !t) throw new NotFoundError('imagestreamtags.image.openshift.io', name);
        const original = cloneJson(st);
        const rest = withoutPolicyAnnotations(t.annotations);
        t.annotations = rest ?? null;
        applyUpdateGenerations(original, st, dest.namespace);
        if (st.metadata.annotations) {
          writeFirstSeen(st.metadata.annotations, dest.tag, {});
          writeHeldBack(st.metadata.annotations, dest.tag, undefined);
          if (Object.keys(st.metadata.annotations).length === 0) delete st.metadata.annotations;
        }
      },
      { dryRun },
    );
    out.changes.push(...changes);
    out.messages.push(`Tag ${name} no longer follows a policy; it stays at ${ref.from.name}.`);
    return out;
  }
  const previous = readPolicyInput(ref.annotations);
  const policyText = o.policy ?? previous?.policy;
  if (policyText === undefined) throw new UsageError('--policy is required: the tag follows no policy yet');
  const input: PolicyInput = { policy: policyText };
  // Flags not given keep their current value when only some are changed.
  const keep = <K extends 'tagFilter' | 'tagExtract' | 'minAge'>(k: K) => (o[k] !== undefined ? o[k] : previous?.[k]);
  for (const k of ['tagFilter', 'tagExtract', 'minAge'] as const) {
    const v = keep(k);
    if (v !== undefined && v !== '') input[k] = v;
  }
  const policy = policyOrUsage(input);
  input.policy = policy.policy;
  const spec = validPullSpec(readPullSpec(ref.from.name));
  const evalRef: TagReference = { ...cloneJson(ref), annotations: withPolicyAnnotations(ref.annotations, input) };
  const e = await evaluatePolicyTag(
    ctx.source,
    new TagLister(ctx.source),
    policyInputOf(dest.namespace, stream, evalRef),
    ctx.now,
    policy,
  );
  const { result, changes } = await ctx.store.update(
    namespace,
    (s) => {
      const st = s.find<ImageStream>('ImageStream', dest.namespace, dest.stream)?.object;
      if (!st || !specTag(st, dest.tag)) throw new NotFoundError('imagestreamtags.image.openshift.io', name);
      return writePolicyTag(
        ctx,
        s,
        dest,
        { ...e, input: { ...e.input, ref: { ...evalRef, from: { kind: 'DockerImage', name: ref.from!.name } } } },
        spec,
        input,
      );
    },
    { dryRun },
  );
  out.changes.push(...changes);
  out.tagChanges.push(...result.tagChanges);
  out.triggers.push(result.triggers);
  out.reports.push({ dest: name, report: e.report });
  out.messages.push(
    e.report.chosen
      ? `Tag ${name} follows ${policy.policy}: ${e.report.chosen}.`
      : `Tag ${name} follows ${policy.policy}.`,
  );
  const failure = e.failure ?? (e.chosen && !e.chosen.answer.ok ? e.chosen.answer : undefined);
  if (failure) out.importFailures.push({ dest: name, reason: failure.reason, message: failure.message });
  return out;
}
