import fc from 'fast-check';
import { isCollection, isScalar, parseAllDocuments, parseDocument, stringify, visit } from 'yaml';
import { describe, expect, test } from 'vitest';
import { EditError, editFileText } from '../../src/state/edit/file.js';
import { type J, jsonDocuments, jsonValues, mutate } from '../helpers/json-values.js';

const key = fc.constantFrom('name', 'tag', 'from', 'items', 'kind', 'a', 'b-c', 'x.y/z', 'on', 'image');
const leaf: fc.Arbitrary<J> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('1.10', 'yes', 'a: b', '#x', 'multi\nline', "it's", '', 'quay.io/a/b:1'),
  fc.integer({ min: -1000, max: 1000 }),
  fc.boolean(),
  fc.constant(null),
);
const value = jsonValues(key, leaf);
const doc = jsonDocuments(key, value);

let changed = 0;
let refused = 0;
const values = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

describe('surgical editor, cases the generator found', () => {
  test.each([false, true])(
    'an item whose nested list grows is edited in place, its block scalar untouched (indentSeq %s)',
    (indentSeq) => {
      // fast-check seed -604868488: the outer item was not paired with its new self (no entry of
      // equal value), so the whole list was to be re-rendered and the `|-` scalar refused.
      const a = { name: [{ kind: ['multi\nline'] }] };
      const after = { name: [{ kind: ['multi\nline', false] }, false] };
      const text = `${stringify(a, { indent: 2, indentSeq, lineWidth: 0 })}---\n${stringify({ name: 0 })}`;
      const out = editFileText('f.yaml', text, [{ document: 0, after }], [])!;
      expect(values(out)).toEqual([after, { name: 0 }]);
      const block = indentSeq ? '      - |-\n        multi\n        line\n' : '  - |-\n    multi\n    line\n';
      expect(text).toContain(block);
      expect(out).toContain(block);
    },
  );
});

describe('surgical editor, generated edits', () => {
  test('YAML (both sequence styles, 2 and 4 spaces): the edit is made without re-rendering the document', () => {
    fc.assert(
      fc.property(
        doc,
        doc,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        value,
        fc.constantFrom(2, 4),
        fc.boolean(),
        (a, other, choices, repl, indent, indentSeq) => {
          const text = `${stringify(a, { indent, indentSeq, lineWidth: 0 })}---\n${stringify(other, { lineWidth: 0 })}`;
          const after = mutate(a, choices, repl);
          const out = editFileText('f.yaml', text, [{ document: 0, after }], [])!;
          expect(values(out)).toEqual([after, other]);
          if (out !== text) changed++;
          expect(out.endsWith(stringify(other, { lineWidth: 0 }))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
    expect(changed).toBeGreaterThan(600); // most generated edits really change the text
  });

  test('YAML with comments, flow collections and quoted scalars', () => {
    fc.assert(
      fc.property(
        doc,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        value,
        fc.array(fc.nat({ max: 9 }), { minLength: 4, maxLength: 40 }),
        (a, choices, repl, decor) => {
          const d = parseDocument(stringify(a, { lineWidth: 0 }));
          let n = 0;
          visit(d, (_, node) => {
            const pick = decor[n++ % decor.length];
            if (isCollection(node) && pick === 1) node.flow = true;
            if (isScalar(node) && typeof node.value === 'string' && pick === 2) node.type = 'QUOTE_SINGLE';
            if (isScalar(node) && typeof node.value === 'string' && pick === 3) node.type = 'QUOTE_DOUBLE';
            if (isScalar(node) && pick === 4 && !String(node.value).includes('\n')) node.comment = ' trailing';
            if ((isScalar(node) || isCollection(node)) && pick === 5) node.commentBefore = ' before';
          });
          const text = d.toString({ lineWidth: 0 });
          const before = parseAllDocuments(text).map((x) => x.toJS());
          fc.pre(before.length === 1 && JSON.stringify(before[0]) === JSON.stringify(a));
          const after = mutate(a, choices, repl);
          let out: string;
          try {
            out = editFileText('f.yaml', text, [{ document: 0, after }], [])!;
          } catch (e) {
            // The editor's other answer: it refuses, with the reason, an edit it could only make
            // by re-rendering a block that holds a comment or a value written another way.
            expect(e).toBeInstanceOf(EditError);
            expect((e as Error).message).toMatch(/holds a comment|written another way/);
            refused++;
            return;
          }
          expect(values(out)).toEqual([after]);
        },
      ),
      { numRuns: 1000 },
    );
    // Refusing is the exception: an editor that refused most of these edits would fail here.
    expect(refused).toBeLessThan(50);
  });

  test('JSON (2 spaces, 4 spaces, tabs)', () => {
    fc.assert(
      fc.property(
        doc,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        value,
        fc.constantFrom<string | number>(2, 4, '\t'),
        (a, choices, repl, indent) => {
          const text = `${JSON.stringify(a, null, indent)}\n`;
          const after = mutate(a, choices, repl);
          const out = editFileText('f.json', text, [{ document: 0, after }], [])!;
          expect(JSON.parse(out)).toEqual(after);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
