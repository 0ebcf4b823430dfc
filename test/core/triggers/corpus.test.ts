/**
 * Every corpus file with DeploymentConfigs, annotated workloads and BuildConfigs: it loads, each
 * stream its triggers name gets a new image, and the hook does what OpenShift would — the odd
 * objects give a warning naming them, untriggered files stay byte-identical (dry run: nothing
 * is written).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStateStore } from '../../../src/state/store.js';
import { createTriggerHook } from '../../../src/core/triggers/controller/controller.js';
import { dcImageTriggers } from '../../../src/core/triggers/sources/deploymentconfigs.js';
import { strategyFrom } from '../../../src/core/triggers/sources/buildconfigs.js';
import { triggerAnnotationOf } from '../../../src/core/triggers/sources/annotations.js';
import { parseTriggerAnnotation } from '../../../src/domain/triggers/annotation.js';
import { splitImageStreamTag } from '../../../src/domain/imagestream.js';
import type { TagChange, TriggerReport } from '../../../src/core/context.js';
import type { ImageStream } from '../../../src/domain/types.js';
import type { FileChange, Snapshot, StoredObject } from '../../../src/state/types.js';
import { CORPUS } from '../../fixtures/corpus.js';

const D9 = `sha256:${'9'.repeat(64)}`;
const ref9 = (name: string) => `quay.io/corpus/${name}@${D9}`;
const settings = { internalRegistry: 'image-registry.openshift-image-registry.svc:5000', maxBulkImport: 50 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'isctl-corpus-triggers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Map_ = Record<string, unknown>;
const isMap = (v: unknown): v is Map_ => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `namespace/stream:tag` of every ImageStreamTag a trigger of `so` names. */
function istagsOf(so: StoredObject): string[] {
  const out: string[] = [];
  const add = (ns: string | undefined, name: unknown) => {
    if (typeof name === 'string' && splitImageStreamTag(name).ok) out.push(`${ns || so.namespace}/${name}`);
  };
  if (so.kind === 'DeploymentConfig')
    for (const t of dcImageTriggers(so.object as Map_, so.namespace)) add(t.from.namespace, t.from.name);
  if (so.kind === 'BuildConfig') {
    const triggers = isMap(so.object.spec) && Array.isArray(so.object.spec.triggers) ? so.object.spec.triggers : [];
    for (const t of triggers) {
      if (!isMap(t) || !isMap(t.imageChange)) continue;
      const from = isMap(t.imageChange.from) ? (t.imageChange.from as Map_) : strategyFrom(so.object as Map_);
      if (from) add(from.namespace as string, from.name);
    }
  }
  const annotation = triggerAnnotationOf(so.object);
  if (annotation !== undefined)
    for (const t of parseTriggerAnnotation(annotation).triggers) add(t.from.namespace, t.from.name);
  return out;
}

/** Gives every named tag a new items[0] (in the file's stream when there is one) and applies the hook. */
function importAll(snap: Snapshot): { report: TriggerReport; touchedFiles: Set<string> } {
  const istags = [...new Set(snap.objects.flatMap(istagsOf))];
  const touchedFiles = new Set<string>();
  const changes: TagChange[] = [];
  for (const key of istags) {
    const [ns, rest] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const { name, tag } = splitImageStreamTag(rest);
    const ref = `quay.io/corpus/${name}@${D9}`;
    let so = snap.find<ImageStream>('ImageStream', ns, name);
    if (!so)
      so = snap.add<ImageStream>(
        { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name, namespace: ns }, spec: {} },
        ns,
      );
    else if (so.location) touchedFiles.add(so.location.file);
    const status = (so.object.status ??= {});
    const tags = (status.tags ??= []);
    const history = tags.find((t) => t.tag === tag) ?? (tags.push({ tag, items: [] }), tags[tags.length - 1]!);
    (history.items ??= []).unshift({
      created: '2026-11-22T12:00:00Z',
      dockerImageReference: ref,
      image: D9,
      generation: 1,
    });
    changes.push({ namespace: ns, stream: name, tag, to: { image: D9, dockerImageReference: ref } });
  }
  // An unrelated change too, so the hook runs even when no trigger parses (bad annotations still warn).
  changes.push({
    namespace: 'elsewhere',
    stream: 'unrelated',
    tag: 'latest',
    to: { image: D9, dockerImageReference: ref9('unrelated') },
  });
  return {
    report: createTriggerHook({ now: () => new Date('2026-11-22T12:00:00Z') }).apply(snap, changes, settings),
    touchedFiles,
  };
}

interface Expectation {
  /** The file does not parse: the store reports it (path:line:col) and nothing in it is touched. */
  problem?: RegExp;
  /** The file is read with this warning (path:line:col). */
  readWarning?: RegExp;
  updated?: string[];
  builds?: string[];
  warnings?: RegExp[];
}

/** What each corpus file must give (files not listed: no warning; every update listed by kind/name). */
const expected: Record<string, Expectation> = {
  // A repeated `resources` key: read as kubectl reads it (the last one wins), with a warning naming
  // file:line:column; the file is never rewritten (test/state/repeated-keys.test.ts).
  'annotated-workloads/bugzilla-tools__git-build-watcher_git-build-watcher.cronjob.yml': {
    readWarning: /cronjob\.yml:43:15: key "resources" already set in map; the last one is used, as kubectl does$/,
    warnings: [/unknown key \[0\]\.pause is ignored/, /is skipped: its fieldPath must start with/],
  },
  // Two JSON documents concatenated: not valid JSON.
  'buildconfigs/origin__bc-from-imagestreamimage.json': {
    problem: /bc-from-imagestreamimage\.json:1:1: JSON syntax error/,
  },
  'deploymentconfigs/boober__ResourceMergerTest_deploymentconfig.json': { updated: ['DeploymentConfig/referanse'] },
  'deploymentconfigs/oc__overlapping-hpas.yaml': { updated: ['DeploymentConfig/someotherdc'] },
  // containerNames name containers the template lacks: the trigger cache never indexes such a trigger.
  'deploymentconfigs/fabric8__openshift-model_valid-deploymentConfig.json': {
    warnings: [
      new RegExp(
        String.raw`^DeploymentConfig myproject/fabric8-maven-sample-zero-config \(.*\): trigger on origin-ruby-sample:latest ` +
          String.raw`names container\(s\) helloworld that the pod template does not have; OpenShift ignores it$`,
      ),
    ],
  },
  'deploymentconfigs/restclient-java__v1_deployment_config.json': {
    warnings: [
      new RegExp(
        String.raw`^DeploymentConfig .*/database \(.*\): trigger on logging-auth-proxy:latest names container\(s\) ` +
          'kibana-proxy that the pod template does not have; OpenShift ignores it$',
      ),
    ],
  },
  'annotated-workloads/bugzilla-tools__redirect_redirect.deployment.yml': {
    updated: ['Deployment/redirect'],
    warnings: [
      /^Deployment default\/redirect \(.*\): annotation image.openshift.io\/triggers: unknown key \[0\]\.pause is ignored/,
    ],
  },
  'annotated-workloads/jkube__controller_daemonset_openshift.yml': {
    warnings: [
      /^DaemonSet default\/controller \(.*jkube__controller_daemonset_openshift.yml\): ignoring annotation image.openshift.io\/triggers: not valid JSON/,
    ],
  },
  'annotated-workloads/jkube__triggersannotation_openshift.yml': {
    warnings: [
      /^ReplicaSet default\/triggersannotation \(.*\): annotation image.openshift.io\/triggers has no effect on a ReplicaSet/,
    ],
  },
  'annotated-workloads/oc__deployment.yaml': { updated: ['Deployment/ruby-deploy'], builds: ['ruby-deploy'] },
  'annotated-workloads/origin__deployment-with-annotation-trigger.yaml': { updated: ['Deployment/test'] },
  'annotated-workloads/release__ci-search_deploy.yaml': { updated: ['StatefulSet/search'] },
  'deploymentconfigs/oc__bare-dc.yaml': {
    updated: ['DeploymentConfig/ruby-hello-world'],
    builds: ['ruby-hello-world'],
  },
  'deploymentconfigs/oc__new-app.yaml': {
    updated: ['DeploymentConfig/ruby-hello-world', 'DeploymentConfig/ruby-hello-world'],
    builds: ['ruby-hello-world', 'ruby-hello-world', 'ruby-hello-world'],
  },
  'deploymentconfigs/oc__different-project-image-deployment.yaml': { updated: ['DeploymentConfig/ruby-hello-world'] },
  'deploymentconfigs/origin__multi-ict-deployment.yaml': { updated: ['DeploymentConfig/example'] },
  'deploymentconfigs/origin__deployment-example.yaml': { updated: ['DeploymentConfig/example'] },
  'deploymentconfigs/jkube__controller-name-fragment_openshift.yml': { updated: ['DeploymentConfig/customized-name'] },
  'deploymentconfigs/fabric8__deploymentconfig-it.yml': {
    updated: ['dc-createorreplace', 'dc-delete', 'dc-get', 'dc-list', 'dc-scale', 'dc-update'].map(
      (n) => `DeploymentConfig/${n}`,
    ),
  },
};

const files = ['deploymentconfigs', 'annotated-workloads', 'buildconfigs'].flatMap((d) =>
  fs
    .readdirSync(path.join(CORPUS, d))
    .sort()
    .map((f) => `${d}/${f}`),
);

describe('corpus: triggers over every DeploymentConfig, annotated workload and BuildConfig file', () => {
  for (const rel of files) {
    it(rel, async () => {
      const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
      const base = path.basename(rel);
      const original = fs.readFileSync(path.join(CORPUS, rel));
      fs.writeFileSync(path.join(dir, base), original);
      const store = openStateStore(dir);
      const loaded = await store.read('default');
      const want = expected[rel] ?? {};
      if (want.problem) {
        expect(loaded.problems.map((p) => p.message)).toEqual([expect.stringMatching(want.problem)]);
        expect(loaded.objects).toEqual([]);
      } else {
        expect(loaded.problems.map((p) => p.message)).toEqual([]);
      }
      expect(loaded.warnings.map((w) => w.message)).toEqual(
        want.readWarning ? [expect.stringMatching(want.readWarning)] : [],
      );
      const { result, changes } = await store.update('default', (snap) => importAll(snap), { dryRun: true });
      const { report, touchedFiles } = result;
      expect(report.updated.map((u) => `${u.kind}/${u.name}`).sort()).toEqual([...(want.updated ?? [])].sort());
      if (!want.builds)
        expect(report.builds.every((b) => b.image === ref9(b.trigger.split('/')[1]!.split(':')[0]!))).toBe(true);
      if (want.builds) expect(report.builds.map((b) => b.name)).toEqual(want.builds);
      expect(report.warnings).toHaveLength(want.warnings?.length ?? 0);
      (want.warnings ?? []).forEach((re, i) => expect(report.warnings[i]).toMatch(re));
      // Nothing was written; a file none of whose objects changed is byte-identical in the plan too.
      expect(fs.readFileSync(path.join(dir, base)).equals(original)).toBe(true);
      const planned = changes.find((c: FileChange) => path.basename(c.path) === base);
      const touched = report.updated.length > 0 || report.builds.length > 0 || touchedFiles.has(base);
      if (!touched) expect(planned).toBeUndefined();
      for (const u of report.updated)
        for (const c of u.changes)
          expect(c.to).toMatch(
            /^(quay\.io\/corpus\/[a-z0-9-]+|image-registry\.openshift-image-registry\.svc:5000\/[a-z0-9-]+\/[a-z0-9-]+)@sha256:9{64}$/,
          );
    });
  }

  it('the CronJob with "pause":"false" and a pod-template fieldPath (repeated key removed): two warnings naming it, nothing changed', async () => {
    const text = fs
      .readFileSync(
        path.join(CORPUS, 'annotated-workloads/bugzilla-tools__git-build-watcher_git-build-watcher.cronjob.yml'),
        'utf8',
      )
      .replace('              resources: {}\n', '');
    const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
    fs.writeFileSync(path.join(dir, 'cronjob.yml'), text);
    const { result, changes } = await openStateStore(dir).update('default', (snap) => importAll(snap), {
      dryRun: true,
    });
    expect(result.report.updated).toEqual([]);
    expect(result.report.warnings).toEqual([
      'CronJob default/git-build-watcher-git-build-watcher (cronjob.yml): annotation ' +
        'image.openshift.io/triggers: unknown key [0].pause is ignored (did you mean "paused"?)',
      'CronJob default/git-build-watcher-git-build-watcher (cronjob.yml): trigger on ' +
        'git-build-watcher:latest is skipped: its fieldPath must start with ' +
        'spec.jobTemplate.spec.template.spec. (got ' +
        'spec.template.spec.containers[?(@.name=="git-build-watcher-git-build-watcher")].image)',
    ]);
    expect(changes.find((c) => path.basename(c.path) === 'cronjob.yml')).toBeUndefined();
  });
});
