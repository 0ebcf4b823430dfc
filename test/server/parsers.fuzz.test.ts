/**
 * Hostile input to the webhook payload parsers (src/server/parsers.ts): for every sender, any
 * JSON body and any headers either parse into push events or throw PayloadError (answered 400),
 * never anything else, and every event names a repository and a tag.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDelivery, splitImageUrl } from '../../src/server/parsers.js';
import { PayloadError, SENDERS } from '../../src/server/events.js';
import { expectTypedError, fcParams, propertyTimeout, timed } from '../helpers/fuzz.js';

const j = fc.jsonValue({ maxDepth: 3 });
const str = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '',
    'push',
    'pull',
    'PUSH_ARTIFACT',
    'harbor.artifact.pushed',
    'published',
    'updated',
    'container',
    'docker',
    'registry.example.com:5000/team/app:1.0',
    'ghcr.io/o/p:t@sha256:00',
    'application/vnd.oci.image.manifest.v1+json',
    'application/octet-stream',
  ),
);
const v = fc.oneof(str, j);
const rec = <T extends Record<string, fc.Arbitrary<unknown>>>(r: T) => fc.record(r, { requiredKeys: [] });

/** Bodies shaped like each sender's payload, every field of any type (the nearer, the deeper the parser goes). */
const distribution = rec({
  events: fc.oneof(
    j,
    fc.array(
      rec({
        id: v,
        action: v,
        target: fc.oneof(j, rec({ repository: v, tag: v, mediaType: v, digest: v, url: v })),
        request: fc.oneof(j, rec({ host: v })),
      }),
      { maxLength: 4 },
    ),
  ),
});
const dockerhub = rec({ repository: fc.oneof(j, rec({ repo_name: v })), push_data: fc.oneof(j, rec({ tag: v })) });
const quay = rec({
  docker_url: v,
  repository: v,
  homepage: v,
  updated_tags: fc.oneof(j, fc.array(v, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), v)),
});
const harborData = rec({
  repository: fc.oneof(j, rec({ repo_full_name: v, namespace: v, name: v })),
  resources: fc.oneof(j, fc.array(fc.oneof(j, rec({ tag: v, resource_url: v, digest: v })), { maxLength: 4 })),
});
const harbor = rec({ type: v, specversion: v, event_data: fc.oneof(j, harborData), data: fc.oneof(j, harborData) });
const github = rec({
  action: v,
  registry_package: fc.oneof(
    j,
    rec({
      package_type: v,
      ecosystem: v,
      name: v,
      owner: fc.oneof(j, rec({ login: v })),
      package_version: fc.oneof(
        j,
        rec({
          package_url: v,
          container_metadata: fc.oneof(j, rec({ tag: fc.oneof(j, rec({ name: v, digest: v })) })),
        }),
      ),
    }),
  ),
  package: j,
});
const body = fc.oneof(j, distribution, dockerhub, quay, harbor, github);
const headers = rec({
  'ce-type': fc.oneof(fc.constantFrom('harbor.artifact.pushed', 'x'), fc.string({ maxLength: 10 })),
  'x-github-event': fc.constantFrom('registry_package', 'package', 'ping', 'push', ''),
}) as fc.Arbitrary<Record<string, string | undefined>>;

describe('webhook payload parsers under hostile input', () => {
  it(
    'parse any body for any sender into events or a PayloadError, within the per-case bound',
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...SENDERS), body, headers, (sender, b, h) => {
          const { value, error } = timed(`parseDelivery(${sender})`, () => parseDelivery(sender, b, h));
          if (error !== undefined) return expectTypedError(error, [PayloadError], { sender, b, h });
          expect(Number.isInteger(value!.ignored)).toBe(true);
          for (const e of value!.events) {
            expect(typeof e.repository).toBe('string');
            expect(e.repository.length).toBeGreaterThan(0);
            // PushEvent.tag is optional ("absent when the sender did not name one"), never empty.
            if (e.tag !== undefined) expect(e.tag.length).toBeGreaterThan(0);
          }
        }),
        fcParams(),
      );
    },
    propertyTimeout(),
  );

  it(
    'split any image URL without throwing',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 200 }),
            fc
              .array(fc.constantFrom('a', '/', ':', '@', '.', 'localhost', 'https://', 'x:5000'), { maxLength: 40 })
              .map((a) => a.join('')),
          ),
          (url) => {
            const { value, error } = timed('splitImageUrl', () => splitImageUrl(url));
            expect(error).toBeUndefined();
            expect(typeof value!.repository).toBe('string');
          },
        ),
        fcParams(),
      );
    },
    propertyTimeout(),
  );
});
