/**
 * `apply` checks an object's kind before it names a folder after it (`<kind>s/<namespace>/`): a
 * kind must be what the API server accepts for any kind it serves, a DNS-1035 label in any case
 * (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go
 * ValidateCustomResourceDefinitionNames, "may have mixed case, but should otherwise match").
 * `kind: .hidden` used to be written to `.hiddens/`, a dot folder never read back, so every apply
 * said "created" again and appended another copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/index.js';

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic " +
  "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for " +
  "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

function applyKind(kind: string) {
  const root = tempDir('apply-kind');
  const dir = path.join(root, 'state');
  fs.mkdirSync(dir);
  const file = path.join(root, 'obj.yaml');
  fs.writeFileSync(file, `apiVersion: v1\nkind: ${JSON.stringify(kind)}\nmetadata:\n  name: x\ndata: {a: b}\n`);
  return { dir, run: () => runCli(['apply', '-f', file], { dir }) };
}

/** What is in the state folder besides .isctl. */
const contents = (dir: string) => fs.readdirSync(dir).filter((n) => n !== '.isctl');

describe('apply: the kind of an object', () => {
  it.each(['.hidden', 'a/b', 'my kind', 'Kind.v2', 'x\u001b]0;owned\u0007', '9Lives', 'K'.repeat(64)])(
    '%j is refused as the API server refuses it, and no folder is made',
    async (kind) => {
      const { dir, run } = applyKind(kind);
      const r = await run();
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('is invalid: kind: Invalid value: ');
      expect(r.stderr).toContain(': may have mixed case, but should otherwise match: ');
      expect(r.stderr).toMatch(
        kind.length > 63 ? /must be no more than 63 characters/ : new RegExp(DNS1035.slice(0, 40)),
      );
      expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(contents(dir)).toEqual([]);
    },
  );

  it('an empty kind is a required value', async () => {
    const { dir, run } = applyKind('');
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is invalid: kind: Required value');
    expect(contents(dir)).toEqual([]);
  });

  it('a valid kind, mixed case and with a dash, is created once and then unchanged', async () => {
    const { dir, run } = applyKind('Foo-Bar');
    expect((await run()).stdout).toBe('foo-bar/x created\n');
    expect(contents(dir)).toEqual(['foo-bars']);
    expect((await run()).stdout).toBe('foo-bar/x unchanged\n');
    expect(fs.readdirSync(path.join(dir, 'foo-bars', 'default'))).toEqual(['x.yaml']);
  });

  it('one bad kind in a List: nothing of the List is written', async () => {
    const root = tempDir('apply-kind');
    const dir = path.join(root, 'state');
    fs.mkdirSync(dir);
    const file = path.join(root, 'list.yaml');
    fs.writeFileSync(
      file,
      'apiVersion: v1\nkind: List\nitems:\n' +
        '- {apiVersion: v1, kind: ConfigMap, metadata: {name: good}}\n' +
        '- {apiVersion: v1, kind: .hidden, metadata: {name: bad}}\n',
    );
    const r = await runCli(['apply', '-f', file], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The .hidden "bad" is invalid: kind: Invalid value: ".hidden"');
    expect(contents(dir)).toEqual([]);
  });
});
