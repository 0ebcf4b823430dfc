import { describe, expect, it } from 'vitest';
import {
  formatTriggerAnnotation,
  isWatchedTrigger,
  parseTriggerAnnotation,
} from '../../../src/domain/triggers/annotation.js';
import { findContainer, parseFieldPath } from '../../../src/domain/triggers/podspec.js';

const web = 'spec.template.spec.containers[?(@.name==\\"web\\")].image';

describe('parseTriggerAnnotation (Go encoding/json rules)', () => {
  const cases: {
    name: string;
    value: unknown;
    error?: RegExp;
    triggers?: number;
    paused?: boolean;
    ignored?: string[];
    fieldPath?: string;
  }[] = [
    {
      name: 'oc set triggers output',
      value: `[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"${web}"}]`,
      triggers: 1,
      paused: false,
    },
    {
      name: 'paused true',
      value: `[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"x","paused":true}]`,
      triggers: 1,
      paused: true,
    },
    {
      name: 'keys match case-insensitively',
      value: '[{"FROM":{"KIND":"ImageStreamTag","Name":"a:b"},"FieldPath":"p","PAUSED":true}]',
      triggers: 1,
      paused: true,
      fieldPath: 'p',
    },
    {
      name: 'Kelvin sign folds to k',
      value: '[{"from":{"\u212aind":"ImageStreamTag","name":"a:b"},"fieldPath":"p"}]',
      triggers: 1,
    },
    {
      name: '"pause":"false" is an unknown key, ignored',
      value: '[{"from":{"kind":"ImageStreamTag","name":"a:b"},"fieldPath":"p","pause":"false"}]',
      triggers: 1,
      paused: false,
      ignored: ['[0].pause'],
    },
    {
      name: '"paused":"false" (string) fails the annotation',
      value: '[{"from":{"kind":"ImageStreamTag","name":"a:b"},"fieldPath":"p","paused":"false"}]',
      error: /cannot unmarshal string into Go struct field ObjectFieldTrigger.paused of type bool/,
    },
    { name: 'not JSON', value: '@ignore@', error: /not valid JSON/ },
    {
      name: 'an object instead of a list',
      value: '{"from":{}}',
      error: /cannot unmarshal object into Go value of type \[\]trigger.ObjectFieldTrigger/,
    },
    { name: 'null is no triggers', value: 'null', triggers: 0 },
    {
      name: 'a number as name',
      value: '[{"from":{"kind":"ImageStreamTag","name":5},"fieldPath":"p"}]',
      error: /ObjectFieldTrigger.from.name of type string/,
    },
    {
      name: 'duplicate fieldPaths',
      value: '[{"fieldPath":"p"},{"fieldPath":"p"}]',
      error: /duplicate triggers are not allowed/,
    },
    { name: 'not a string in YAML', value: [{ from: {} }], error: /must be a JSON string/ },
    {
      name: 'pretty-printed JSON (YAML block scalar)',
      value: '[\n  {\n    "from" : {"kind" : "ImageStreamTag", "name" : "a:latest"},\n    "fieldPath" : "p"\n  }\n]',
      triggers: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseTriggerAnnotation(c.value);
      if (c.error) {
        expect(r.error).toMatch(c.error);
        expect(r.triggers).toEqual([]);
        return;
      }
      expect(r.error).toBeUndefined();
      expect(r.triggers).toHaveLength(c.triggers ?? 0);
      if (c.paused !== undefined) expect(r.triggers[0]?.paused).toBe(c.paused);
      if (c.fieldPath) expect(r.triggers[0]?.fieldPath).toBe(c.fieldPath);
      expect(r.ignoredKeys).toEqual(c.ignored ?? []);
    });
  }

  it('watches only unpaused ImageStreamTag triggers without apiVersion and with a tag', () => {
    const base = {
      from: { kind: 'ImageStreamTag', name: 'a:b', namespace: '', apiVersion: '' },
      fieldPath: 'p',
      paused: false,
    };
    expect(isWatchedTrigger(base)).toBe(true);
    expect(isWatchedTrigger({ ...base, paused: true })).toBe(false);
    expect(isWatchedTrigger({ ...base, from: { ...base.from, apiVersion: 'image.openshift.io/v1' } })).toBe(false);
    expect(isWatchedTrigger({ ...base, from: { ...base.from, name: 'a' } })).toBe(false);
    expect(isWatchedTrigger({ ...base, from: { ...base.from, kind: 'DockerImage' } })).toBe(false);
  });

  it('formats as oc set triggers writes it, and parses back', () => {
    const text = formatTriggerAnnotation([
      {
        from: { kind: 'ImageStreamTag', name: 'app:v1', namespace: '', apiVersion: '' },
        fieldPath: 'spec.template.spec.containers[?(@.name=="web")].image',
        paused: true,
      },
    ]);
    expect(text).toBe(
      '[{"from":{"kind":"ImageStreamTag","name":"app:v1"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image","paused":true}]',
    );
    expect(parseTriggerAnnotation(text).triggers[0]?.paused).toBe(true);
  });
});

describe('parseFieldPath and findContainer', () => {
  const spec = {
    initContainers: [
      { name: 'init', image: 'i' },
      { name: 'shared', image: 'init-shared' },
    ],
    containers: [
      { name: 'web', image: 'w' },
      { name: 'shared', image: 'c-shared' },
    ],
  };
  const cases: { kind: string; path: string; want: string | { skip: boolean; message: RegExp } }[] = [
    { kind: 'Deployment', path: 'spec.template.spec.containers[?(@.name=="web")].image', want: 'w' },
    { kind: 'Deployment', path: 'spec.template.spec.containers[0].image', want: 'w' },
    { kind: 'Deployment', path: 'spec.template.spec.containers[1].image', want: 'c-shared' },
    { kind: 'Deployment', path: 'spec.template.spec.initContainers[0].image', want: 'i' },
    { kind: 'Deployment', path: 'spec.template.spec.initContainers[?(@.name=="init")].image', want: 'i' },
    // Name selectors look in initContainers first, whichever list the path names (pods.go GetContainerByName).
    { kind: 'Deployment', path: 'spec.template.spec.containers[?(@.name=="shared")].image', want: 'init-shared' },
    { kind: 'Deployment', path: 'spec.template.spec.containers[?(@.name=="init")].image', want: 'i' },
    { kind: 'StatefulSet', path: 'spec.template.spec.containers[?(@.name=="web")].image', want: 'w' },
    { kind: 'DaemonSet', path: 'spec.template.spec.containers[0].image', want: 'w' },
    { kind: 'CronJob', path: 'spec.jobTemplate.spec.template.spec.containers[?(@.name=="web")].image', want: 'w' },
    {
      kind: 'CronJob',
      path: 'spec.template.spec.containers[?(@.name=="web")].image',
      want: { skip: true, message: /does not start with spec.jobTemplate.spec.template.spec./ },
    },
    {
      kind: 'Deployment',
      path: 'spec.template.spec.containers[5].image',
      want: { skip: false, message: /^no such container/ },
    },
    {
      kind: 'Deployment',
      path: 'spec.template.spec.containers[?(@.name=="nope")].image',
      want: { skip: false, message: /^no such container/ },
    },
    {
      kind: 'Deployment',
      path: 'spec.template.spec.containers[?(@.name == "web")].image',
      want: { skip: false, message: /^no such container/ },
    },
    {
      kind: 'Deployment',
      path: 'spec.template.spec.containers[0].env',
      want: { skip: false, message: /^field path is not valid/ },
    },
    {
      kind: 'Deployment',
      path: 'spec.template.spec.volumes[0].image',
      want: { skip: false, message: /^field path is not valid/ },
    },
    {
      kind: 'Deployment',
      path: 'spec.template.spec.containers[0',
      want: { skip: false, message: /^field path is not valid/ },
    },
  ];
  for (const c of cases) {
    it(`${c.kind} ${c.path}`, () => {
      const r = parseFieldPath(c.kind, c.path);
      const container = r.ok ? findContainer(spec, r.selector) : undefined;
      if (typeof c.want === 'string') {
        expect(container?.image).toBe(c.want);
        return;
      }
      if (r.ok) {
        expect(container).toBeUndefined();
        expect(c.want.skip).toBe(false);
        return;
      }
      expect(r.skip).toBe(c.want.skip);
      expect(r.message).toMatch(c.want.message);
    });
  }
});
