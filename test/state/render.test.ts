/**
 * src/state/edit/render.ts `plainBlock` writes plain data as the yaml library's stringify does
 * (YAML 1.1, no line folding, the file's indentation unit and sequence style): the text inserted
 * into a file must not depend on which of the two rendered it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { plainBlock } from '../../src/state/edit/render.js';
import type { FileStyle } from '../../src/state/edit/style.js';
import { fcParams } from '../helpers/fuzz.js';

const styles: FileStyle[] = [2, 4].flatMap((n) =>
  [false, true].map((indentSeq) => ({ json: false, unit: ' '.repeat(n), indentSeq, eol: '\n' })),
);
const library = (v: unknown, style: FileStyle) =>
  stringify(v, {
    version: '1.1',
    lineWidth: 0,
    minContentWidth: 0,
    indent: style.unit.length,
    indentSeq: style.indentSeq,
  }).replace(/\n$/, '');

// Strings YAML 1.1 reads as other types, indicators, document markers, quotes, spaces, non-ASCII,
// and the shapes an image import records.
const tricky = fc.constantFrom(
  '',
  'y',
  'n',
  'N',
  'yes',
  'No',
  'on',
  'OFF',
  'true',
  'null',
  'Null',
  '~',
  '1',
  '-1',
  '+1',
  '0x1F',
  '0o17',
  '017',
  '1_000',
  '1.0',
  '1.10',
  '.5',
  '1e3',
  '.inf',
  '-.Inf',
  '.NaN',
  '190:20:30',
  '2026-12-07',
  '2026-12-07T13:05:29Z',
  '1.0.0',
  'v1.0',
  '-a',
  '-',
  '?',
  '?a',
  ':a',
  'a:',
  'a:b',
  '@x',
  '`x',
  '%x',
  '!x',
  '&a',
  '*a',
  '#x',
  'a#b',
  '|',
  '>',
  '[a',
  'a]',
  '{',
  'a,b',
  '---',
  '...x',
  '<<',
  '=',
  'a b',
  ' a',
  'a ',
  'a\nb',
  "it's",
  'say "hi"',
  'back\\slash',
  'tab\there',
  'é',
  'sha256:65cffdb47163fd448029de2e80f2ed31f6571e5c7b73151ef31bc40d6d8d2f9a',
  '127.0.0.1:5000/bench/t00@sha256:65cffdb47163fd448029de2e80f2ed31f6571e5c7b73151ef31bc40d6d8d2f9a',
  'image-registry.openshift-image-registry.svc:5000/default/app',
);
const str = fc.oneof(tricky, fc.string({ maxLength: 6 }), fc.stringMatching(/^[a-z0-9.:/@_-]{1,12}$/));
const scalar = fc.oneof(
  str,
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(-0),
  fc.constant(undefined),
);
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(str, tie('node'), { maxKeys: 4 }),
  list: fc.array(tie('node'), { maxLength: 4 }),
}));
// What is inserted into a file: a map's entries or a list's items.
const value = fc.oneof(tree.map, tree.list);

describe('plainBlock', () => {
  it('gives what the library gives, wherever it gives anything (generated values, four styles)', () => {
    let compared = 0;
    let runs = 0;
    fc.assert(
      fc.property(value, fc.constantFrom(...styles), (v, style) => {
        runs++;
        const fast = plainBlock(v, style);
        if (fast === undefined) return;
        compared++;
        expect(fast).toBe(library(v, style));
      }),
      fcParams(),
    );
    // The comparison is not vacuous: a good share of the generated values takes the direct path.
    expect(compared).toBeGreaterThan(runs / 10);
  });

  it('renders an imported tag status itself, in each style, as the library does', () => {
    const digest = 'sha256:65cffdb47163fd448029de2e80f2ed31f6571e5c7b73151ef31bc40d6d8d2f9a';
    const status = {
      status: {
        dockerImageRepository: 'image-registry.openshift-image-registry.svc:5000/default/app',
        tags: ['1.0', 'v1.0', 'latest'].map((tag, i) => ({
          tag,
          items: [
            {
              created: '2026-12-07T13:05:29Z',
              dockerImageReference: `127.0.0.1:5000/a/b@${digest}`,
              image: digest,
              generation: i,
            },
          ],
          conditions: [],
        })),
      },
    };
    for (const style of styles) {
      const fast = plainBlock(status, style);
      expect(fast).toBeDefined();
      expect(fast).toBe(library(status, style));
    }
  });
});
