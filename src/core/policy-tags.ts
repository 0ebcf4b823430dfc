/**
 * Policy tags: a spec tag whose annotations carry a version policy (src/domain/policy) follows
 * the best tag of its repository. Evaluation lists each repository's tags once per run, ranks
 * them, and walks the ranking from the best candidate, resolving one candidate at a time (a HEAD
 * when its digest is already known), until one qualifies:
 *
 * - the tag the spec names now, with the image it already records (staying costs nothing);
 * - any candidate when the policy has no `--min-age`, or when the tag has no image yet (a first
 *   resolution is the user's own choice, made by `tag --policy` at that moment);
 * - a candidate whose digest isctl first saw at least `--min-age` ago.
 *
 * The walk never goes below the tag the spec names now: a cooldown holds a tag where it is, it
 * never moves it back. Candidates passed over are "held back", the best of them is reported with
 * its reason. Recording (inside the transaction) moves `from.name` to the chosen tag as `oc tag`
 * would and imports it; the first-seen records live in the stream's metadata annotations.
 */
import { isTagName, registryLocation } from '../domain/reference.js';
import { rfc3339 } from '../domain/time.js';
import { applyUpdateGenerations, cloneJson } from '../domain/generations.js';
import { currentEvent, specTag } from '../domain/history.js';
import {
  ANNOTATION_POLICY,
  type FirstSeen,
  type HeldBack,
  readFirstSeen,
  readPolicyInput,
  writeFirstSeen,
  writeHeldBack,
} from '../domain/policy/annotations.js';
import { describePolicy, PolicyError, parsePolicy, rankTags, type TagPolicy } from '../domain/policy/policy.js';
import { pullSpecTag, pullSpecWithTag, readPullSpec, type PullSpec } from '../domain/pullspec.js';
import type { ImageStream, TagReference } from '../domain/types.js';
import type { ImageSource } from '../registry/types.js';
import type { TagImportResult } from './import-record.js';
import { failureOf, resolveOne, type ResolveAnswer } from './resolve-tags.js';

/** How far down the ranking one evaluation resolves candidates before it stops looking. */
export const MAX_CANDIDATES_WALKED = 20;

/** Reason codes of refresh outcomes (README "Refresh outcomes"). */
export type OutcomeReason =
  | 'Updated'
  | 'Unchanged'
  | 'HeldBack'
  | 'NoMatchingTag'
  | 'Filtered'
  | 'NotNumeric'
  | 'InvalidPolicy'
  | 'NotFound'
  | 'Unauthorized'
  | 'RateLimited'
  | 'SignatureRejected'
  | 'PlatformMissing'
  | 'Invalid'
  | 'Failed';

/** The outcome code for an import failure reason (ImportSuccess=False condition reasons). */
export function outcomeForFailure(reason: string): OutcomeReason {
  switch (reason) {
    case 'NotFound':
    case 'NoMatchingTag':
    case 'Filtered':
    case 'NotNumeric':
    case 'InvalidPolicy':
    case 'PlatformMissing':
    case 'Invalid':
    case 'SignatureRejected':
      return reason;
    case 'Unauthorized':
    case 'Forbidden':
      return 'Unauthorized';
    case 'TooManyRequests':
    case 'RateLimited':
      return 'RateLimited';
    default:
      return 'Failed';
  }
}

/** A policy tag to evaluate, as the spec holds it at evaluation time. */
export interface PolicyTagInput {
  namespace: string;
  stream: string;
  ref: TagReference;
  /** status.tags[tag].items[0].image, when the tag has one. */
  currentImage?: string;
  /** First-seen records of this tag (from the stream's metadata). */
  firstSeen: Record<string, FirstSeen>;
}

/** What the policy says about the repository, for outcomes, `describe` and the status page. */
export interface PolicyReport {
  policy: string;
  /** The tag `from` names after this evaluation. */
  chosen?: string;
  /** The tag `from` named before. */
  previous?: string;
  heldBack?: HeldBack & { minAgeRemaining?: string; minAgeRemainingSeconds?: number };
}

/** The evaluation of one policy tag. */
export interface PolicyEvaluation {
  input: PolicyTagInput;
  report: PolicyReport;
  /** The pull spec `from.name` must name, and the answer of resolving it (undefined: nothing to import). */
  chosen?: { tag: string; from: string; answer: ResolveAnswer };
  /**
   * The evaluation failed as a whole: recorded as ImportSuccess=False with `reason`, history kept;
   * `code` is the refresh outcome (`Filtered` when --tag-filter matched nothing, recorded as NoMatchingTag).
   */
  failure?: { reason: string; message: string; code?: OutcomeReason };
  /** First-seen records to keep. */
  firstSeen: Record<string, FirstSeen>;
}

/** True when a spec tag carries a policy. */
export function isPolicyTag(ref: TagReference | undefined): boolean {
  return typeof ref?.annotations?.[ANNOTATION_POLICY] === 'string' && ref.from?.kind === 'DockerImage';
}

/** Formats milliseconds, rounded up to whole seconds, as Go's time.Duration String does (`1h0m0s`, `59m59s`, `5s`). */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * Lists tags once per repository per run: every policy tag, and every stream importing the whole
 * repository (spec.dockerImageRepository), of one repository shares the answer. The key is the
 * repository as the registry is asked for it (`nginx`, `docker.io/nginx` and
 * `docker.io/library/nginx` are one repository).
 */
export class TagLister {
  private readonly lists = new Map<string, Promise<string[]>>();
  constructor(private readonly source: ImageSource) {}
  list(spec: PullSpec, insecure: boolean): Promise<string[]> {
    const where =
      spec.transport === 'docker'
        ? (({ host, repository }) => `${host}/${repository}`)(registryLocation(spec.ref))
        : pullSpecWithTag(spec, 'x');
    const key = `${insecure ? 'insecure ' : ''}${spec.transport} ${where}`;
    let p = this.lists.get(key);
    if (!p) this.lists.set(key, (p = this.source.listTags(spec, { insecure })));
    return p;
  }
}

/** Reads and validates the policy of a spec tag; a hand-edited annotation that no longer parses fails the tag. */
export function policyOf(ref: TagReference): { policy?: TagPolicy; error?: string } {
  const input = readPolicyInput(ref.annotations);
  if (!input) return {};
  try {
    return { policy: parsePolicy(input) };
  } catch (e) {
    if (e instanceof PolicyError) {
      return {
        error: `the policy annotations of tag ${ref.name} are invalid: ${e.message.replace(/^--([a-z-]+)/, 'isctl.io/$1')}`,
      };
    }
    throw e;
  }
}

/** Evaluates one policy tag against its repository (registry I/O, no writes). */
export async function evaluatePolicyTag(
  source: ImageSource,
  lister: TagLister,
  input: PolicyTagInput,
  now: () => Date,
  given?: TagPolicy,
): Promise<PolicyEvaluation> {
  const ref = input.ref;
  const from = ref.from?.name ?? '';
  const parsed = given ? { policy: given } : policyOf(ref);
  const report: PolicyReport = { policy: ref.annotations?.[ANNOTATION_POLICY] ?? '' };
  const base = { input, report, firstSeen: input.firstSeen };
  if (!parsed.policy) return { ...base, failure: { reason: 'InvalidPolicy', message: parsed.error ?? 'no policy' } };
  const policy = parsed.policy;
  report.policy = policy.policy;
  const spec = readPullSpec(from);
  if (spec.transport === 'invalid') return { ...base, failure: { reason: 'Invalid', message: spec.error.message } };
  const currentTag = pullSpecTag(spec) || undefined;
  if (currentTag) report.previous = currentTag;
  const insecure = Boolean(ref.importPolicy?.insecure);
  let tags: string[];
  try {
    tags = await lister.list(spec, insecure);
  } catch (e) {
    return { ...base, failure: failureOf(e, spec) };
  }
  // A name that is not a valid tag cannot be pulled by tag: a registry listing one is ignored.
  const ranking = rankTags(policy, tags.filter(isTagName));
  if (ranking.failure) {
    const reason = ranking.failure.reason === 'NotNumeric' ? 'NotNumeric' : 'NoMatchingTag';
    const message = `${ranking.failure.message} (${describePolicy(policy)} over ${pullSpecWithTag(spec, '…').replace(/:\u2026$/, '')})`;
    return { ...base, failure: { reason, message, code: ranking.failure.reason } };
  }
  const firstSeen: Record<string, FirstSeen> = {};
  const time = now();
  const hasImage = Boolean(input.currentImage);
  let held: PolicyReport['heldBack'];
  let chosen: PolicyEvaluation['chosen'];
  let firstFailure: { reason: string; message: string } | undefined;
  const candidates = ranking.candidates.slice(0, MAX_CANDIDATES_WALKED);
  for (const c of candidates) {
    const candFrom = pullSpecWithTag(spec, c.tag);
    const isCurrent = c.tag === currentTag;
    const known = isCurrent ? input.currentImage : input.firstSeen[c.tag]?.digest;
    const answer = await resolveOne(source, {
      source: readPullSpec(candFrom),
      importPolicy: ref.importPolicy ?? {},
      annotations: ref.annotations,
      ...(known ? { unchangedIf: known } : { cold: true }),
    });
    if (!answer.ok) {
      if (isCurrent) {
        // The tag it names now fails: record the failure on it, as any re-import would.
        chosen = { tag: c.tag, from: candFrom, answer };
        break;
      }
      firstFailure ??= { reason: answer.reason, message: answer.message };
      held ??= { tag: c.tag, reason: answer.reason, message: answer.message };
      continue;
    }
    const digest = answer.resolved.topDigest || answer.resolved.digest;
    const prev = input.firstSeen[c.tag];
    const record = prev && prev.digest === digest ? prev : { digest, firstSeen: rfc3339(time) };
    firstSeen[c.tag] = record;
    const sameImage = isCurrent && (answer.resolved.unchanged || answer.resolved.digest === input.currentImage);
    const age = time.getTime() - Date.parse(record.firstSeen);
    if (sameImage || policy.minAgeMs === 0 || !hasImage || age >= policy.minAgeMs) {
      chosen = { tag: c.tag, from: candFrom, answer };
      break;
    }
    const remaining = policy.minAgeMs - age;
    held ??= {
      tag: c.tag,
      reason: 'MinAge',
      message: `first seen ${record.firstSeen}, younger than --min-age ${policy.minAge}`,
      digest,
      until: rfc3339(new Date(Date.parse(record.firstSeen) + policy.minAgeMs)),
      minAgeRemaining: formatDuration(remaining),
      minAgeRemainingSeconds: Math.ceil(remaining / 1000),
    };
    // Never below the tag it names now: that one's new digest is held, the tag stays.
    if (isCurrent) break;
  }
  if (held) report.heldBack = held;
  if (!chosen) {
    if (!held && firstFailure) return { ...base, report, failure: firstFailure, firstSeen };
    if (!held) {
      return {
        ...base,
        report,
        firstSeen,
        failure: {
          reason: 'NoMatchingTag',
          message: `none of the first ${candidates.length} candidates could be resolved`,
        },
      };
    }
    // Everything better is held back and the current tag is out of reach: stay where it is.
    if (currentTag) report.chosen = currentTag;
    return { ...base, report, firstSeen };
  }
  if (chosen.answer.ok && chosen.answer.resolved.unchanged && chosen.tag !== currentTag) {
    // The stub answer names the top digest only: resolve fully to record the image (cached content, one HEAD).
    chosen = {
      ...chosen,
      answer: await resolveOne(source, {
        source: readPullSpec(chosen.from),
        importPolicy: ref.importPolicy ?? {},
        annotations: ref.annotations,
      }),
    };
  }
  report.chosen = chosen.tag;
  return { ...base, report, chosen, firstSeen };
}

/** Evaluates many policy tags, a few at a time, sharing one tag list per repository. */
export async function evaluatePolicyTags(
  source: ImageSource,
  inputs: PolicyTagInput[],
  now: () => Date,
  options: { parallel?: number; lister?: TagLister; onDone?: (index: number, e: PolicyEvaluation) => void } = {},
): Promise<PolicyEvaluation[]> {
  const lister = options.lister ?? new TagLister(source);
  const out: PolicyEvaluation[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await evaluatePolicyTag(source, lister, inputs[i], now);
      options.onDone?.(i, out[i]);
    }
  };
  const n = Math.max(1, Math.min(options.parallel ?? 32, inputs.length));
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

/** The input of a spec tag of a stream as it is now. */
export function policyInputOf(namespace: string, stream: ImageStream, ref: TagReference): PolicyTagInput {
  const current = currentEvent(stream, ref.name)?.image;
  return {
    namespace,
    stream: stream.metadata.name,
    ref: cloneJson(ref),
    ...(current ? { currentImage: current } : {}),
    firstSeen: readFirstSeen(stream.metadata.annotations, ref.name),
  };
}

/**
 * Applies an evaluation to the working copy of its stream: first-seen and held-back records, the
 * move of `from.name` (a spec change, with the generations `oc tag` gets), and returns the import
 * result to record with the stream's other results. Returns undefined when the spec tag changed
 * since the evaluation (another writer won; nothing is recorded for it).
 */
export function applyPolicyEvaluation(
  stream: ImageStream,
  namespace: string,
  e: PolicyEvaluation,
): TagImportResult | undefined {
  const ref = specTag(stream, e.input.ref.name);
  if (!ref?.from || ref.from.name !== e.input.ref.from?.name) return undefined;
  const from = ref.from;
  if (ref.annotations?.[ANNOTATION_POLICY] !== e.input.ref.annotations?.[ANNOTATION_POLICY]) return undefined;
  stream.metadata.annotations ??= {};
  writeFirstSeen(stream.metadata.annotations, ref.name, e.firstSeen);
  const {
    minAgeRemaining: _r,
    minAgeRemainingSeconds: _s,
    ...held
  } = e.report.heldBack ?? { tag: '', reason: '', message: '' };
  writeHeldBack(stream.metadata.annotations, ref.name, e.report.heldBack ? held : undefined);
  if (Object.keys(stream.metadata.annotations).length === 0) delete stream.metadata.annotations;
  const policy = {
    importPolicy: ref.importPolicy ?? {},
    referencePolicy: { type: ref.referencePolicy?.type || 'Source' },
  };
  if (e.failure) {
    return {
      tag: ref.name,
      from: from.name,
      ...policy,
      ok: false,
      reason: e.failure.reason,
      message: e.failure.message,
    };
  }
  if (!e.chosen) return undefined;
  if (e.chosen.from !== from.name) {
    const original = cloneJson(stream);
    from.name = e.chosen.from;
    applyUpdateGenerations(original, stream, namespace);
  }
  const a = e.chosen.answer;
  if (!a.ok) return { tag: ref.name, from: e.chosen.from, ...policy, ok: false, reason: a.reason, message: a.message };
  return {
    tag: ref.name,
    from: e.chosen.from,
    ...policy,
    ok: true,
    digest: a.resolved.digest,
    dockerImageReference: a.resolved.dockerImageReference,
  };
}
