import { describe, expect, it } from 'vitest';
import { applyTriggers } from '../../../src/core/triggers/controller/controller.js';
import type { KubeObject } from '../../../src/domain/types.js';
import { D1, D2, memorySnapshot, settings, stream } from '../../helpers/memory-snapshot.js';

const REF1 = `quay.io/acme/app@${D1}`;
const REF2 = `quay.io/acme/app@${D2}`;
const change = (tag = 'latest', s = 'app', ns = 'default') => [
  { namespace: ns, stream: s, tag, to: { image: D2, dockerImageReference: REF2 } },
];

function dc(
  extra: {
    automatic?: boolean;
    last?: string;
    latestVersion?: number;
    image?: string;
    triggers?: unknown[];
    paused?: boolean;
  } = {},
): KubeObject {
  return {
    apiVersion: 'apps.openshift.io/v1',
    kind: 'DeploymentConfig',
    metadata: { name: 'web' },
    spec: {
      ...(extra.paused ? { paused: true } : {}),
      template: {
        spec: {
          initContainers: [{ name: 'migrate', image: 'old' }],
          containers: [
            { name: 'web', image: extra.image ?? REF1 },
            { name: 'sidecar', image: 'busybox' },
          ],
        },
      },
      triggers: extra.triggers ?? [
        { type: 'ConfigChange' },
        {
          type: 'ImageChange',
          imageChangeParams: {
            automatic: extra.automatic ?? true,
            containerNames: ['web', 'migrate'],
            from: { kind: 'ImageStreamTag', name: 'app:latest' },
            ...(extra.last ? { lastTriggeredImage: extra.last } : {}),
          },
        },
      ],
    },
    status: { latestVersion: extra.latestVersion ?? 3 },
  };
}

describe('DeploymentConfig ImageChange triggers', () => {
  it('a trigger naming a missing container is not watched, but fires with the object: only lastTriggeredImage is set', async () => {
    const ghost = {
      type: 'ImageChange',
      imageChangeParams: {
        automatic: true,
        containerNames: ['ghost'],
        from: { kind: 'ImageStreamTag', name: 'other:latest' },
      },
    };
    const alone = dc({ triggers: [ghost] });
    const aloneBefore = structuredClone(alone);
    const r1 = applyTriggers(
      memorySnapshot([stream('other', { latest: { ref: REF2, image: D2 } }), alone]),
      change('latest', 'other'),
      settings,
    );
    expect(alone).toEqual(aloneBefore);
    expect(r1.warnings).toEqual([
      'DeploymentConfig default/web (objects.yaml): trigger on other:latest names container(s) ghost that the pod template does not have; OpenShift ignores it',
    ]);
    const both = dc({
      last: REF1,
      triggers: [
        {
          type: 'ImageChange',
          imageChangeParams: {
            automatic: true,
            containerNames: ['web'],
            from: { kind: 'ImageStreamTag', name: 'app:latest' },
          },
        },
        structuredClone(ghost),
      ],
    });
    const r2 = applyTriggers(
      memorySnapshot([
        stream('app', { latest: { ref: REF2, image: D2 } }),
        stream('other', { latest: { ref: REF1, image: D1 } }),
        both,
      ]),
      change(),
      settings,
    );
    expect((both.spec as any).triggers[1].imageChangeParams.lastTriggeredImage).toBe(REF1);
    expect(r2.warnings).toEqual([
      'DeploymentConfig default/web (objects.yaml): trigger on other:latest names container(s) ' +
        'ghost that the pod template does not have; only lastTriggeredImage is set',
    ]);
  });

  it('sets containers and init containers, lastTriggeredImage, latestVersion and an image change cause', () => {
    const obj = dc({ last: REF1 });
    const snap = memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]);
    const report = applyTriggers(snap, change(), settings);
    const spec = obj.spec as any;
    expect(spec.template.spec.containers[0].image).toBe(REF2);
    expect(spec.template.spec.initContainers[0].image).toBe(REF2);
    expect(spec.template.spec.containers[1].image).toBe('busybox');
    expect(spec.triggers[1].imageChangeParams.lastTriggeredImage).toBe(REF2);
    expect(obj.status).toEqual({
      latestVersion: 4,
      details: {
        message: 'image change',
        causes: [{ type: 'ImageChange', imageTrigger: { from: { kind: 'DockerImage', name: REF2 } } }],
      },
    });
    expect(report.updated).toEqual([
      {
        kind: 'DeploymentConfig',
        namespace: 'default',
        name: 'web',
        file: 'objects.yaml',
        changes: [
          { container: 'migrate', from: 'old', to: REF2 },
          { container: 'web', from: REF1, to: REF2 },
        ],
        rollout: { latestVersion: 4, message: 'image change' },
      },
    ]);
  });

  it('leaves automatic: false triggers alone', () => {
    const obj = dc({ automatic: false, last: REF1 });
    const before = structuredClone(obj);
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]),
      change(),
      settings,
    );
    expect(obj).toEqual(before);
    expect(report.updated).toEqual([]);
  });

  it('updates nothing while another automatic trigger has never resolved', () => {
    const obj = dc({
      triggers: [
        {
          type: 'ImageChange',
          imageChangeParams: {
            automatic: true,
            containerNames: ['web'],
            from: { kind: 'ImageStreamTag', name: 'app:latest' },
          },
        },
        {
          type: 'ImageChange',
          imageChangeParams: {
            automatic: true,
            containerNames: ['sidecar'],
            from: { kind: 'ImageStreamTag', name: 'other:latest' },
          },
        },
      ],
    });
    const before = structuredClone(obj);
    applyTriggers(memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]), change(), settings);
    expect(obj).toEqual(before);
  });

  it('first rollout: once every trigger resolved, records a config change as the DC controller does', () => {
    const obj = dc({ latestVersion: 0, image: ' ' });
    delete (obj as any).status;
    applyTriggers(memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]), change(), settings);
    expect(obj.status).toEqual({
      latestVersion: 1,
      details: { message: 'config change', causes: [{ type: 'ConfigChange' }] },
    });
  });

  it('first rollout waits for a non-automatic trigger that has not fired', () => {
    const obj = dc({
      latestVersion: 0,
      triggers: [
        {
          type: 'ImageChange',
          imageChangeParams: {
            automatic: true,
            containerNames: ['web'],
            from: { kind: 'ImageStreamTag', name: 'app:latest' },
          },
        },
        {
          type: 'ImageChange',
          imageChangeParams: {
            automatic: false,
            containerNames: ['sidecar'],
            from: { kind: 'ImageStreamTag', name: 'app:latest' },
          },
        },
      ],
    });
    applyTriggers(memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]), change(), settings);
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF2);
    expect(obj.status).toEqual({ latestVersion: 0 });
  });

  it('a paused DC gets its images but no rollout', () => {
    const obj = dc({ paused: true, last: REF1 });
    applyTriggers(memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]), change(), settings);
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF2);
    expect(obj.status).toEqual({ latestVersion: 3 });
  });

  it('Local reference policy resolves to the internal registry, computed when status.dockerImageRepository is empty', () => {
    const obj = dc({ last: REF1 });
    applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }, { local: true }), obj]),
      change(),
      settings,
    );
    expect((obj.spec as any).template.spec.containers[0].image).toBe(
      `image-registry.openshift-image-registry.svc:5000/default/app@${D2}`,
    );
  });

  it('resolves from.namespace of another namespace', () => {
    const obj = dc({ last: REF1 });
    ((obj.spec as any).triggers[1].imageChangeParams.from as any).namespace = 'shared';
    applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }, { namespace: 'shared' }), obj]),
      change('latest', 'app', 'shared'),
      settings,
    );
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF2);
  });
});

function deployment(annotation: unknown, kind = 'Deployment', image = REF1): KubeObject {
  const pod = { spec: { containers: [{ name: 'web', image }] } };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'd', annotations: { 'image.openshift.io/triggers': annotation as string } },
    spec: kind === 'CronJob' ? { jobTemplate: { spec: { template: pod } } } : { template: pod },
  };
}

describe('annotation triggers', () => {
  const good =
    '[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"}]';

  it('sets the image of a Deployment and reports it', () => {
    const obj = deployment(good);
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]),
      change(),
      settings,
    );
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF2);
    expect(report.updated[0]).toMatchObject({
      kind: 'Deployment',
      name: 'd',
      changes: [{ container: 'web', from: REF1, to: REF2 }],
    });
    expect(report.warnings).toEqual([]);
  });

  it('CronJob job template path', () => {
    const obj = deployment(
      '[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"spec.jobTemplate.spec.template.spec.containers[0].image"}]',
      'CronJob',
    );
    applyTriggers(memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]), change(), settings);
    expect((obj.spec as any).jobTemplate.spec.template.spec.containers[0].image).toBe(REF2);
  });

  it('paused triggers do nothing', () => {
    const obj = deployment(good.replace('}]', ',"paused":true}]'));
    applyTriggers(memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]), change(), settings);
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF1);
  });

  it('"paused":"false" disables every trigger of the object, with a warning naming it', () => {
    const obj = deployment(good.replace('}]', ',"paused":"false"}]'));
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]),
      change(),
      settings,
    );
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF1);
    expect(report.warnings).toEqual([
      'Deployment default/d (objects.yaml): ignoring annotation image.openshift.io/triggers: ' +
        'json: cannot unmarshal string into Go struct field ObjectFieldTrigger.paused of type bool;' +
        ' all its image triggers are disabled, as in OpenShift',
    ]);
  });

  it('"pause":"false" is ignored by OpenShift: the trigger fires, and isctl says so', () => {
    const obj = deployment(good.replace('}]', ',"pause":"false"}]'));
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]),
      change(),
      settings,
    );
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF2);
    expect(report.warnings).toEqual([
      'Deployment default/d (objects.yaml): annotation image.openshift.io/triggers: unknown key [0].pause is ignored (did you mean "paused"?)',
    ]);
  });

  it('a missing container leaves the object alone with a warning; other objects still update', () => {
    const bad = deployment(good.replace('web', 'nope'));
    const ok = deployment(good);
    (ok.metadata as any).name = 'e';
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), bad, ok]),
      change(),
      settings,
    );
    expect((bad.spec as any).template.spec.containers[0].image).toBe(REF1);
    expect((ok.spec as any).template.spec.containers[0].image).toBe(REF2);
    expect(report.warnings).toEqual([
      'Deployment default/d (objects.yaml): not updated: no such container: spec.template.spec.containers[?(@.name=="nope")].image',
    ]);
  });

  it('has no effect on a ReplicaSet (no trigger source), with a warning', () => {
    const obj = deployment(good, 'ReplicaSet');
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]),
      change(),
      settings,
    );
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF1);
    expect(report.warnings[0]).toMatch(
      /^ReplicaSet default\/d \(objects.yaml\): annotation image.openshift.io\/triggers has no effect on a ReplicaSet/,
    );
  });

  it('objects watching other streams that are level are left alone', () => {
    const obj = deployment(good.replace('app:latest', 'other:latest'));
    const report = applyTriggers(
      memorySnapshot([
        stream('app', { latest: { ref: REF2, image: D2 } }),
        stream('other', { latest: { ref: REF1, image: D1 } }),
        obj,
      ]),
      change(),
      settings,
    );
    expect((obj.spec as any).template.spec.containers[0].image).toBe(REF1);
    expect(report.updated).toEqual([]);
  });
});

function bc(triggers: unknown[], status?: unknown): KubeObject {
  return {
    apiVersion: 'build.openshift.io/v1',
    kind: 'BuildConfig',
    metadata: { name: 'b' },
    spec: {
      strategy: { type: 'Source', sourceStrategy: { from: { kind: 'ImageStreamTag', name: 'app:latest' } } },
      triggers,
    },
    ...(status ? { status } : {}),
  };
}

describe('BuildConfig ImageChange triggers', () => {
  const now = () => new Date('2026-11-22T12:00:00.123Z');

  it('a trigger without from follows the strategy image; records status and reports the build', () => {
    const obj = bc([{ type: 'ImageChange', imageChange: {} }], { lastVersion: 2 });
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), obj]),
      change(),
      settings,
      { now },
    );
    expect(obj.status).toEqual({
      lastVersion: 3,
      imageChangeTriggers: [
        { lastTriggeredImageID: REF2, from: { name: 'app:latest' }, lastTriggerTime: '2026-11-22T12:00:00Z' },
      ],
    });
    expect(report.builds).toEqual([
      { namespace: 'default', name: 'b', file: 'objects.yaml', image: REF2, trigger: 'default/app:latest', version: 3 },
    ]);
    expect(report.updated).toEqual([]);
  });

  it('does not fire again for the image it last triggered (status or the pre-4.8 spec field)', () => {
    const a = bc([{ type: 'ImageChange', imageChange: {} }], {
      lastVersion: 3,
      imageChangeTriggers: [{ lastTriggeredImageID: REF2, from: { name: 'app:latest' } }],
    });
    const b = bc([{ type: 'ImageChange', imageChange: { lastTriggeredImageID: REF2 } }]);
    (b.metadata as any).name = 'c';
    const before = structuredClone([a, b]);
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), a, b]),
      change(),
      settings,
      { now },
    );
    expect([a, b]).toEqual(before);
    expect(report.builds).toEqual([]);
  });

  it('explicit from in another namespace; paused triggers never fire', () => {
    const fires = bc([
      {
        type: 'ImageChange',
        imageChange: { from: { kind: 'ImageStreamTag', name: 'app:latest', namespace: 'shared' } },
      },
    ]);
    const paused = bc([
      {
        type: 'ImageChange',
        imageChange: { paused: true, from: { kind: 'ImageStreamTag', name: 'app:latest', namespace: 'shared' } },
      },
    ]);
    (paused.metadata as any).name = 'p';
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }, { namespace: 'shared' }), fires, paused]),
      change('latest', 'app', 'shared'),
      settings,
      { now },
    );
    expect(report.builds.map((b) => b.name)).toEqual(['b']);
    expect((fires.status as any).imageChangeTriggers[0].from).toEqual({ namespace: 'shared', name: 'app:latest' });
    expect(paused.status).toBeUndefined();
  });
});

describe('lookupPolicy.local', () => {
  it('resolves a short name to <repo>@digest when the stream has lookupPolicy.local', () => {
    const pod = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'app:latest' },
              { name: 'x', image: 'app:v2' },
              { name: 'y', image: 'quay.io/app:latest' },
            ],
          },
        },
      },
    };
    const report = applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }, { lookup: true }), pod]),
      change(),
      settings,
    );
    expect(pod.spec.template.spec.containers.map((c) => c.image)).toEqual([REF2, 'app:v2', 'quay.io/app:latest']);
    expect(report.updated[0]?.changes).toEqual([{ container: 'web', from: 'app:latest', to: REF2 }]);
  });

  it('does nothing without lookupPolicy.local; a bare name means latest', () => {
    const mk = () => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 's' },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'app' }] } } },
    });
    const off = mk();
    applyTriggers(memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }), off]), change(), settings);
    expect(off.spec.template.spec.containers[0]!.image).toBe('app');
    const on = mk();
    applyTriggers(
      memorySnapshot([stream('app', { latest: { ref: REF2, image: D2 } }, { lookup: true, local: true }), on]),
      change(),
      settings,
    );
    expect(on.spec.template.spec.containers[0]!.image).toBe(
      `image-registry.openshift-image-registry.svc:5000/default/app@${D2}`,
    );
  });
});
