import { describe, expect, it } from 'vitest';
import { toYaml } from '../../src/output/serialize.js';

describe('-o yaml quoting as go-yaml v2 (sigs.k8s.io/yaml)', () => {
  it('double-quotes strings that would read back as another type, single-quotes the rest that cannot be plain', () => {
    const y = toYaml({
      a: '1.0',
      b: '2026-01-01T10:00:00Z',
      c: 'yes',
      e: '',
      f: null,
      g: 'with: colon',
      h: 'line1\nline2\n',
      i: ['x'],
      j: {},
      l: '0755',
      m: '~',
      n: 'NULL',
      o: 1.5,
      p: '12',
      r: 'true',
      s: 'plain text',
      t: '- dash',
      u: '1:20',
    });
    expect(y).toBe(
      [
        'a: "1.0"',
        'b: "2026-01-01T10:00:00Z"',
        'c: "yes"',
        'e: ""',
        'f: null',
        "g: 'with: colon'",
        'h: |',
        '  line1',
        '  line2',
        'i:',
        '- x',
        'j: {}',
        'l: "0755"',
        'm: "~"',
        '"n": "NULL"',
        'o: 1.5',
        'p: "12"',
        'r: "true"',
        's: plain text',
        "t: '- dash'",
        'u: "1:20"',
        '',
      ].join('\n'),
    );
  });
});
