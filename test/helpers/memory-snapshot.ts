/** An in-memory Snapshot for unit tests of the trigger rules (the real store is tested end to end elsewhere). */
import type { Snapshot, StoredObject } from '../../src/state/types.js';
import type { KubeObject } from '../../src/domain/types.js';

export function memorySnapshot(objects: KubeObject[], namespace = 'default', file = 'objects.yaml'): Snapshot {
  const stored: StoredObject[] = objects.map((o, i) => ({
    location: { file, document: i },
    original: structuredClone(o),
    object: o,
    current: o,
    namespace: o.metadata?.namespace ?? namespace,
    kind: o.kind ?? '',
    name: o.metadata?.name ?? '',
  }));
  const sorted = (list: StoredObject[]) =>
    [...list].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return {
    namespace,
    objects: stored,
    objectsExcept: (kind: string) => stored.filter((s) => s.kind !== kind),
    problems: [],
    warnings: [],
    find: <T extends KubeObject>(kind: string, ns: string, name: string) =>
      stored.find((s) => s.kind === kind && s.namespace === ns && s.name === name) as StoredObject<T> | undefined,
    list: <T extends KubeObject>(kind: string, ns?: string) =>
      sorted(stored.filter((s) => s.kind === kind && (ns === undefined || s.namespace === ns))) as StoredObject<T>[],
    findMany: <T extends KubeObject>(kind: string, keys: readonly { namespace: string; name: string }[]) =>
      keys.map(
        (k) =>
          stored.find((s) => s.kind === kind && s.namespace === k.namespace && s.name === k.name) as
            | StoredObject<T>
            | undefined,
      ),
    listViews: <V>(kind: string, ns?: string) =>
      sorted(stored.filter((s) => s.kind === kind && (ns === undefined || s.namespace === ns))).map((s) => ({
        namespace: s.namespace,
        name: s.name,
        view: s.current as V,
      })),
    add: () => {
      throw new Error('not supported');
    },
    remove: () => {
      throw new Error('not supported');
    },
    markers: [],
    setMarker: () => {
      throw new Error('not supported');
    },
  };
}

export const D1 = `sha256:${'1'.repeat(64)}`;
export const D2 = `sha256:${'2'.repeat(64)}`;
export const D3 = `sha256:${'3'.repeat(64)}`;

/** An ImageStream with one history event per tag. */
export function stream(
  name: string,
  tags: Record<string, { ref: string; image: string }>,
  extra: { namespace?: string; local?: boolean; lookup?: boolean } = {},
): KubeObject {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}) },
    spec: {
      ...(extra.lookup ? { lookupPolicy: { local: true } } : {}),
      tags: Object.keys(tags).map((t) => ({
        name: t,
        from: { kind: 'DockerImage', name: `quay.io/acme/${name}:${t}` },
        ...(extra.local ? { referencePolicy: { type: 'Local' } } : {}),
      })),
    },
    status: {
      dockerImageRepository: '',
      tags: Object.entries(tags).map(([t, e]) => ({
        tag: t,
        items: [{ created: '2026-11-22T10:00:00Z', dockerImageReference: e.ref, image: e.image, generation: 2 }],
      })),
    },
  };
}

export const settings = { internalRegistry: 'image-registry.openshift-image-registry.svc:5000', maxBulkImport: 50 };
