// Generates state folders the way users keep them: one ImageStream per YAML file, folders per
// namespace, fields in the order `oc get is -o yaml` prints them.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';

const fakeDigest = (s) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const q = (s) => JSON.stringify(s);

function tagSpec({ name, from, generation, insecure }) {
  return [
    `  - annotations: null`,
    `    from:`,
    `      kind: DockerImage`,
    `      name: ${from}`,
    ...(generation ? [`    generation: ${generation}`] : []),
    `    importPolicy:`,
    ...(insecure ? [`      insecure: true`] : []),
    `      importMode: Legacy`,
    `    name: ${q(name)}`,
    `    referencePolicy:`,
    `      type: Source`,
  ];
}

function tagStatus(tag, items) {
  return [
    `  - items:`,
    ...items.flatMap((it) => [
      `    - created: "${it.created}"`,
      `      dockerImageReference: ${it.ref}`,
      `      generation: ${it.generation}`,
      `      image: ${it.image}`,
    ]),
    `    tag: ${q(tag)}`,
  ];
}

function streamYaml({ name, namespace, tags, statuses, generation, host }) {
  const meta = [
    'apiVersion: image.openshift.io/v1',
    'kind: ImageStream',
    'metadata:',
    ...(statuses ? ['  annotations:', '    openshift.io/image.dockerRepositoryCheck: "2026-01-01T00:00:00Z"'] : []),
    '  creationTimestamp: "2025-06-01T08:00:00Z"',
    ...(generation ? [`  generation: ${generation}`] : []),
    '  labels:',
    `    app: ${name}`,
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    '  lookupPolicy:',
    '    local: false',
    '  tags:',
    ...tags.flatMap(tagSpec),
  ];
  if (!statuses) return `${meta.join('\n')}\n`;
  return `${[
    ...meta,
    'status:',
    `  dockerImageRepository: image-registry.openshift-image-registry.svc:5000/${namespace ?? 'default'}/${name}`,
    '  tags:',
    ...statuses.flatMap((s) => tagStatus(s.tag, s.items)),
  ].join('\n')}\n`;
}

/**
 * The cold-import folder: one stream per seeded repository (`rNNN`), one spec tag per seeded
 * tag, pointing at `host/repo:tag`, with no status yet (nothing imported); `insecure: false` for
 * a TLS registry whose CA is trusted (bench/tls.mjs).
 */
export function writeImportFolder(dir, host, seeded, { insecure = true } = {}) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'imagestreams'), { recursive: true });
  const byRepo = new Map();
  for (const s of seeded) (byRepo.get(s.repo) ?? byRepo.set(s.repo, []).get(s.repo)).push(s);
  for (const [repo, items] of byRepo) {
    const name = repo.split('/').pop();
    const tags = items.map((s) => ({ name: s.tag, from: `${host}/${s.repo}:${s.tag}`, insecure }));
    writeFileSync(path.join(dir, 'imagestreams', `${name}.yaml`), streamYaml({ name, tags }));
  }
  return byRepo.size;
}

/**
 * A scale folder: `streams` streams over `namespaces` namespaces, 5 tags each with 3 history
 * items. Every tag is pinned by digest to a real seeded image (`pins`, cycled) and already
 * imported (items[0].generation == spec generation), so refresh skips it; only `moving`
 * ({ tag: 'host/repo:tag', oldDigest }) is a tag reference whose recorded digest is stale.
 * Returns { describe: { name, namespace }, changing: { name, namespace, tag } }.
 */
export function writeScaleFolder(dir, host, { streams, namespaces = 10, pins, moving, nsNames }) {
  rmSync(dir, { recursive: true, force: true });
  const names = nsNames ?? Array.from({ length: namespaces }, (_, i) => `ns-${String(i).padStart(2, '0')}`);
  for (const ns of names) mkdirSync(path.join(dir, ns), { recursive: true });
  let p = 0;
  for (let i = 0; i < streams; i++) {
    const namespace = names[i % names.length];
    const name = `app-${String(i).padStart(5, '0')}`;
    const tags = [];
    const statuses = [];
    for (let t = 0; t < 5; t++) {
      const tag = ['latest', 'stable', 'v1', 'v1.1', 'v1.2'][t];
      const pin = pins[p++ % pins.length];
      const isMoving = i === 0 && t === 0 && moving;
      const from = isMoving ? `${host}/${moving.repo}:${moving.tag}` : `${host}/${pin.repo}@${pin.digest}`;
      const current = isMoving ? moving.oldDigest : pin.digest;
      const repo = isMoving ? moving.repo : pin.repo;
      tags.push({ name: tag, from, generation: 3, insecure: true });
      statuses.push({
        tag,
        items: [current, fakeDigest(`${name}/${tag}/2`), fakeDigest(`${name}/${tag}/1`)].map((image, k) => ({
          created: `2025-0${6 + 2 - k}-01T08:00:00Z`,
          ref: `${host}/${repo}@${image}`,
          generation: 3 - k,
          image,
        })),
      });
    }
    writeFileSync(
      path.join(dir, namespace, `${name}.yaml`),
      streamYaml({ name, namespace, tags, statuses, generation: 3, host }),
    );
  }
  return {
    describe: {
      name: `app-${String(Math.min(42, streams - 1)).padStart(5, '0')}`,
      namespace: names[Math.min(42, streams - 1) % names.length],
    },
    changing: moving ? { name: 'app-00000', namespace: names[0], tag: 'latest' } : undefined,
  };
}
