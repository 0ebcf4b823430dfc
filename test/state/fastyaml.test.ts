import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { fastParseYaml } from '../../src/state/fastyaml.js';
import { CORPUS } from '../fixtures/corpus.js';

const yamlFiles = (rel = ''): string[] =>
  readdirSync(path.join(CORPUS, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? yamlFiles(r) : /\.ya?ml$/.test(e.name) ? [r] : [];
  });

/** What the yaml library makes of the text (the reference), documents with null content dropped. */
function reference(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return undefined;
  return docs.map((d) => d.toJS());
}
const nonNull = (v: unknown[]) => v.filter((x) => x !== null);

describe('fast YAML subset parser', () => {
  test.each(yamlFiles())('%s: same documents as the yaml library, or declines', (file) => {
    const text = readFileSync(path.join(CORPUS, file), 'utf8');
    const fast = fastParseYaml(text);
    if (fast) expect(nonNull(fast)).toEqual(nonNull(reference(text)!));
  });

  test('handles the usual layouts and declines what it does not know', () => {
    const text =
      "# c\n---\na: 1\nb:\n- x: \"q\" # c\n  y: 'it''s'\n-   z: {}\n    w: []\nc: ~\n---\nd: plain text here\n";
    expect(fastParseYaml(text)).toEqual([
      {
        a: 1,
        b: [
          { x: 'q', y: "it's" },
          { z: {}, w: [] },
        ],
        c: null,
      },
      { d: 'plain text here' },
    ]);
    for (const declined of [
      'a: &x 1\nb: *x\n',
      'a: |\n  text\n',
      'a: {b: c}\n',
      'a: 1.10\n',
      'a: "\\n"\n',
      'a: b\n  continued\n',
      'a: 1\na: 2\n',
      'a: 0x1f\n',
      'a: !!str 1\n',
      '? a\n: b\n',
      'a:\tb\n',
    ]) {
      expect(fastParseYaml(declined), declined).toBeUndefined();
    }
  });

  test('agrees with the yaml library on generated Kubernetes-like documents', () => {
    const key = fc.constantFrom(
      'name',
      'kind',
      'from',
      'tags',
      'items',
      'image.openshift.io/triggers',
      'a_b',
      'x-y',
      'on',
      'y',
      '1',
      'true',
      'null',
    );
    const str = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        '1.10',
        '2024-01-01T00:00:00Z',
        'quay.io/a/b:1.0',
        'a: b',
        'a #b',
        '- x',
        '#',
        '',
        'yes',
        '~',
        '0x1f',
        '1e3',
        "it's",
        'say "hi"',
        'tab\there',
        ' lead',
        'trail ',
      ),
    );
    const leaf = fc.oneof(str, fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true }));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    const options = fc.record({
      indent: fc.constantFrom(2, 4),
      indentSeq: fc.boolean(),
      version: fc.constantFrom('1.1' as const, '1.2' as const),
    });
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), { minLength: 1, maxLength: 3 }),
        options,
        (docs, opts) => {
          const text = docs.map((d) => stringify(d, { ...opts, lineWidth: 0 })).join('---\n');
          const fast = fastParseYaml(text);
          if (fast) expect(nonNull(fast)).toEqual(nonNull(reference(text)!));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
