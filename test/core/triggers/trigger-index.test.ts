/**
 * The one trigger index every command uses (src/core/triggers/trigger-index.ts), checked against
 * OpenShift: openshift-controller-manager pkg/image/trigger/buildconfigs/buildconfigs.go
 * calculateBuildConfigTriggers, pkg/image/controller/trigger/cache.go triggerCacheIndexer,
 * openshift-apiserver pkg/build/apis/build/v1/defaults.go SetDefaults_BuildTriggerPolicy and
 * pkg/build/apis/build/validation/validation.go validateTrigger.
 */
import { describe, expect, it } from 'vitest';
import { createTriggerHook } from '../../../src/core/triggers/controller/controller.js';
import { OPENSHIFT_TRIGGER_SOURCES } from '../../../src/core/triggers/sources/openshift.js';
import { buildTriggerIndex } from '../../../src/core/triggers/trigger-index.js';
import type { KubeObject } from '../../../src/domain/types.js';
import { D1, D2, memorySnapshot, settings, stream } from '../../helpers/memory-snapshot.js';

const REF1 = `quay.io/acme/app@${D1}`;
const REF2 = `quay.io/acme/app@${D2}`;
const now = () => new Date('2026-11-22T12:00:00Z');
const change = [{ namespace: 'default', stream: 'app', tag: 'latest', to: { image: D2, dockerImageReference: REF2 } }];

function bc(name: string, strategy: Record<string, unknown>, triggers: unknown[]): KubeObject {
  return {
    apiVersion: 'build.openshift.io/v1',
    kind: 'BuildConfig',
    metadata: { name },
    spec: { strategy, triggers },
    status: { lastVersion: 1 },
  };
}
const sourceFrom = (from: Record<string, unknown>) => ({ type: 'Source', sourceStrategy: { from } });

/** What `import-image`/`tag` (apply after a change) and `refresh` (reconcile) do to a copy of the same folder. */
function bothWays(objects: () => KubeObject[]) {
  const hook = createTriggerHook({ now });
  const a = objects();
  const applied = hook.apply(memorySnapshot(a), change, settings);
  const r = objects();
  const reconciled = hook.reconcile!(memorySnapshot(r), settings);
  return { applied, reconciled, a, r };
}

describe('BuildConfig triggers in the trigger index', () => {
  it('`- type: ImageChange` with no imageChange key is defaulted to imageChange: {} and fires on the strategy from (SetDefaults_BuildTriggerPolicy)', () => {
    const objects = () => [
      stream('app', { latest: { ref: REF2, image: D2 } }),
      bc('fabric8', sourceFrom({ kind: 'ImageStreamTag', name: 'app:latest' }), [{ type: 'ImageChange' }]),
    ];
    const index = buildTriggerIndex(memorySnapshot(objects()), OPENSHIFT_TRIGGER_SOURCES);
    expect(index.watchersOf('default', 'app').map((e) => e.object.name)).toEqual(['fabric8']);
    expect(index.entries[0]?.triggers[0]).toMatchObject({ fieldPath: 'spec.strategy.*.from', key: 'default/app' });
    const { applied, reconciled } = bothWays(objects);
    expect(applied.builds.map((b) => `${b.name} ${b.image}`)).toEqual([`fabric8 ${REF2}`]);
    expect(reconciled.builds.map((b) => `${b.name} ${b.image}`)).toEqual([`fabric8 ${REF2}`]);
  });

  it('a from with apiVersion is not watched (triggerCacheIndexer): neither import-image nor refresh fires it, and both say why', () => {
    const objects = () => [
      stream('app', { latest: { ref: REF2, image: D2 } }),
      bc('versioned', sourceFrom({ kind: 'ImageStreamTag', name: 'app:latest' }), [
        {
          type: 'ImageChange',
          imageChange: { from: { kind: 'ImageStreamTag', name: 'app:latest', apiVersion: 'v1' } },
        },
      ]),
    ];
    const { applied, reconciled, a, r } = bothWays(objects);
    expect(applied.builds).toEqual([]);
    expect(reconciled.builds).toEqual([]);
    expect(a[1]?.status).toEqual({ lastVersion: 1 });
    expect(r[1]?.status).toEqual({ lastVersion: 1 });
    const why =
      'BuildConfig default/versioned (objects.yaml): trigger on app:latest (spec.triggers[0]) ' +
      "never fires: its from sets apiVersion v1, and OpenShift's trigger cache only watches " +
      'references without one';
    expect(applied.warnings).toEqual([why]);
    expect(reconciled.warnings).toEqual([why]);
  });

  it('imageChange: {} on a DockerImage strategy from is rejected by validation: never fires, with validateTrigger’s reason', () => {
    const objects = () => [
      stream('app', { latest: { ref: REF2, image: D2 } }),
      bc('docker', { type: 'Docker', dockerStrategy: { from: { kind: 'DockerImage', name: 'app:latest' } } }, [
        { type: 'ImageChange', imageChange: {} },
      ]),
    ];
    const { applied, reconciled, r } = bothWays(objects);
    expect(applied.builds).toEqual([]);
    expect(reconciled.builds).toEqual([]);
    expect(r[1]?.status).toEqual({ lastVersion: 1 });
    expect(reconciled.warnings).toEqual([
      'BuildConfig default/docker (objects.yaml): trigger on app:latest (spec.triggers[0]) is ' +
        'invalid: a default ImageChange trigger can only be used when the build strategy includes ' +
        'an ImageStreamTag reference; OpenShift rejects this BuildConfig',
    ]);
  });

  it('import-image and refresh fire exactly the same BuildConfigs for the same folder', () => {
    const objects = () => [
      stream('app', { latest: { ref: REF2, image: D2 } }),
      bc('plain', sourceFrom({ kind: 'ImageStreamTag', name: 'app:latest' }), [
        { type: 'ImageChange', imageChange: {} },
      ]),
      bc('typed-only', sourceFrom({ kind: 'ImageStreamTag', name: 'app:latest' }), [{ type: 'ImageChange' }]),
      bc('explicit', sourceFrom({ kind: 'DockerImage', name: 'quay.io/x:1' }), [
        { type: 'ImageChange', imageChange: { from: { kind: 'ImageStreamTag', name: 'app:latest' } } },
      ]),
      bc('versioned', sourceFrom({ kind: 'ImageStreamTag', name: 'app:latest' }), [
        {
          type: 'ImageChange',
          imageChange: { from: { kind: 'ImageStreamTag', name: 'app:latest', apiVersion: 'v1' } },
        },
      ]),
      bc('paused', sourceFrom({ kind: 'ImageStreamTag', name: 'app:latest' }), [
        { type: 'ImageChange', imageChange: { paused: true } },
      ]),
    ];
    const { applied, reconciled } = bothWays(objects);
    const names = (r: typeof applied) => r.builds.map((b) => b.name).sort();
    expect(names(applied)).toEqual(['explicit', 'plain', 'typed-only']);
    expect(names(reconciled)).toEqual(names(applied));
  });

  it('a trigger whose stream tag is level does nothing on either path', () => {
    const objects = () => [
      stream('app', { latest: { ref: REF1, image: D1 } }),
      {
        ...bc('done', sourceFrom({ kind: 'ImageStreamTag', name: 'app:latest' }), [{ type: 'ImageChange' }]),
        status: { lastVersion: 1, imageChangeTriggers: [{ lastTriggeredImageID: REF1, from: { name: 'app:latest' } }] },
      },
    ];
    const { applied, reconciled } = bothWays(objects);
    expect(applied.builds).toEqual([]);
    expect(reconciled.builds).toEqual([]);
  });
});
