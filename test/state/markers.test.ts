/**
 * Marker comments (the ImageStream-tag counterpart of Flux's `# {"$imagepolicy": …}` setters,
 * fluxcd/image-automation-controller pkg/update/setters.go): the marked value is found on the
 * comment's line, rewritten with its quoting kept, and every other byte stays.
 */
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findMarkers, setMarkerValues } from '../../src/state/markers.js';
import { parseMarkerSpec } from '../../src/domain/marker.js';

const values = `# values.yaml (Helm)
image:
  repository: REG/team/app # {"$imagestreamtag": "app:stable:name"}
  tag: "1.0" # {"$imagestreamtag": "app:stable:tag"}
  digest: "" # {"$imagestreamtag": "app:stable:digest"}
sidecar: {image: "REG/team/app:1.0"} # {"$imagestreamtag": "app:stable"}
other: keep # a comment
`;

describe('findMarkers', () => {
  test('block and flow values, quoted and plain, with their lines', () => {
    const found = findMarkers(values);
    expect(found.map((m) => [m.line, m.raw, m.current, m.quote, m.flow])).toEqual([
      [3, 'app:stable:name', 'REG/team/app', 'PLAIN', false],
      [4, 'app:stable:tag', '1.0', 'QUOTE_DOUBLE', false],
      [5, 'app:stable:digest', '', 'QUOTE_DOUBLE', false],
      [6, 'app:stable', 'REG/team/app:1.0', 'QUOTE_DOUBLE', true],
    ]);
  });

  test('a marker inside a quoted string is text, not a marker', () => {
    expect(findMarkers('a: "x # {\\"$imagestreamtag\\": \\"s:t\\"}"\n')).toEqual([]);
  });

  test('malformed markers and markers without a value are reported with their line', () => {
    const found = findMarkers('a: 1 # {"$imagestreamtag": app:stable}\nb: # {"$imagestreamtag": "s:t"}\nc:\n  d: 1\n');
    expect(found[0]).toMatchObject({ line: 1, error: expect.stringMatching(/^malformed marker/) });
    expect(found[1].line).toBe(2);
  });

  test('markers in every document of a multi-document file', () => {
    const text = 'a: x # {"$imagestreamtag": "s:t"}\n---\nitems:\n- y # {"$imagestreamtag": "s:u:tag"}\n';
    expect(findMarkers(text).map((m) => [m.line, m.raw, m.current])).toEqual([
      [1, 's:t', 'x'],
      [4, 's:u:tag', 'y'],
    ]);
  });
});

describe('setMarkerValues', () => {
  test('only the marked values change; quoting, comments and other lines stay', () => {
    const out = setMarkerValues(
      values,
      new Map([
        [0, 'reg.example/team/app'],
        [1, '1.2'],
        [2, 'sha256:abc'],
        [3, 'reg.example/team/app@sha256:abc'],
      ]),
    );
    expect(out).toBe(`# values.yaml (Helm)
image:
  repository: reg.example/team/app # {"$imagestreamtag": "app:stable:name"}
  tag: "1.2" # {"$imagestreamtag": "app:stable:tag"}
  digest: "sha256:abc" # {"$imagestreamtag": "app:stable:digest"}
sidecar: {image: "reg.example/team/app@sha256:abc"} # {"$imagestreamtag": "app:stable"}
other: keep # a comment
`);
  });

  test('a plain value that would change type is quoted; an empty value gets its text after the colon', () => {
    const out = setMarkerValues(
      'tag: x # {"$imagestreamtag": "s:t:tag"}\nd: # {"$imagestreamtag": "s:t:digest"}\n',
      new Map([
        [0, '1.10'],
        [1, 'sha256:0'],
      ]),
    );
    expect(parseAllDocuments(out)[0].toJS()).toEqual({ tag: '1.10', d: 'sha256:0' });
    expect(out.split('\n')[0]).toBe(`tag: "1.10" # {"$imagestreamtag": "s:t:tag"}`);
  });

  test('nothing to change: the same text', () => {
    expect(setMarkerValues(values, new Map([[0, 'REG/team/app']]))).toBe(values);
  });
});

describe('parseMarkerSpec', () => {
  test.each([
    ['app:stable', { stream: 'app', tag: 'stable', field: 'image' }],
    ['team/app:1.0:name', { namespace: 'team', stream: 'app', tag: '1.0', field: 'name' }],
    ['app:stable:digest', { stream: 'app', tag: 'stable', field: 'digest' }],
  ])('%s', (raw, want) => expect(parseMarkerSpec(raw)).toEqual({ spec: want }));
  test.each(['app', 'app:stable:size', 'App:1', 'a:b:c:d', 'Bad_NS/app:1'])('%s is malformed', (raw) =>
    expect(parseMarkerSpec(raw)).toHaveProperty('error'),
  );
});
