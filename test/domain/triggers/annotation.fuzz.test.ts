/**
 * Hostile input to the `image.openshift.io/triggers` annotation parser
 * (src/domain/triggers/annotation.ts). Its documented contract is Go's: it never throws; a value
 * that does not decode yields `error` (the controller logs it and skips the object) and no triggers.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTriggerAnnotation, formatTriggerAnnotation } from '../../../src/domain/triggers/annotation.js';
import { fcParams, propertyTimeout, timed } from '../../helpers/fuzz.js';

const jsonish = fc.jsonValue({ maxDepth: 4 });
const field = fc.oneof(
  fc.constantFrom(
    'spec.template.spec.containers[?(@.name=="app")].image',
    'spec.containers[0].image',
    'spec.jobTemplate.spec.template.spec.containers[?(@.name=="x")].image',
    '',
  ),
  fc.string({ maxLength: 40 }),
);
/** Trigger-shaped entries whose fields have any type. */
const triggerLike = fc.record(
  {
    from: fc.oneof(
      jsonish,
      fc.record(
        {
          kind: fc.oneof(fc.constantFrom('ImageStreamTag', 'DockerImage'), jsonish),
          name: fc.oneof(fc.constantFrom('app:latest', 'ns/app:1', 'app'), jsonish),
          namespace: jsonish,
          apiVersion: jsonish,
        },
        { requiredKeys: [] },
      ),
    ),
    fieldPath: fc.oneof(field, jsonish),
    paused: fc.oneof(fc.boolean(), fc.constantFrom('true', 'false'), jsonish),
    extra: jsonish,
  },
  { requiredKeys: [] },
);
const annotationValue = fc.oneof(
  { weight: 4, arbitrary: fc.array(triggerLike, { maxLength: 5 }).map((a) => JSON.stringify(a)) },
  { weight: 2, arbitrary: jsonish.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(triggerLike, { maxLength: 3 })
      .map((a) => JSON.stringify(a).slice(0, -1 - (JSON.stringify(a).length % 5))),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`) },
  { weight: 1, arbitrary: jsonish },
);

describe('trigger annotation parser under hostile input', () => {
  it(
    'never throws: any value yields triggers or an error string, within the per-case bound',
    () => {
      fc.assert(
        fc.property(annotationValue, (value) => {
          const { value: parsed, error } = timed('parseTriggerAnnotation', () => parseTriggerAnnotation(value));
          if (error !== undefined)
            expect.fail(
              `threw ${(error as Error).constructor.name}: ${(error as Error).message} for ${JSON.stringify(value).slice(0, 300)}`,
            );
          expect(Array.isArray(parsed!.triggers)).toBe(true);
          if (parsed!.error !== undefined) {
            expect(typeof parsed!.error).toBe('string');
            expect(parsed!.triggers).toEqual([]);
          }
          for (const t of parsed!.triggers) {
            expect(typeof t.fieldPath).toBe('string');
            expect(typeof t.from.name).toBe('string');
            expect(typeof t.from.kind).toBe('string');
          }
        }),
        fcParams(),
      );
    },
    propertyTimeout(),
  );

  it(
    'reads back what it formats',
    () => {
      const trig = fc.record(
        {
          from: fc.record(
            {
              kind: fc.constant('ImageStreamTag'),
              name: fc.stringMatching(/^[a-z0-9]{1,8}:[a-z0-9.]{1,6}$/),
              namespace: fc.option(fc.stringMatching(/^[a-z0-9]{1,8}$/), { nil: undefined }),
            },
            { requiredKeys: ['kind', 'name'] },
          ),
          fieldPath: fc.stringMatching(/^spec\.containers\[\?\(@\.name=="[a-z]{1,6}"\)\]\.image$/),
          paused: fc.option(fc.boolean(), { nil: undefined }),
        },
        { requiredKeys: ['from', 'fieldPath'] },
      );
      fc.assert(
        fc.property(fc.uniqueArray(trig, { maxLength: 4, selector: (t) => t.fieldPath }), (triggers) => {
          const back = parseTriggerAnnotation(formatTriggerAnnotation(triggers as never));
          expect(back.error).toBeUndefined();
          expect(back.triggers.map((t) => [t.fieldPath, t.from.name, Boolean(t.paused)])).toEqual(
            triggers.map((t) => [t.fieldPath, t.from.name, Boolean(t.paused)]),
          );
        }),
        fcParams(2000),
      );
    },
    propertyTimeout(2000),
  );
});
