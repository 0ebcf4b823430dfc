import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectGolden } from '../../helpers/index.js';
import { openStateStore } from '../../../src/state/store.js';
import { unifiedDiff } from '../../../src/output/diff.js';
import { createTriggerHook } from '../../../src/core/triggers/controller/controller.js';
import type { TagChange, TriggerReport } from '../../../src/core/context.js';
import type { ImageStream } from '../../../src/domain/types.js';
import type { FileChange, Snapshot } from '../../../src/state/types.js';

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures', 'triggers');
const D2 = `sha256:${'2'.repeat(64)}`;
const settings = { internalRegistry: 'image-registry.openshift-image-registry.svc:5000', maxBulkImport: 50 };
const now = () => new Date('2026-11-22T12:00:00Z');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function stateDir(files: Record<string, string>, project = 'team'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isctl-triggers-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  // The fixtures' objects name no namespace: the folder's project gives them one.
  fs.mkdirSync(path.join(dir, '.isctl'));
  fs.writeFileSync(path.join(dir, '.isctl', 'config.yaml'), `namespace: ${project}\n`);
  return dir;
}

/** What import-image does to the stream (a new items[0]), then the trigger hook, in one transaction. */
function importNewImage(
  snap: Snapshot,
  stream: string,
  tag: string,
  dockerImageReference: string,
  image = D2,
): TriggerReport {
  const so = snap.find<ImageStream>('ImageStream', snap.namespace, stream)!;
  const history = so.object.status!.tags!.find((t) => t.tag === tag)!;
  const before = history.items![0]!;
  history.items!.unshift({ created: '2026-11-22T12:00:00Z', dockerImageReference, image, generation: 2 });
  const change: TagChange = {
    namespace: snap.namespace,
    stream,
    tag,
    from: { image: before.image, dockerImageReference: before.dockerImageReference },
    to: { image, dockerImageReference },
  };
  return createTriggerHook({ now }).apply(snap, [change], settings);
}

function diffs(changes: FileChange[]): string {
  return changes.map((c) => unifiedDiff({ ...c, path: path.basename(c.path) }, { color: false })).join('');
}

describe('triggers end to end through the state store', () => {
  it('golden diff: a commented multi-document file gets only image values and trigger bookkeeping', async () => {
    const original = fs.readFileSync(path.join(FIXTURES, 'app.yaml'), 'utf8');
    const dir = stateDir({ 'app.yaml': original });
    const store = openStateStore(dir);
    const { result, changes } = await store.update('team', (snap) =>
      importNewImage(snap, 'web', 'latest', `quay.io/acme/web@${D2}`),
    );
    expect(result.warnings).toEqual([]);
    expect(result.builds).toEqual([
      {
        namespace: 'team',
        name: 'web-child',
        file: 'app.yaml',
        image: `quay.io/acme/web@${D2}`,
        trigger: 'team/web:latest',
        version: 1,
      },
    ]);
    expect(result.updated.map((u) => `${u.kind}/${u.name}`)).toEqual([
      'DeploymentConfig/web',
      'Deployment/web-worker',
      'CronJob/web-nightly',
    ]);
    expectGolden('triggers/app.diff', diffs(changes));
    expect(fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8')).toBe(changes[0]!.after);
  });

  it('--dry-run computes the same diff and leaves every byte', async () => {
    const original = fs.readFileSync(path.join(FIXTURES, 'app.yaml'), 'utf8');
    const dir = stateDir({ 'app.yaml': original });
    const { changes } = await openStateStore(dir).update(
      'team',
      (snap) => importNewImage(snap, 'web', 'latest', `quay.io/acme/web@${D2}`),
      { dryRun: true },
    );
    expectGolden('triggers/app.diff', diffs(changes));
    expect(fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8')).toBe(original);
    // Only the (hidden, emptied) lock folder of the store may appear; no state file is written.
    expect(fs.readdirSync(dir).filter((f) => f !== '.isctl')).toEqual(['app.yaml']);
    if (fs.existsSync(path.join(dir, '.isctl')))
      expect(fs.readdirSync(path.join(dir, '.isctl')).filter((f) => f !== 'config.yaml')).toEqual([]);
  });

  it('JSON files keep their indentation; a Local reference policy gives the internal registry pull spec', async () => {
    const stream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'api', namespace: 'team' },
      spec: {
        tags: [
          {
            name: 'v1',
            from: { kind: 'DockerImage', name: 'quay.io/acme/api:v1' },
            referencePolicy: { type: 'Local' },
          },
        ],
      },
      status: {
        dockerImageRepository: '',
        tags: [
          {
            tag: 'v1',
            items: [
              {
                created: '2026-11-01T10:00:00Z',
                dockerImageReference: `quay.io/acme/api@sha256:${'1'.repeat(64)}`,
                image: `sha256:${'1'.repeat(64)}`,
                generation: 1,
              },
            ],
          },
        ],
      },
    };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'api',
        namespace: 'team',
        annotations: {
          'image.openshift.io/triggers':
            '[{"from":{"kind":"ImageStreamTag","name":"api:v1"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"api\\")].image"}]',
        },
      },
      spec: { template: { spec: { containers: [{ name: 'api', image: 'old' }] } } },
    };
    const dir = stateDir({
      'stream.json': `${JSON.stringify(stream, null, 2)}\n`,
      'deploy.json': `${JSON.stringify(deployment, null, '\t')}\n`,
    });
    const { changes } = await openStateStore(dir).update('team', (snap) =>
      importNewImage(snap, 'api', 'v1', `quay.io/acme/api@${D2}`),
    );
    const deploy = changes.find((c) => c.path.endsWith('deploy.json'))!;
    const local = `image-registry.openshift-image-registry.svc:5000/team/api@${D2}`;
    expect(deploy.after).toBe(deploy.before!.replace('"image": "old"', `"image": "${local}"`));
    expect(deploy.after).toMatch(new RegExp(`\n\\t+"image": "${local.replace(/[.]/g, '\\.')}"\n`));
  });

  it('lookupPolicy.local resolves a short name in a workload of the same namespace', async () => {
    const text = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: tools
spec:
  lookupPolicy:
    local: true
status:
  tags:
  - tag: latest
    items:
    - created: "2026-11-01T10:00:00Z"
      dockerImageReference: quay.io/acme/tools@sha256:${'1'.repeat(64)}
      image: sha256:${'1'.repeat(64)}
      generation: 1
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: cleanup
            image: tools   # resolved by lookupPolicy.local
          - name: other
            image: tools:v2
`;
    const dir = stateDir({ 'tools.yaml': text }, 'ops');
    const { result, changes } = await openStateStore(dir).update('ops', (snap) =>
      importNewImage(snap, 'tools', 'latest', `quay.io/acme/tools@${D2}`),
    );
    expect(result.updated).toEqual([
      {
        kind: 'CronJob',
        namespace: 'ops',
        name: 'cleanup',
        file: 'tools.yaml',
        changes: [{ container: 'cleanup', from: 'tools', to: `quay.io/acme/tools@${D2}` }],
      },
    ]);
    expect(changes[0]!.after).toContain(
      `            image: quay.io/acme/tools@${D2}   # resolved by lookupPolicy.local\n          - name: other\n            image: tools:v2\n`,
    );
  });
});
