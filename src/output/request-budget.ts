/**
 * The registry budget of a run as `refresh --dry-run` prints it: how many requests a real run
 * would make (the dry run made the same ones: it reads the registry as a real run does and only
 * leaves the folder alone), per registry by kind, with the rate-limit quota the registry reported.
 */
import type { RegistryRequests, RequestKind } from '../registry/types.js';
import { escapeControls } from '../domain/escape.js';

const KIND_NAMES: [RequestKind, string][] = [
  ['headManifest', 'HEAD manifest'],
  ['getManifest', 'GET manifest'],
  ['getBlob', 'GET blob'],
  ['tagsList', 'tags list'],
  ['token', 'token'],
  ['signature', 'signature'],
];

/** `a real run would make 7 registry requests (dry run)` and one line per registry. */
export function renderRequestBudget(registries: readonly RegistryRequests[]): string[] {
  const total = registries.reduce((n, r) => n + r.requests, 0);
  const lines = [`a real run would make ${total} registry request${total === 1 ? '' : 's'} (dry run)`];
  for (const r of registries) {
    const kinds = KIND_NAMES.filter(([k]) => r.byKind[k] > 0)
      .map(([k, name]) => `${name} ${r.byKind[k]}`)
      .join(', ');
    const rl = r.rateLimit;
    const quota = rl?.remaining
      ? `; rate limit remaining ${rl.remaining}${rl.limit ? ` of ${rl.limit}` : ''}`
      : rl?.limit
        ? `; rate limit ${rl.limit}`
        : '';
    lines.push(escapeControls(`  ${r.registry}: ${r.requests}${kinds ? ` (${kinds})` : ''}${quota}`));
  }
  return lines;
}

/** The total of every registry's requests. */
export function totalRequests(registries: readonly RegistryRequests[]): number {
  return registries.reduce((n, r) => n + r.requests, 0);
}
