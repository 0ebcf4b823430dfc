/**
 * A value with a comment after it on its line, replaced by a block (a list, a map, a multi-line
 * string): the comment stays a comment on the first line and never becomes part of the new value.
 * Found by the generated-edit property test (seed -1695044939).
 */
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { editFileText } from '../../src/state/edit/file.js';

const values = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

describe('surgical editor: a trailing comment next to a value replaced by a block', () => {
  test.each([
    ['name: null # trailing\n', { name: ['multi\nline'] }, 'name: # trailing\n- |-\n  multi\n  line\n'],
    ['name: # c\nother: 1\n', { name: ['multi\nline'], other: 1 }, 'name: # c\n- |-\n  multi\n  line\nother: 1\n'],
    ['name: x # keep\n', { name: { a: 1 } }, 'name: # keep\n  a: 1\n'],
    ['- null # c\n- 2\n', [['multi\nline'], 2], '- - |- # c\n    multi\n    line\n- 2\n'],
  ])('%j', (text, after, want) => {
    const out = editFileText('f.yaml', text, [{ document: 0, after }], []);
    expect(out).toBe(want);
    expect(values(out!)).toEqual([after]);
  });
});

describe('surgical editor: a comment on content the edit removes goes with it', () => {
  // Found by the generated-edit property test (seed -529817951): the block was refused as if the
  // comment of the removed item would be lost from content that stays.
  test('an item removed from a nested list takes its trailing comment along', () => {
    const text = 'name:\n  - - null\n    - name: "1.10" # trailing\n';
    const out = editFileText('f.yaml', text, [{ document: 0, after: { name: [[null]] } }], []);
    expect(out).toBe('name:\n  - - null\n');
  });

  test('a comment on content that stays still refuses a re-render that would drop it', () => {
    const text = 'name:\n  - - null # keep me\n    - name: "1.10"\n';
    expect(() => editFileText('f.yaml', text, [{ document: 0, after: { name: [[null]] } }], [])).toThrow(
      /holds a comment/,
    );
  });
});
