import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { StateFileError } from '../../src/domain/errors.js';
import { fastParseYaml } from '../../src/state/fastyaml.js';
import { parseStateFile } from '../../src/state/parse.js';
import { CORPUS } from '../fixtures/corpus.js';

const RUNS = Math.max(1, Number(process.env.ISCTL_FUZZ_RUNS ?? 10_000) || 10_000);
const corpusTexts = readdirSync(CORPUS, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
  .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'));

// Text made of the characters YAML and JSON care about, so that generated input gets deep into the parsers.
const yamlish = fc
  .array(
    fc.constantFrom(
      'a',
      'b',
      ':',
      ' ',
      '  ',
      '\n',
      '- ',
      '#',
      '"',
      "'",
      '{',
      '}',
      '[',
      ']',
      ',',
      '&a',
      '*a',
      '!',
      '|',
      '>',
      '---\n',
      '1',
      '.',
      '\t',
      '\\',
      'kind: ImageStream\n',
      'apiVersion: v1\n',
      'metadata:\n  name: x\n',
      'spec:\n  tags:\n  - name: 1\n',
      'name: ',
      '"k": ',
      '- a: b\n',
      '  - ',
      'null',
      '~',
      'true',
      '0',
      '-1',
      '1.5',
      '0x1',
      '__proto__: 1\n',
      'x.y/z: ',
      '%',
      '...\n',
      '? ',
      ' #c',
      '\r\n',
      'é',
    ),
    { maxLength: 60 },
  )
  .map((p) => p.join(''));

/** Parses within a time bound and checks that the only failures are StateFileErrors in `problems`. */
function loadsSafely(file: string, text: string): void {
  const t0 = performance.now();
  const r = parseStateFile(file, text);
  expect(performance.now() - t0).toBeLessThan(1000);
  for (const p of r.problems) {
    expect(p).toBeInstanceOf(StateFileError);
    expect(p.message.startsWith(file)).toBe(true);
  }
  for (const o of r.objects) expect(typeof o.object.kind).toBe('string');
}

describe('loader under hostile input', () => {
  test(
    'arbitrary YAML-ish and JSON-ish text: objects or StateFileErrors, never an exception',
    () => {
      fc.assert(
        fc.property(fc.oneof(yamlish, fc.string(), fc.json()), (text) => {
          loadsSafely('f.yaml', text);
          loadsSafely('f.json', text);
        }),
        { numRuns: RUNS },
      );
    },
    120_000 + RUNS * 5,
  );

  test(
    'corpus files with random damage',
    () => {
      const damaged = fc
        .tuple(
          fc.constantFrom(...corpusTexts),
          fc.array(
            fc.tuple(fc.nat(), fc.nat({ max: 5 }), fc.constantFrom('', ':', '- ', '"', '\n', '  ', '{', '&x ', '*x')),
            { minLength: 1, maxLength: 4 },
          ),
        )
        .map(([text, cuts]) =>
          cuts.reduce(
            (t, [at, len, ins]) => t.slice(0, at % (t.length + 1)) + ins + t.slice((at % (t.length + 1)) + len),
            text,
          ),
        );
      fc.assert(
        fc.property(damaged, (text) => {
          loadsSafely('f.yaml', text);
          loadsSafely('f.json', text);
        }),
        { numRuns: Math.ceil(RUNS / 20) },
      );
    },
    120_000 + RUNS * 20,
  );

  test(
    'the fast path never disagrees with the yaml library on generated text',
    () => {
      let accepted = 0;
      fc.assert(
        fc.property(yamlish, (text) => {
          const fast = fastParseYaml(text);
          if (!fast) return;
          accepted++;
          const docs = parseAllDocuments(text);
          // Where the library reports an error the fast path must have declined.
          expect(
            docs.some((d) => d.errors.length > 0),
            text,
          ).toBe(false);
          // Document indices must agree too: the editor finds objects by them. (An empty file is zero
          // documents to the library and one empty document to the fast path; both hold no object.)
          if (docs.length === 0) expect(fast.every((v) => v === null)).toBe(true);
          else expect(fast).toEqual(docs.map((d) => d.toJS()));
        }),
        { numRuns: RUNS },
      );
      expect(accepted).toBeGreaterThan(RUNS / 20); // enough generated text is inside the fast subset to mean something
    },
    120_000 + RUNS * 5,
  );
});
