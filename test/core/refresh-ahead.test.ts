/**
 * A refresh records each stream, and edits its file, as soon as the stream's last answer is in
 * (src/core/refresh.ts recordAhead, StateStore.prepareEdit), while other streams still wait on
 * the registry; the transaction takes that record and edit only when the stream and its file are
 * still exactly what was read. These tests hold it to what a refresh without it writes, and to
 * what the file says at the transaction when somebody edits it meanwhile.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CoreContext, TriggerHook } from '../../src/core/context.js';
import { refresh } from '../../src/core/refresh.js';
import type { Image } from '../../src/domain/types.js';
import type { PullSpec } from '../../src/domain/pullspec.js';
import type { ImageSource, ResolvedImage } from '../../src/registry/types.js';
import { openStateStore } from '../../src/state/store.js';
import type { StateStore } from '../../src/state/types.js';
import { tempDir } from '../helpers/temp.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const streamText = (name: string, head = '') =>
  `${head}apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\n  namespace: default\n` +
  `spec:\n  tags:\n  - name: "1.0"\n    from:\n      kind: DockerImage\n      name: quay.example/${name}:1.0\n`;

function folder(): { dir: string; file: (name: string) => string } {
  const dir = tempDir('refresh-ahead');
  mkdirSync(path.join(dir, 'imagestreams'), { recursive: true });
  const file = (name: string) => path.join(dir, 'imagestreams', `${name}.yaml`);
  for (const name of ['a', 'b']) writeFileSync(file(name), streamText(name));
  return { dir, file };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

/** A registry of two repositories: `a` answers at once, `b` only after `beforeB` ran. */
function source(beforeB: () => Promise<void> | void): ImageSource {
  return {
    async resolve(spec: PullSpec): Promise<ResolvedImage> {
      const repo = spec.transport === 'docker' && spec.raw.startsWith('quay.example/b:') ? 'b' : 'a';
      if (repo === 'b') await beforeB();
      const digest = D(repo === 'a' ? '1' : '2');
      return {
        digest,
        dockerImageReference: `quay.example/${repo}@${digest}`,
        image: { metadata: { name: digest } } as unknown as Image,
        topDigest: digest,
        topMediaType: 'application/vnd.oci.image.manifest.v1+json',
      };
    },
    async listTags() {
      return [];
    },
    async close() {},
  };
}

const noTriggers = {
  apply: () => ({ updated: [], warnings: [], builds: [] }),
  reconcile: () => ({ updated: [], warnings: [], builds: [] }),
} as unknown as TriggerHook;

function context(store: StateStore, src: ImageSource): CoreContext {
  let i = 0;
  return {
    store,
    source: src,
    // Each reading of the clock a second later: the time a stream is recorded at shows in its file.
    now: () => new Date(Date.parse('2026-12-01T10:00:00Z') + 1000 * i++),
    namespace: 'default',
    settings: { internalRegistry: 'image-registry.openshift-image-registry.svc:5000', maxBulkImport: 50 },
    triggers: noTriggers,
  };
}

/** A store that makes no edit ahead (what the refresh writes without it). */
const withoutAhead = (store: StateStore): StateStore => {
  const { prepareEdit: _, ...rest } = store as StateStore & { prepareEdit?: unknown };
  return Object.assign(Object.create(Object.getPrototypeOf(store)), rest) as StateStore;
};

describe('records and edits made ahead', () => {
  test('write the bytes a refresh without them writes', async () => {
    const texts: string[][] = [];
    for (const ahead of [true, false]) {
      const { dir, file } = folder();
      const store = openStateStore(dir);
      const src = source(() => turns(5));
      const r = await refresh(context(ahead ? store : withoutAhead(store), src), {});
      expect(r.outcomes.map((o) => [o.stream, o.reason])).toEqual([
        ['a', 'Updated'],
        ['b', 'Updated'],
      ]);
      texts.push(['a', 'b'].map((n) => readFileSync(file(n), 'utf8')));
    }
    expect(texts[0]).toEqual(texts[1]);
    expect(texts[0][0]).toContain(`image: ${D('1')}`);
    expect(texts[0][1]).toContain(`image: ${D('2')}`);
  });

  test('a stream file edited after its record ahead is recorded on what it says at the transaction', async () => {
    const { dir, file } = folder();
    const store = openStateStore(dir);
    // While b still waits on the registry, somebody edits a's file (a's record ahead is made).
    const src = source(async () => {
      await turns(5);
      writeFileSync(
        file('a'),
        streamText('a', '# edited while isctl waited\n').replace('  name: a\n', '  name: a\n  labels:\n    team: x\n'),
      );
    });
    const r = await refresh(context(store, src), {});
    expect(r.outcomes.map((o) => o.reason)).toEqual(['Updated', 'Updated']);
    const a = readFileSync(file('a'), 'utf8');
    expect(a.startsWith('# edited while isctl waited\napiVersion:')).toBe(true);
    expect(a).toContain('  labels:\n    team: x\n');
    expect(a).toContain(`image: ${D('1')}`);
  });

  test("a stream's tag events take the time its record was made, before the transaction", async () => {
    const { dir, file } = folder();
    const store = openStateStore(dir);
    const src = source(() => turns(5));
    await refresh(context(store, src), {});
    const created = (n: string) => /created: "?([0-9TZ:-]+)"?/.exec(readFileSync(file(n), 'utf8'))?.[1];
    // Each stream is recorded when its last answer comes in (the clock steps a second a reading):
    // a answered first, so its time is the earlier, whatever time the transaction ran at.
    expect(Date.parse(created('a')!)).toBeLessThan(Date.parse(created('b')!));
  });
});
