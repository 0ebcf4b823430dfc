import { describe, expect, it } from 'vitest';
import {
  planSetTriggers,
  updateTriggerDefinition,
  containerNamesProblem,
} from '../../../src/core/triggers/set-triggers/flags.js';
import { deploymentConfigName } from '../../../src/core/rollout.js';

describe('set triggers flags (oc Complete/Validate)', () => {
  const errors: [Record<string, unknown>, string][] = [
    [{ auto: true, manual: true }, 'you must specify at most one of --auto or --manual'],
    [{ remove: true, removeAll: true }, 'you must specify either --remove or --remove-all'],
    [{ removeAll: true, fromConfig: true }, '--remove-all may not be used with any other flag'],
    [{ remove: true }, '--remove requires a flag defining a trigger type to be specified'],
    [{ fromConfig: true, fromImage: 'a:b' }, 'you may only set one trigger type at a time'],
    [{ fromImage: 'quay.io/a/b:c' }, 'the value of --from-image must point to an image stream tag on this server'],
    [
      { fromImage: `a@sha256:${'1'.repeat(64)}` },
      'the value of --from-image must point to an image stream tag on this server',
    ],
    [{ fromImage: 'app' }, 'the value of --from-image must include the tag you wish to pull from'],
    [
      { fromImage: 'App:1' },
      'the value of --from-image does not appear to be a valid reference to an image: invalid pull spec "App:1": repository name must be lowercase',
    ],
  ];
  for (const [flags, message] of errors) {
    it(`${JSON.stringify(flags)} → ${message}`, () => {
      expect(() => planSetTriggers(flags, 'default')).toThrow(message);
    });
  }

  it('no flag lists; a trigger flag alone means --auto; --auto/--manual alone reset every trigger', () => {
    expect(planSetTriggers({}, 'default').printTable).toBe(true);
    expect(planSetTriggers({ fromImage: 'app:1' }, 'default')).toMatchObject({
      auto: true,
      reset: false,
      fromImage: 'app:1',
      fromImageNamespace: '',
    });
    expect(planSetTriggers({ fromImage: 'other/app:1' }, 'default')).toMatchObject({
      fromImage: 'app:1',
      fromImageNamespace: 'other',
    });
    expect(planSetTriggers({ fromImage: 'default/app:1' }, 'default').fromImageNamespace).toBe('');
    expect(planSetTriggers({ manual: true }, 'default')).toMatchObject({ reset: true, manual: true, auto: false });
  });

  it('updates only what the flags name', () => {
    const def = {
      configChange: true,
      imageChange: [
        { auto: true, from: 'a:1', namespace: '', names: ['web'] },
        { auto: false, from: 'b:1', namespace: 'x', names: ['db'] },
      ],
    };
    expect(updateTriggerDefinition(def, planSetTriggers({ manual: true }, 'default'))).toEqual({
      configChange: false,
      imageChange: [
        { auto: false, from: 'a:1', namespace: '', names: ['web'] },
        { auto: false, from: 'b:1', namespace: 'x', names: ['db'] },
      ],
    });
    expect(
      updateTriggerDefinition(def, planSetTriggers({ remove: true, fromImage: 'a:1' }, 'default')).imageChange.map(
        (t) => t.from,
      ),
    ).toEqual(['b:1']);
    expect(
      updateTriggerDefinition(def, planSetTriggers({ fromImage: 'x/b:1', containers: 'db,side' }, 'default'))
        .imageChange[1],
    ).toEqual({ auto: true, from: 'b:1', namespace: 'x', names: ['db', 'side'] });
    expect(
      updateTriggerDefinition(def, planSetTriggers({ fromImage: 'c:1', containers: 'web', manual: true }, 'default'))
        .imageChange[2],
    ).toEqual({ auto: false, from: 'c:1', namespace: '', names: ['web'] });
    expect(updateTriggerDefinition(def, planSetTriggers({ removeAll: true }, 'default'))).toEqual({
      configChange: false,
      imageChange: [],
    });
  });

  it('container names are required and must exist', () => {
    expect(containerNamesProblem(undefined, ['web'])).toBe('you must specify --containers when setting --from-image');
    expect(containerNamesProblem(['web', 'zz', 'aa'], ['web', 'proxy'])).toBe(
      'not all container names exist: aa, zz (accepts: proxy, web)',
    );
    expect(containerNamesProblem(['web'], ['web'])).toBeUndefined();
  });

  it('rollout latest takes dc/NAME, deploymentconfig/NAME or NAME', () => {
    expect(deploymentConfigName('dc/web')).toBe('web');
    expect(deploymentConfigName('deploymentconfig.apps.openshift.io/web')).toBe('web');
    expect(deploymentConfigName('web')).toBe('web');
    expect(() => deploymentConfigName('deployment/web')).toThrow(
      'rollout latest works on deployment configs only, not "deployment"',
    );
  });
});
