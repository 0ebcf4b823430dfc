import { describe, expect, it } from 'vitest';
import { recordImportResults, type TagImportResult } from '../../src/core/import-record.js';
import type { ImageStream } from '../../src/domain/types.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const policy = { importPolicy: { scheduled: true }, referencePolicy: { type: 'Source' } };
const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m, 0));

function ok(digest: string): TagImportResult {
  return {
    tag: 't',
    from: 'quay.io/a/b:1',
    ok: true,
    digest,
    dockerImageReference: `quay.io/a/b@${digest}`,
    ...policy,
  };
}
function fail(reason: string, message: string): TagImportResult {
  return { tag: 't', from: 'quay.io/a/b:1', ok: false, reason, message, ...policy };
}

function stream(): ImageStream {
  // "create stream with tag t → quay.io/a/b:1, scheduled" (row 1 of the timeline)
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'p', generation: 1 },
    spec: {
      lookupPolicy: { local: false },
      tags: [
        {
          name: 't',
          annotations: null,
          from: { kind: 'DockerImage', name: 'quay.io/a/b:1' },
          generation: 1,
          importPolicy: { scheduled: true, importMode: 'Legacy' },
          referencePolicy: { type: 'Source' },
        },
        { name: 'follow', from: { kind: 'ImageStreamTag', name: 't' }, generation: 1 },
      ],
    },
  };
}

describe('recordImportResults follows a controller-driven timeline (scheduled Legacy imports, generations per step)', () => {
  it('walks import OK, unchanged, new digest, forced re-import, failure, same failure, recovery', () => {
    const s = stream();
    // controller import OK, digest D1 (nextGen=2)
    let changes = recordImportResults(s, 'p', [ok(D1)], at(1), false);
    expect(s.metadata.generation).toBe(2);
    expect(s.spec.tags![0].generation).toBe(2);
    expect(s.status!.tags!.find((t) => t.tag === 't')!.items).toEqual([
      { created: '2026-01-01T00:01:00Z', dockerImageReference: `quay.io/a/b@${D1}`, image: D1, generation: 2 },
    ]);
    expect(changes.map((c) => c.tag).sort()).toEqual(['follow', 't']); // the tracking tag follows
    expect(s.metadata.annotations!['openshift.io/image.dockerRepositoryCheck']).toBe('2026-01-01T00:01:00Z');

    // scheduled import, still D1: nothing changes, not even the annotation
    const snapshot = JSON.stringify(s);
    changes = recordImportResults(s, 'p', [ok(D1)], at(2), false);
    expect(JSON.stringify(s)).toBe(snapshot);
    expect(changes).toEqual([]);

    // scheduled import finds D2 (nextGen=3): new event first, old kept
    changes = recordImportResults(s, 'p', [ok(D2)], at(3), false);
    expect(s.metadata.generation).toBe(3);
    const items = () => s.status!.tags!.find((t) => t.tag === 't')!.items!;
    expect(items().map((i) => [i.image, i.generation])).toEqual([
      [D2, 3],
      [D1, 2],
    ]);
    expect(changes.find((c) => c.tag === 't')).toMatchObject({ from: { image: D1 }, to: { image: D2 } });

    // user sets generation 0 (force re-import): stream 4 → the tag takes 4 on update; import of D2 again
    s.spec.tags![0].generation = 5;
    s.metadata.generation = 5;
    changes = recordImportResults(s, 'p', [ok(D2)], at(4), false);
    expect(s.metadata.generation).toBe(6);
    expect(items().map((i) => [i.image, i.generation])).toEqual([
      [D2, 6],
      [D1, 2],
    ]); // updated in place
    expect(changes.filter((c) => c.tag === 't')).toEqual([]); // same image: triggers do not fire

    // import fails NotFound (nextGen=7): condition, history kept
    recordImportResults(
      s,
      'p',
      [fail('NotFound', 'dockerimage.image.openshift.io "quay.io/a/b:1" not found')],
      at(5),
      false,
    );
    expect(s.metadata.generation).toBe(7);
    expect(s.spec.tags![0].generation).toBe(7);
    const cond = () => s.status!.tags!.find((t) => t.tag === 't')!.conditions;
    expect(cond()).toEqual([
      {
        type: 'ImportSuccess',
        status: 'False',
        lastTransitionTime: '2026-01-01T00:05:00Z',
        reason: 'NotFound',
        message: 'dockerimage.image.openshift.io "quay.io/a/b:1" not found',
        generation: 7,
      },
    ]);
    expect(items()).toHaveLength(2);

    // same failure again: nothing at all changes
    const frozen = JSON.stringify(s);
    recordImportResults(
      s,
      'p',
      [fail('NotFound', 'dockerimage.image.openshift.io "quay.io/a/b:1" not found')],
      at(6),
      false,
    );
    expect(JSON.stringify(s)).toBe(frozen);

    // import OK D2 (spec 7 > event 6): generation moves, conditions cleared
    recordImportResults(s, 'p', [ok(D2)], at(7), false);
    expect(s.metadata.generation).toBe(8);
    expect(items().map((i) => [i.image, i.generation])).toEqual([
      [D2, 8],
      [D1, 2],
    ]);
    expect(cond()).toBeUndefined();
  });

  it('a new stream gets generation 1 everywhere and the check annotation', () => {
    const s: ImageStream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'n', namespace: 'p' },
      spec: { lookupPolicy: { local: false } },
    };
    recordImportResults(
      s,
      'p',
      [{ ...ok(D1), tag: 'latest', from: 'quay.io/a/b', importPolicy: { importMode: 'Legacy' } }],
      at(0),
      true,
    );
    expect(s.metadata.generation).toBe(1);
    expect(s.spec.tags).toEqual([
      {
        name: 'latest',
        annotations: null,
        from: { kind: 'DockerImage', name: 'quay.io/a/b' },
        generation: 1,
        importPolicy: { importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
      },
    ]);
    expect(s.status!.tags![0].items![0]).toMatchObject({ image: D1, generation: 1 });
  });
});
