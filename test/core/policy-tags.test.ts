/**
 * The walk of a policy evaluation over an in-memory image source (the ImageSource contract of
 * src/registry/types.ts): what is chosen, what is held back and why, and how many lookups it costs.
 */
import { describe, expect, it } from 'vitest';
import { evaluatePolicyTag, TagLister, type PolicyTagInput } from '../../src/core/policy-tags.js';
import { RegistryError } from '../../src/domain/errors.js';
import type { PullSpec } from '../../src/domain/pullspec.js';
import type { ImageSource, ResolveOptions, ResolvedImage } from '../../src/registry/types.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const d = (c: string) => `sha256:${c.repeat(64)}`;

function source(tags: Record<string, string | Error>) {
  const calls: string[] = [];
  const src: ImageSource = {
    async listTags() {
      calls.push('list');
      return Object.keys(tags);
    },
    async resolve(spec: PullSpec, o: ResolveOptions = {}): Promise<ResolvedImage> {
      const tag = spec.transport === 'docker' ? spec.ref.tag : spec.tag;
      calls.push(`resolve ${tag}`);
      const digest = tags[tag];
      if (digest instanceof Error) throw digest;
      if (digest === undefined) throw new RegistryError('manifest unknown', { reason: 'NotFound' });
      const reference = `quay.io/org/app@${digest}`;
      return {
        digest,
        dockerImageReference: reference,
        image: { apiVersion: 'image.openshift.io/v1', kind: 'Image', metadata: { name: digest } } as never,
        topDigest: digest,
        topMediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...(o.unchangedIf === digest ? { unchanged: true } : {}),
      };
    },
    close: async () => undefined,
  };
  return { src, calls };
}

function input(o: { from: string; current?: string; minAge?: string; firstSeen?: PolicyTagInput['firstSeen'] }) {
  return {
    namespace: 'default',
    stream: 'app',
    ref: {
      name: 'stable',
      annotations: { 'isctl.io/policy': 'semver:~1.2', ...(o.minAge ? { 'isctl.io/min-age': o.minAge } : {}) },
      from: { kind: 'DockerImage', name: `quay.io/org/app:${o.from}` },
    },
    ...(o.current ? { currentImage: o.current } : {}),
    firstSeen: o.firstSeen ?? {},
  } satisfies PolicyTagInput;
}

const run = (src: ImageSource, i: PolicyTagInput) => evaluatePolicyTag(src, new TagLister(src), i, () => NOW);

describe('policy evaluation', () => {
  it('without --min-age takes the best candidate with one list and one lookup', async () => {
    const { src, calls } = source({ '1.2.5': d('5'), '1.2.6': d('6'), '1.3.0': d('7') });
    const e = await run(src, input({ from: '1.2.5', current: d('5') }));
    expect(e.chosen?.from).toBe('quay.io/org/app:1.2.6');
    expect(e.report).toEqual({ policy: 'semver:~1.2', previous: '1.2.5', chosen: '1.2.6' });
    expect(calls).toEqual(['list', 'resolve 1.2.6']);
    expect(e.firstSeen).toEqual({ '1.2.6': { digest: d('6'), firstSeen: '2026-11-22T12:00:00Z' } });
  });

  it('holds back a candidate first seen less than --min-age ago and stays on the current tag', async () => {
    const { src, calls } = source({ '1.2.5': d('5'), '1.2.6': d('6'), '1.2.7': d('7') });
    const e = await run(
      src,
      input({
        from: '1.2.6',
        current: d('6'),
        minAge: '1h',
        firstSeen: { '1.2.6': { digest: d('6'), firstSeen: '2026-11-22T11:59:00Z' } },
      }),
    );
    expect(e.chosen?.tag).toBe('1.2.6');
    expect(e.report.heldBack).toEqual({
      tag: '1.2.7',
      reason: 'MinAge',
      message: 'first seen 2026-11-22T12:00:00Z, younger than --min-age 1h',
      digest: d('7'),
      until: '2026-11-22T13:00:00Z',
      minAgeRemaining: '1h0m0s',
      minAgeRemainingSeconds: 3600,
    });
    // The current tag is young too, but it is where the tag is: never a step back to 1.2.5.
    expect(calls).toEqual(['list', 'resolve 1.2.7', 'resolve 1.2.6']);
  });

  it('moves once the cooldown is over, keeping the first-seen time it recorded', async () => {
    const { src } = source({ '1.2.6': d('6'), '1.2.7': d('7') });
    const seen = { '1.2.7': { digest: d('7'), firstSeen: '2026-11-22T10:59:59Z' } };
    const e = await run(src, input({ from: '1.2.6', current: d('6'), minAge: '1h', firstSeen: seen }));
    expect(e.chosen?.tag).toBe('1.2.7');
    expect(e.report.heldBack).toBeUndefined();
    expect(e.firstSeen['1.2.7'].firstSeen).toBe('2026-11-22T10:59:59Z');
  });

  it('a re-pushed tag restarts its clock: the new digest of the current tag is held, nothing is imported', async () => {
    const { src } = source({ '1.2.6': d('8') });
    const e = await run(
      src,
      input({
        from: '1.2.6',
        current: d('6'),
        minAge: '1h',
        firstSeen: { '1.2.6': { digest: d('6'), firstSeen: '2026-11-20T00:00:00Z' } },
      }),
    );
    expect(e.chosen).toBeUndefined();
    expect(e.failure).toBeUndefined();
    expect(e.report).toMatchObject({ chosen: '1.2.6', heldBack: { tag: '1.2.6', reason: 'MinAge', digest: d('8') } });
  });

  it('a first resolution takes the pick: there is nothing to move from', async () => {
    const { src } = source({ '1.2.5': d('5'), '1.2.7': d('7') });
    const e = await run(src, input({ from: '1.2.5', minAge: '72h' }));
    expect(e.chosen?.tag).toBe('1.2.7');
    expect(e.report.heldBack).toBeUndefined();
  });

  it('a candidate the registry refuses is held back with that reason; the tag stays', async () => {
    const { src } = source({ '1.2.6': d('6'), '1.2.9': new RegistryError('denied', { reason: 'Unauthorized' }) });
    const e = await run(src, input({ from: '1.2.6', current: d('6') }));
    expect(e.chosen?.tag).toBe('1.2.6');
    expect(e.report.heldBack).toEqual({ tag: '1.2.9', reason: 'Unauthorized', message: 'denied' });
  });

  it('no tag in range is a NoMatchingTag failure; a filter that matches nothing says Filtered', async () => {
    const { src } = source({ '2.0.0': d('2') });
    expect((await run(src, input({ from: '1.2.6', current: d('6') }))).failure).toMatchObject({
      reason: 'NoMatchingTag',
      code: 'NoMatchingTag',
    });
    const filtered = input({ from: '1.2.6', current: d('6') });
    filtered.ref.annotations['isctl.io/tag-filter' as 'isctl.io/policy'] = '^v';
    expect((await run(src, filtered)).failure).toMatchObject({ reason: 'NoMatchingTag', code: 'Filtered' });
  });

  it('lists a repository once for every tag that follows it in a run', async () => {
    const { src, calls } = source({ '1.2.6': d('6') });
    const lister = new TagLister(src);
    await Promise.all(
      [1, 2, 3].map(() => evaluatePolicyTag(src, lister, input({ from: '1.2.6', current: d('6') }), () => NOW)),
    );
    expect(calls.filter((c) => c === 'list')).toHaveLength(1);
  });
});
