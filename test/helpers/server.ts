/** Helpers for in-process tests of serve: a recording fake refresh, a log sink, HTTP calls. */
import { readFileSync } from 'node:fs';
import type { RefreshResult, RefreshSelection } from '../../src/core/refresh.js';
import { createLogger, type Logger } from '../../src/server/log.js';
import type { StreamView } from '../../src/server/matcher.js';
import type { ImageStream } from '../../src/domain/types.js';

/** Reads a webhook fixture's raw text. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8');
}

/** A stream view with DockerImage tags. */
export function view(namespace: string, name: string, tags: Record<string, string>, scheduled = false): StreamView {
  const stream: ImageStream = {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name },
    spec: {
      tags: Object.entries(tags).map(([t, from]) => ({
        name: t,
        from: { kind: 'DockerImage', name: from },
        importPolicy: { scheduled },
      })),
    },
  };
  return { namespace, name, stream };
}

/** A fake refresh that records each selection and answers which tags it selected. */
export function fakeRefresh(streams: StreamView[], opts: { delayMs?: number; gate?: () => Promise<void> } = {}) {
  const calls: { selection: RefreshSelection; tags: string[] }[] = [];
  const refresh = async (selection: RefreshSelection): Promise<RefreshResult> => {
    const tags: string[] = [];
    for (const s of streams) {
      if (selection.namespace !== undefined && s.namespace !== selection.namespace) continue;
      for (const t of s.stream.spec.tags ?? []) {
        if (selection.scheduledOnly && !t.importPolicy?.scheduled) continue;
        const from = t.from!.name;
        if (selection.match && !selection.match({ namespace: s.namespace, stream: s.name, tag: t.name, from }))
          continue;
        tags.push(`${s.namespace}/${s.name}:${t.name}`);
      }
    }
    calls.push({ selection, tags });
    if (opts.gate && !selection.scheduledOnly) await opts.gate();
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    return {
      outcomes: tags.map((k) => {
        const [ns, rest] = k.split('/');
        const [stream, tag] = rest.split(':');
        return {
          namespace: ns,
          stream,
          tag,
          from: 'x',
          status: 'unchanged' as const,
          reason: 'Unchanged' as const,
          newDigest: `sha256:${'0'.repeat(64)}`,
        };
      }),
      changes: [],
      triggers: { updated: [], warnings: [], builds: [] },
    };
  };
  return { refresh, calls };
}

/** A JSON logger collecting parsed lines. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const raw: string[] = [];
  const logger = createLogger('json', (l) => raw.push(l));
  return {
    logger,
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}

/** Waits until `cond` is true or `ms` passed. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
