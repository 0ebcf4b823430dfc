/**
 * What a state file that cannot be read may define (src/state/may-define.ts): each document the
 * YAML parser reads is taken as the loader takes it; a document it cannot read gives the top-level
 * kind and metadata.name of its text; where the text does not tell, every kind and name it
 * mentions as words (refusing a write is safe, a second copy is not).
 */
import { describe, expect, it } from 'vitest';
import { mayDefine } from '../../src/state/may-define.js';

/** Which of the `Kind/name` pairs asked `text` may define, in the order asked: each one asked is checked. */
function defines(text: string, asked: string[]): string[] {
  const d = mayDefine(text);
  return asked.filter((a) => d(a.slice(0, a.indexOf('/')), a.slice(a.indexOf('/') + 1)));
}

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
    expect(
      defines(DC_WEB, [
        'DeploymentConfig/web',
        'DeploymentConfig/hello',
        'ImageStream/hello',
        'ImageStreamTag/hello:1.0',
      ]),
    ).toEqual(['DeploymentConfig/web']);
  });

  it('reads each document on its own', () => {
    expect(
      defines(`${DC_WEB}---\nkind: ImageStream\nmetadata: {name: "hello", namespace: x}\nspec: [\n`, [
        'ImageStream/hello',
        'ImageStream/web',
        'DeploymentConfig/web',
      ]),
    ).toEqual(['ImageStream/hello', 'DeploymentConfig/web']);
  });

  it('reads JSON-ish text by its braces', () => {
    const json =
      '{"kind": "ImageStream", "metadata": {"name": "hello"}, "spec": {"tags": [{"from": {"kind": "X", "name": "db"}}]},}';
    expect(defines(json, ['ImageStream/hello', 'ImageStream/db'])).toEqual(['ImageStream/hello']);
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
    expect(defines(conflict, ['ImageStream/b', 'Other/a', 'ImageStream/c'])).toEqual(['ImageStream/b', 'Other/a']);
  });

  // A document that is one block scalar: its text has column-0 `kind:` lines, and it is a string.
  const TEXT_DOC = '--- |\napiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: hello\n';
  const BROKEN_DOC = '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata: [\n';

  it('a block scalar is text: the kind: lines in it define nothing, in a file broken elsewhere', () => {
    expect(
      defines(`# an example, kept as text\n${TEXT_DOC}${BROKEN_DOC}`, ['ImageStream/hello', 'ConfigMap/notes']),
    ).toEqual(['ConfigMap/notes']);
    // A bare block scalar (no ---) is a string too.
    expect(mayDefine(`|\nkind: ImageStream\nmetadata:\n  name: hello\n${BROKEN_DOC}`)('ImageStream', 'hello')).toBe(
      false,
    );
  });

  it('a document ended by "..." is one document: its kind is not paired with the next one\'s name', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n...\n' +
      `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: hello\n${BROKEN_DOC}`;
    expect(defines(text, ['ImageStream/hello', 'ConfigMap/cm', 'ImageStream/cm', 'ConfigMap/hello'])).toEqual([
      'ImageStream/hello',
      'ConfigMap/cm',
    ]);
  });

  it('a kind or name written with escapes is read as the loader reads it, not missed', () => {
    const text = `apiVersion: image.openshift.io/v1\nkind: "Image\\u0053tream"\nmetadata:\n  name: "hel\\x6co"\n${BROKEN_DOC}`;
    expect(mayDefine(text)('ImageStream', 'hello')).toBe(true);
  });

  it('a repeated key is read last-wins, as the loader (and kubectl) read it', () => {
    const text = `apiVersion: v1\nkind: ImageStream\nkind: ConfigMap\nmetadata:\n  name: hello\n${BROKEN_DOC}`;
    expect(mayDefine(text)('ConfigMap', 'hello')).toBe(true);
    expect(mayDefine(text)('ImageStream', 'hello')).toBe(false);
  });

  it('a file that parses but holds an invalid object defines exactly its objects; one without a plain name, any name it mentions', () => {
    const invalid = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: web\nspec:\n  tags: 3\n';
    expect(defines(`${invalid}${TEXT_DOC}`, ['ImageStream/web', 'ImageStream/hello'])).toEqual(['ImageStream/web']);
    const unnamed = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: 7\n# was hello\n';
    expect(mayDefine(unnamed)('ImageStream', 'hello')).toBe(true);
    expect(mayDefine(unnamed)('DeploymentConfig', 'hello')).toBe(false);
    expect(mayDefine(unnamed)('ImageStream', 'other')).toBe(false);
  });

  it('a List that parses defines its items; a string, a list or a map without kind defines nothing', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ImageStream\n  metadata: {name: a}\n${BROKEN_DOC}`;
    expect(mayDefine(list)('ImageStream', 'a')).toBe(true);
    expect(mayDefine(list)('List', '')).toBe(false);
    const others = `"kind: ImageStream hello"\n---\n- kind: ImageStream\n  metadata: {name: hello}\n---\nmetadata: {name: hello}\n${BROKEN_DOC}`;
    expect(mayDefine(others)('ImageStream', 'hello')).toBe(false);
  });

  it('a document the parser cannot read is still scanned as text (an unclosed quote swallowing ---)', () => {
    const text = 'kind: ConfigMap\nmetadata:\n  name: cm\nd: "abc\n---\nkind: ImageStream\nmetadata:\n  name: hello\n';
    expect(mayDefine(text)('ImageStream', 'hello')).toBe(true);
  });
});
