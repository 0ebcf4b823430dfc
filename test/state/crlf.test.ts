import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { editFileText } from '../../src/state/edit/file.js';

describe('line endings', () => {
  test('a CRLF file gets CRLF in what is inserted and keeps it elsewhere', () => {
    const text =
      'kind: ImageStream\r\napiVersion: image.openshift.io/v1\r\nmetadata:\r\n  name: a # c\r\nspec:\r\n  tags:\r\n  - name: x\r\n';
    const after = {
      kind: 'ImageStream',
      apiVersion: 'image.openshift.io/v1',
      metadata: { name: 'b' },
      spec: { tags: [{ name: 'x' }, { name: 'y', from: { kind: 'DockerImage', name: 'q' } }] },
    };
    const out = editFileText('a.yaml', text, [{ document: 0, after }], [])!;
    expect(out).toBe(
      'kind: ImageStream\r\napiVersion: image.openshift.io/v1\r\nmetadata:\r\n  name: b # c\r\n' +
        'spec:\r\n  tags:\r\n  - name: x\r\n  - name: "y"\r\n    from:\r\n' +
        '      kind: DockerImage\r\n      name: q\r\n',
    );
    expect(parse(out)).toEqual(after);
  });
});
