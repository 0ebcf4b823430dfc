/**
 * What a state file that cannot be parsed may define (src/state/may-define.ts): the top-level
 * kind and metadata.name of each document; where the text does not tell, every kind and name
 * it mentions as words (refusing a write is safe, a second copy is not).
 */
import { describe, expect, it } from 'vitest';
import { mayDefine } from '../../src/state/may-define.js';

const DC_WEB = `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  labels:
    app: hello
  name: web # the web front
spec:
\ttemplate: {}
  triggers:
  - imageChangeParams:
      from:
        kind: ImageStreamTag
        name: hello:1.0
`;

describe('mayDefine', () => {
  it('reads the top-level kind and the name under metadata, not the words of a trigger', () => {
    const d = mayDefine(DC_WEB);
    expect(d('DeploymentConfig', 'web')).toBe(true);
    expect(d('DeploymentConfig', 'hello')).toBe(false);
    expect(d('ImageStream', 'hello')).toBe(false);
    expect(d('ImageStreamTag', 'hello:1.0')).toBe(false);
  });

  it('reads each document on its own', () => {
    const d = mayDefine(`${DC_WEB}---\nkind: ImageStream\nmetadata: {name: "hello", namespace: x}\nspec: [\n`);
    expect(d('ImageStream', 'hello')).toBe(true);
    expect(d('ImageStream', 'web')).toBe(false);
    expect(d('DeploymentConfig', 'web')).toBe(true);
  });

  it('reads JSON-ish text by its braces', () => {
    const json =
      '{"kind": "ImageStream", "metadata": {"name": "hello"}, "spec": {"tags": [{"from": {"kind": "X", "name": "db"}}]},}';
    const d = mayDefine(json);
    expect(d('ImageStream', 'hello')).toBe(true);
    expect(d('ImageStream', 'db')).toBe(false);
    // Unbalanced: it tells nothing, so every kind and name it mentions counts.
    expect(mayDefine(json.slice(0, -2))('X', 'db')).toBe(true);
  });

  it('falls back to every kind and name mentioned where the text does not tell', () => {
    const tabbed = 'apiVersion: v1\n\tkind: ImageStream\n\tmetadata:\n\t  name: hello\n';
    expect(mayDefine(tabbed)('ImageStream', 'hello')).toBe(true);
    const list = 'apiVersion: v1\nkind: List\nitems:\n- kind: ImageStream\n  metadata:\n    name: hello\n  spec: [\n';
    expect(mayDefine(list)('ImageStream', 'hello')).toBe(true);
    const alias = 'kind: ImageStream\nmetadata: *meta\nspec: [\n# hello\n';
    expect(mayDefine(alias)('ImageStream', 'hello')).toBe(true);
    expect(mayDefine(alias)('DeploymentConfig', 'hello')).toBe(false);
    const indented = 'kind: ImageStream\nmetadata:\n    labels: {a: b}\n  name: hello\n';
    expect(mayDefine(indented)('ImageStream', 'hello')).toBe(true);
  });

  it('reads a file with conflict markers as one text: the markers may move where a document ends', () => {
    const conflict =
      'kind: ImageStream\nmetadata:\n<<<<<<< HEAD\n  name: a\n---\nkind: Other\n=======\n  name: b\n>>>>>>> x\n';
    const d = mayDefine(conflict);
    expect(d('ImageStream', 'b')).toBe(true);
    expect(d('Other', 'a')).toBe(true);
    expect(d('ImageStream', 'c')).toBe(false);
  });
});
