/** buildGraph rules, object by object (the golden files cover the printers over a real folder). */
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/core/graph.js';
import { memorySnapshot } from '../helpers/memory-snapshot.js';
import type { KubeObject } from '../../src/domain/types.js';

const is = (name: string, tags: object[], status?: object, namespace?: string): KubeObject =>
  ({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: { tags },
    ...(status ? { status } : {}),
  }) as KubeObject;

describe('buildGraph', () => {
  it('draws an import edge from the repository with the tag or short digest', () => {
    const g = buildGraph(
      memorySnapshot([
        is('app', [
          {
            name: 'v1',
            from: { kind: 'DockerImage', name: 'quay.io/acme/app:1.0' },
            importPolicy: { scheduled: true },
          },
          { name: 'pin', from: { kind: 'DockerImage', name: `quay.io/acme/app@sha256:${'b'.repeat(64)}` } },
          { name: 'disk', from: { kind: 'DockerImage', name: 'oci:./layout:2.0' } },
        ]),
      ]),
      { namespace: 'default' },
    );
    expect(g.edges).toEqual([
      { from: 'repo:oci:./layout', to: 'tag:default/app:disk', kind: 'import', label: ':2.0' },
      { from: 'repo:quay.io/acme/app', to: 'tag:default/app:pin', kind: 'import', label: '@sha256:bbbbbbbbbbbb' },
      { from: 'repo:quay.io/acme/app', to: 'tag:default/app:v1', kind: 'import', label: ':1.0 scheduled' },
    ]);
    expect(g.nodes.filter((n) => n.kind === 'repository').map((n) => n.label)).toEqual([
      'oci:./layout',
      'quay.io/acme/app',
    ]);
  });

  it('links a tag tracking another tag of the same stream (from.name without a stream)', () => {
    const g = buildGraph(
      memorySnapshot([
        is('app', [{ name: 'prod', from: { kind: 'ImageStreamTag', name: 'latest' } }, { name: 'latest' }]),
      ]),
    );
    expect(g.edges).toEqual([
      { from: 'tag:default/app:latest', to: 'tag:default/app:prod', kind: 'tag', label: 'tag' },
    ]);
    expect(g.nodes.find((n) => n.id === 'tag:default/app:latest')?.missing).toBe(false);
  });

  it('uses the strategy from of a BuildConfig trigger without from, and draws its output', () => {
    const bc = {
      apiVersion: 'build.openshift.io/v1',
      kind: 'BuildConfig',
      metadata: { name: 'b' },
      spec: {
        strategy: { dockerStrategy: { from: { kind: 'ImageStreamTag', name: 'base:1' } } },
        triggers: [
          { type: 'ImageChange', imageChange: {} },
          {
            type: 'ImageChange',
            imageChange: { paused: true, from: { kind: 'ImageStreamTag', name: 'other:2', namespace: 'x' } },
          },
        ],
        output: { to: { kind: 'ImageStreamTag', name: 'app:latest' } },
      },
    } as KubeObject;
    const g = buildGraph(memorySnapshot([bc]), { namespace: 'default' });
    expect(g.edges).toEqual([
      { from: 'tag:default/base:1', to: 'wl:default/BuildConfig/b', kind: 'trigger', label: 'ImageChange' },
      {
        from: 'tag:x/other:2',
        to: 'wl:default/BuildConfig/b',
        kind: 'trigger',
        label: 'ImageChange paused',
        inactive: true,
      },
      { from: 'wl:default/BuildConfig/b', to: 'tag:default/app:latest', kind: 'output', label: 'builds' },
    ]);
    expect(g.nodes.find((n) => n.id === 'tag:default/base:1')).toMatchObject({ missing: true, label: 'base:1' });
  });

  it('marks a workload whose trigger annotation OpenShift rejects', () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        annotations: {
          'image.openshift.io/triggers':
            '[{"from":{"kind":"ImageStreamTag","name":"a:1"},"fieldPath":"x","paused":"false"}]',
        },
      },
    } as KubeObject;
    const g = buildGraph(memorySnapshot([d]));
    expect(g.nodes[0]).toMatchObject({ label: 'deployment/web' });
    expect(g.nodes[0].problem).toMatch(/^trigger annotation rejected: json: cannot unmarshal string/);
    expect(g.edges).toEqual([]);
  });

  it('qualifies names with namespaces when drawing several', () => {
    const g = buildGraph(
      memorySnapshot([is('a', [{ name: 't' }], undefined, 'n1'), is('b', [{ name: 't' }], undefined, 'n2')]),
    );
    expect(g.nodes.map((n) => n.label)).toEqual(['n1/a:t', 'n2/b:t']);
    expect(
      buildGraph(
        memorySnapshot([is('a', [{ name: 't' }], undefined, 'n1'), is('b', [{ name: 't' }], undefined, 'n2')]),
        { namespace: 'n1' },
      ).nodes.map((n) => n.label),
    ).toEqual(['a:t']);
  });
});

describe('buildGraph names from other namespaces', () => {
  it('prefixes a trigger source from another namespace even when drawing one', () => {
    const dc = {
      apiVersion: 'apps.openshift.io/v1',
      kind: 'DeploymentConfig',
      metadata: { name: 'web' },
      spec: {
        template: { spec: { containers: [{ name: 'web', image: ' ' }] } },
        triggers: [
          {
            type: 'ImageChange',
            imageChangeParams: {
              automatic: true,
              containerNames: ['web'],
              from: { kind: 'ImageStreamTag', name: 'nodejs:20', namespace: 'openshift' },
            },
          },
        ],
      },
    } as KubeObject;
    const g = buildGraph(memorySnapshot([dc]), { namespace: 'default' });
    expect(g.nodes.map((n) => n.label)).toEqual(['dc/web', 'openshift/nodejs:20']);
  });
});
