/** Status documents for the status page tests, built in memory through the real model. */
import { Entry, SnapshotImpl } from '../../src/state/snapshot.js';
import type { KubeObject } from '../../src/domain/types.js';
import type { RefreshResult, TagRefreshOutcome } from '../../src/core/refresh.js';
import { ActivityLog } from '../../src/server/status/activity.js';
import { buildStatus, folderView } from '../../src/server/status/model.js';
import type { StatusDocument } from '../../src/server/status/types.js';

export const NOW = Date.parse('2026-11-22T12:00:00Z');
export const DIGEST_A = `sha256:${'a1'.repeat(32)}`;
export const DIGEST_B = `sha256:${'b2'.repeat(32)}`;

/** A stream with DockerImage tags; `status` gives each tag's current image or failure. */
export function stream(
  namespace: string,
  name: string,
  tags: {
    name: string;
    from?: string;
    digest?: string;
    created?: string;
    failure?: { reason: string; message: string };
    scheduled?: boolean;
  }[],
): KubeObject {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, namespace },
    spec: {
      tags: tags.map((t) => ({
        name: t.name,
        from: { kind: 'DockerImage', name: t.from ?? `registry.example/${name}:${t.name}` },
        importPolicy: { scheduled: Boolean(t.scheduled) },
      })),
    },
    status: {
      dockerImageRepository: '',
      tags: tags
        .filter((t) => t.digest || t.failure)
        .map((t) => ({
          tag: t.name,
          items: t.digest
            ? [
                {
                  created: t.created ?? '2026-11-22T11:57:00Z',
                  dockerImageReference: `registry.example/${name}@${t.digest}`,
                  image: t.digest,
                  generation: 1,
                },
              ]
            : null,
          ...(t.failure
            ? {
                conditions: [
                  {
                    type: 'ImportSuccess',
                    status: 'False',
                    lastTransitionTime: '2026-11-22T11:00:00Z',
                    reason: t.failure.reason,
                    message: t.failure.message,
                    generation: 1,
                  },
                ],
              }
            : {}),
        })),
    },
  } as unknown as KubeObject;
}

/** A Deployment whose `image.openshift.io/triggers` annotation follows `istag`. */
export function deployment(namespace: string, name: string, istag: string, container = 'web'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      annotations: {
        'image.openshift.io/triggers': JSON.stringify([
          {
            from: { kind: 'ImageStreamTag', name: istag },
            fieldPath: `spec.template.spec.containers[?(@.name=="${container}")].image`,
          },
        ]),
      },
    },
    spec: { template: { spec: { containers: [{ name: container, image: 'placeholder' }] } } },
  } as unknown as KubeObject;
}

/** A refresh result with the given outcomes. */
export function result(outcomes: TagRefreshOutcome[]): RefreshResult {
  return { outcomes, changes: [], triggers: { updated: [], warnings: [], builds: [] } };
}

/** Builds a document from objects and what `serve` saw. */
export function documentOf(
  objects: KubeObject[],
  o: {
    activity?: ActivityLog;
    secrets?: string[];
    namespace?: string;
    webhooks?: boolean;
  } = {},
): StatusDocument {
  const entries = objects.map((obj) => new Entry(null, null, obj, obj.metadata?.namespace ?? 'default'));
  const snapshot = new SnapshotImpl('default', entries, []);
  return buildStatus({
    now: NOW,
    folder: folderView(snapshot, o.namespace),
    namespace: o.namespace,
    activity: o.activity ?? new ActivityLog(() => NOW),
    scheduler: { intervalMs: 900_000, buckets: 4, tickMs: 225_000, nextRun: { at: NOW + 100_000, bucket: 2 } },
    serve: {
      listen: '127.0.0.1:8080',
      startedAt: '2026-11-22T10:00:00Z',
      webhooks: o.webhooks ?? true,
      access: 'loopback',
      queueDepth: 0,
      importing: false,
    },
    refreshSeconds: 5,
    secrets: o.secrets ?? [],
  });
}
