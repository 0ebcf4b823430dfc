/** The JSON error position used by messages that must not quote a file's content. */
import { describe, expect, it } from 'vitest';
import { jsonSyntaxErrorAt } from '../../src/domain/json-syntax.js';

describe('jsonSyntaxErrorAt', () => {
  it('accepts what JSON.parse accepts and refuses what it refuses', () => {
    for (const t of ['{}', '[]', '{"a":[1,-2.5e3,{"b":null}],"c":"x\\u0041\\n"}', ' 1 ', '"s"', '[[[[]]]]', 'true'])
      expect(jsonSyntaxErrorAt(t), t).toBeUndefined();
    for (const t of [
      '{',
      '{"a":}',
      '{"a":1,}',
      '[1,]',
      '{"password": hunter2}',
      'x',
      '{} x',
      '{"a" 1}',
      '"\\q"',
      '',
      '01',
      '"a\nb"',
    ]) {
      expect(jsonSyntaxErrorAt(t), t).toBeDefined();
      expect(() => JSON.parse(t), t).toThrow();
    }
  });

  it('names the line and column of the first offending character', () => {
    expect(jsonSyntaxErrorAt('{\n  "auths": {"x": {"password": hunter2}}}')).toEqual({ line: 2, column: 31 });
    expect(jsonSyntaxErrorAt('{"a": 1,\n}')).toEqual({ line: 2, column: 1 });
  });

  it('needs no recursion: 100,000 levels of nesting and 100,000 elements', () => {
    expect(jsonSyntaxErrorAt('['.repeat(100_000) + ']'.repeat(100_000))).toBeUndefined();
    expect(jsonSyntaxErrorAt(`[${'1,'.repeat(100_000)}1]`)).toBeUndefined();
  });
});
