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
import type { ImageSource, ResolveOptions, ResolvedImage } from '../../src/registry/types.js';
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

/**
 * A registry of two repositories: `a` answers at once, `b` (`bDigest`) only after `beforeB` ran. A tag that
 * still names the digest the stream records answers `unchanged`, as one HEAD does.
 */
function source(beforeB: () => Promise<void> | void, bDigest = D('2')): ImageSource {
  return {
    async resolve(spec: PullSpec, ro?: ResolveOptions): Promise<ResolvedImage> {
      const repo = spec.transport === 'docker' && spec.raw.startsWith('quay.example/b:') ? 'b' : 'a';
      if (repo === 'b') await beforeB();
      const digest = repo === 'a' ? D('1') : bDigest;
      return {
        digest,
        dockerImageReference: `quay.example/${repo}@${digest}`,
        image: { metadata: { name: digest } } as unknown as Image,
        topDigest: digest,
        topMediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...(ro?.unchangedIf === digest ? { unchanged: true } : {}),
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

/** A failed import of `tag` noted in the stream's file, as a refresh that failed leaves it. */
function withFailure(text: string): string {
  const at = text.indexOf('  - tag: "1.0"\n');
  expect(at).toBeGreaterThan(0);
  const condition =
    '    conditions:\n    - type: ImportSuccess\n      status: "False"\n' +
    '      lastTransitionTime: "2026-11-30T09:00:00Z"\n      reason: NotFound\n' +
    '      message: not found\n      generation: 2\n';
  const next = text.indexOf('    items:\n', at);
  return text.slice(0, next) + condition + text.slice(next);
}

describe('a warm refresh (every answer unchanged)', () => {
  /** Both streams imported once; the folder, its store and the files' bytes. */
  async function imported() {
    const { dir, file } = folder();
    await refresh(
      context(
        openStateStore(dir),
        source(() => {}),
      ),
      {},
    );
    return { dir, file, texts: () => ['a', 'b'].map((n) => readFileSync(file(n), 'utf8')) };
  }

  test('writes nothing, with its records made ahead or without them', async () => {
    for (const ahead of [true, false]) {
      const { dir, texts } = await imported();
      const before = texts();
      const store = openStateStore(dir);
      const r = await refresh(
        context(
          ahead ? store : withoutAhead(store),
          source(() => turns(5)),
        ),
        {},
      );
      expect(r.outcomes.map((o) => [o.stream, o.reason])).toEqual([
        ['a', 'Unchanged'],
        ['b', 'Unchanged'],
      ]);
      expect(r.changes).toEqual([]);
      expect(texts()).toEqual(before);
    }
  });

  test('still clears the failure a tag noted before, as a refresh without records ahead does', async () => {
    const written: string[][] = [];
    for (const ahead of [true, false]) {
      const { dir, file, texts } = await imported();
      writeFileSync(file('a'), withFailure(readFileSync(file('a'), 'utf8')));
      const store = openStateStore(dir);
      const r = await refresh(
        context(
          ahead ? store : withoutAhead(store),
          source(() => turns(5)),
        ),
        {},
      );
      expect(r.changes.map((c) => path.basename(c.path))).toEqual(['a.yaml']);
      written.push(texts());
    }
    expect(written[0]).toEqual(written[1]);
    expect(written[0][0]).not.toContain('conditions:');
  });

  test('records a stream found unchanged ahead on what its file says at the transaction', async () => {
    const { dir, file } = await imported();
    // a's answer is in (and found to change nothing) while b still waits; then the failure of
    // an earlier run appears in a's file (a checkout, another isctl). b moved, so the refresh
    // writes under the lock, on the files as they are then: a's failure is cleared.
    const src = source(async () => {
      await turns(5);
      writeFileSync(file('a'), withFailure(readFileSync(file('a'), 'utf8')));
    }, D('3'));
    const r = await refresh(context(openStateStore(dir), src), {});
    expect(r.outcomes.map((o) => o.reason)).toEqual(['Unchanged', 'Updated']);
    expect(r.changes.map((c) => path.basename(c.path))).toEqual(['a.yaml', 'b.yaml']);
    expect(readFileSync(file('a'), 'utf8')).not.toContain('conditions:');
    expect(readFileSync(file('b'), 'utf8')).toContain(`image: ${D('3')}`);
  });
});
