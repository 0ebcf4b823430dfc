/**
 * Hostile input to the pull-spec parser (library-go grammar, src/domain/reference.ts and
 * src/domain/pullspec.ts): any string either parses or throws InvalidReferenceError, fast; what parses
 * holds no control characters and survives a round trip through `exact()`.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsePullSpec } from '../../src/domain/pullspec.js';
import { exact, exactWithTagAndDigest, parseDockerImageReference } from '../../src/domain/reference.js';
import { InvalidReferenceError } from '../../src/domain/errors.js';
import { expectTypedError, fcParams, propertyTimeout, timed } from '../helpers/fuzz.js';

const specChars = fc.constantFrom(
  ...'abcz09AZ._-/:@+'.split(''),
  'sha256:',
  'localhost',
  '__',
  '--',
  '..',
  '\n',
  '\u0000',
  ' ',
  'é',
  '\u202e',
);
/** Strings made of the characters that matter to the grammar, so most cases get deep into it. */
const grammarish = fc.array(specChars, { maxLength: 60 }).map((a) => a.join(''));
const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: n, maxLength: n });
const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,8}){0,2}$/);
const host = fc.oneof(
  fc.constant(''),
  fc.constant('localhost'),
  fc.constant('localhost:5000'),
  fc.stringMatching(/^[a-z0-9]{1,6}\.[a-z]{2,4}(?::[0-9]{1,5})?$/),
);
const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
/** Well-formed specs: [host/]component(/component)*[:tag][@sha256:…]. */
const validSpec = fc
  .tuple(
    host,
    fc.array(component, { minLength: 1, maxLength: 4 }),
    fc.option(tag, { nil: undefined }),
    fc.option(hex(64), { nil: undefined }),
  )
  .map(([h, parts, t, d]) => `${h ? `${h}/` : ''}${parts.join('/')}${t ? `:${t}` : ''}${d ? `@sha256:${d}` : ''}`)
  .filter((s) => s.split(/[:@]/)[0].length <= 255);
/** Inputs built to make a backtracking regex explode: long runs of one class ended by a bad byte. */
const adversarial = fc
  .tuple(
    fc.constantFrom('a', 'a-', 'a.', 'a_', '0', 'a/', 'a:', 'A', 'a-a', 'aa.'),
    fc.integer({ min: 10, max: 3000 }),
    fc.constantFrom('!', '/', ':', '@', '-', '', 'A', '..'),
  )
  .map(([unit, n, end]) => unit.repeat(n) + end);

const anyInput = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 4, arbitrary: grammarish },
  { weight: 3, arbitrary: validSpec },
  { weight: 2, arbitrary: adversarial },
  { weight: 1, arbitrary: grammarish.map((s) => `oci:${s}`) },
);

/** Set when the growth check finds exponential backtracking: later cases would hang, so they fail at once instead. */
let backtracking = false;
const guard = () => {
  if (backtracking)
    expect.fail(
      'the pull-spec regex backtracks exponentially (see the first test); not running hostile inputs that would hang',
    );
};

describe('pull-spec parser under hostile input', () => {
  it('parses "aaa…a!" of 16 to 30 characters in well under a millisecond each (no (a+)+ backtracking)', () => {
    // With a `[-]*` separator, 22 characters took 130 ms and every 2 more multiplied it by 4.
    for (let n = 16; n <= 30; n += 2) {
      const start = performance.now();
      expect(() => parseDockerImageReference(`${'a'.repeat(n)}!`)).toThrow(InvalidReferenceError);
      const ms = performance.now() - start;
      if (ms > 50) backtracking = true;
      expect(ms, `${n} characters took ${ms.toFixed(1)} ms`).toBeLessThan(50);
    }
  });

  it(
    'returns a value or throws InvalidReferenceError, within the per-case bound, for any string',
    () => {
      fc.assert(
        fc.property(anyInput, (input) => {
          guard();
          const { value, error } = timed(`parsePullSpec(${JSON.stringify(input).slice(0, 80)})`, () =>
            parsePullSpec(input),
          );
          if (error !== undefined) return expectTypedError(error, [InvalidReferenceError], input);
          expect(value).toBeDefined();
          if (value!.transport === 'docker') {
            const r = value!.ref;
            // Nothing the grammar accepts can smuggle control characters or spaces into a stored spec.
            for (const part of [r.registry, r.namespace, r.name, r.tag, r.id])
              expect(part).not.toMatch(/[\u0000-\u0020\u007f]/);
          }
        }),
        fcParams(),
      );
    },
    propertyTimeout(),
  );

  it(
    'round-trips every spec it accepts through exact()',
    () => {
      fc.assert(
        fc.property(fc.oneof(validSpec, grammarish), (input) => {
          const { value } = timed('parseDockerImageReference', () => parseDockerImageReference(input));
          // Registry-only references ("localhost", "a.b") have no image name; library-go's Exact() is "" for them.
          if (!value?.name) return;
          const again = parseDockerImageReference(exactWithTagAndDigest(value));
          expect(exact(again)).toBe(exact(value));
        }),
        fcParams(),
      );
    },
    propertyTimeout(),
  );

  it(
    'accepts every well-formed spec of the grammar',
    () => {
      fc.assert(
        fc.property(validSpec, (input) => {
          const { error } = timed('parseDockerImageReference', () => parseDockerImageReference(input));
          expect(error, input).toBeUndefined();
        }),
        fcParams(),
      );
    },
    propertyTimeout(),
  );

  it('rejects a 3000-character run of one component class in linear time (no regex backtracking blow-up)', () => {
    guard();
    for (const unit of ['a', 'a-', '0', 'a.', 'aa_']) {
      const { error } = timed(`${unit} x 3000 + "!"`, () => parseDockerImageReference(`${unit.repeat(3000)}!`));
      expect(error).toBeInstanceOf(InvalidReferenceError);
    }
  });
});
