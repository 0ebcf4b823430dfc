// The edit tree without the general parser (src/state/edit/fast-tree.ts) against the yaml
// library it stands in for: where it answers, every node the editor reads must be what the
// library's composer makes (class, range, flow, scalar value and type, document start), and an
// edit made on it must give the very bytes an edit on the library's tree gives.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, stringify } from 'yaml';
import type { Document } from 'yaml';
import { describe, expect, test, vi } from 'vitest';
import { editFileText } from '../../src/state/edit/file.js';
import { fastEditTree, treeValues } from '../../src/state/edit/fast-tree.js';
import { fastParseYaml } from '../../src/state/fastyaml.js';
import { CORPUS } from '../fixtures/corpus.js';
import { type J, jsonDocuments, jsonValues, mutate } from '../helpers/json-values.js';

const RUNS = Math.max(1, Number(process.env.ISCTL_FUZZ_RUNS ?? 10_000) || 10_000);

/** Where the two trees differ, as a path and the two sides; undefined when they agree. */
function differ(a: unknown, b: unknown, at = '$'): string | undefined {
  const kind = (n: unknown) =>
    isMap(n) ? 'map' : isSeq(n) ? 'seq' : isScalar(n) ? 'scalar' : isPair(n) ? 'pair' : typeof n;
  if (kind(a) !== kind(b)) return `${at}: ${kind(a)} vs ${kind(b)}`;
  if (isPair(a) && isPair(b)) return differ(a.key, b.key, `${at}.key`) ?? differ(a.value, b.value, `${at}.value`);
  const ra = JSON.stringify((a as { range?: unknown }).range);
  const rb = JSON.stringify((b as { range?: unknown }).range);
  if (ra !== rb) return `${at}: range ${ra} vs ${rb}`;
  if (isScalar(a) && isScalar(b)) {
    if (!Object.is(a.value, b.value) || a.type !== b.type)
      return `${at}: ${JSON.stringify(a.value)} ${a.type} vs ${JSON.stringify(b.value)} ${b.type}`;
    return undefined;
  }
  if ((isMap(a) && isMap(b)) || (isSeq(a) && isSeq(b))) {
    if (!!a.flow !== !!b.flow) return `${at}: flow ${!!a.flow} vs ${!!b.flow}`;
    if (a.items.length !== b.items.length) return `${at}: ${a.items.length} items vs ${b.items.length}`;
    for (let i = 0; i < a.items.length; i++) {
      const d = differ(a.items[i], b.items[i], `${at}[${i}]`);
      if (d) return d;
    }
  }
  return undefined;
}

/** The fast tree of `text` checked against the library; true when the fast path answered. */
function agrees(text: string): boolean {
  const fast = fastEditTree(text);
  if (!fast) return false;
  const lib = parseAllDocuments(text, { uniqueKeys: false }) as Document[];
  expect(
    lib.every((d) => d.errors.length === 0),
    `the library refuses what the fast tree took: ${JSON.stringify(text)}`,
  ).toBe(true);
  expect(fast.length, JSON.stringify(text)).toBe(lib.length);
  // The values it gives are the library's toJS (a `__proto__` key aside: declined, left to the library).
  const values = treeValues(fast);
  if (values || !text.includes('__proto__'))
    expect(values, JSON.stringify(text)).toEqual(lib.map((d) => d.toJS({ maxAliasCount: -1 })));
  fast.forEach((d, i) => {
    expect(d.range?.[0], `document ${i} start in ${JSON.stringify(text)}`).toBe(lib[i].range?.[0]);
    expect(differ(d.contents, lib[i].contents), JSON.stringify(text)).toBeUndefined();
  });
  return true;
}

const key = fc.constantFrom('name', 'tag', 'from', 'items', 'kind', 'a', 'b-c', 'x.y/z', 'on', 'image', '1');
const leaf: fc.Arbitrary<J> = fc.oneof(
  fc.stringMatching(/^[a-z0-9 ./:-]{0,6}$/),
  fc.constantFrom('1.10', 'yes', 'a: b', "it's", '', 'quay.io/a/b:1', 'null', '007', 'sha256:ab'),
  fc.integer({ min: -1000, max: 1000 }),
  fc.boolean(),
  fc.constant(null),
);
const value = jsonValues(key, leaf);
const doc = jsonDocuments(key, value);

/**
 * YAML as tools write it, then shuffled about within what the fast tree claims: blank lines,
 * trailing spaces, more spaces after `-` and `:`, quoted keys, `---` markers, no final newline.
 */
const written = fc
  .tuple(
    fc.array(doc, { minLength: 1, maxLength: 3 }),
    fc.constantFrom(2, 4),
    fc.boolean(),
    fc.array(fc.nat({ max: 11 }), { minLength: 8, maxLength: 40 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([docs, indent, indentSeq, decor, leadingMarker, finalNewline]) => {
    let n = 0;
    const pick = () => decor[n++ % decor.length];
    const text = docs
      .map((d) =>
        stringify(d, { indent, indentSeq, lineWidth: 0 })
          .split('\n')
          .map((line) => {
            const p = pick();
            if (line === '') return line;
            if (p === 7) line = line.replace(/: null$/, ':').replace(/^(\s*)- null$/, '$1-');
            if (p === 1 || p === 7) return `${line}  `;
            if (p === 2) return `${line}\n`;
            if (p === 3) return line.replace(/^(\s*)- /, '$1-   ');
            if (p === 4) return line.replace(/^(\s*)([a-z][a-z.]*):( |$)/, '$1"$2":$3');
            if (p === 5) return line.replace(/^(\s*)([a-z][a-z.]*):( |$)/, "$1'$2':$3");
            if (p === 6) return line.replace(/: (\S)/, ':   $1');
            return line;
          })
          .join('\n'),
      )
      .join('---\n');
    const body = leadingMarker ? `---\n${text}` : text;
    return finalNewline ? body : body.replace(/\n+$/, '');
  });

const corpusYaml = readdirSync(CORPUS, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
  .map((e) => path.join(e.parentPath, e.name));

describe('edit tree without the general parser', () => {
  test('an ImageStream as isctl writes it gets the fast tree, node for node the library’s', () => {
    const text =
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app\n  labels: {}\nspec:\n' +
      '  lookupPolicy:\n    local: false\n  tags:\n  - from:\n      kind: DockerImage\n      name: "quay.io/a/b:1"\n' +
      "    name: '1.0'\n    annotations:\n    referencePolicy:\n      type: Source\nstatus:\n  tags: []\n";
    expect(agrees(text)).toBe(true);
  });

  test('declines what it does not know, leaving it to the library', () => {
    for (const t of [
      'a: 1 # c\n',
      '# head\na: 1\n',
      'a: &x 1\nb: *x\n',
      'a: |\n  text\n',
      'a: {b: c}\n',
      'a: b\n  continued\n',
      'a: 1\na: 2\n',
      'a:\tb\n',
      'a: 1\r\n',
      '--- a: 1\n',
      'a: 1\n---\n',
      '',
      'just a scalar\n',
      '%YAML 1.2\n---\na: 1\n',
      '? a\n: b\n',
      '- - a\n',
    ])
      expect(fastEditTree(t), JSON.stringify(t)).toBeUndefined();
    // A `__proto__` key: the tree is the library's, its values are left to the library's toJS.
    const proto = fastEditTree('a: 1\n__proto__: 2\n');
    expect(proto).toBeDefined();
    expect(treeValues(proto!)).toBeUndefined();
  });

  test('corpus files: the library’s tree wherever the fast tree answers', () => {
    let answered = 0;
    for (const f of corpusYaml) if (agrees(readFileSync(f, 'utf8'))) answered++;
    // Plenty of the corpus is plain block YAML; a fast tree that declined all of it would fail here.
    expect(answered).toBeGreaterThan(corpusYaml.length / 4);
  });

  test('generated YAML: the library’s tree wherever the fast tree answers', () => {
    let answered = 0;
    fc.assert(
      fc.property(written, (text) => {
        if (agrees(text)) answered++;
      }),
      { numRuns: Math.ceil(RUNS / 5) },
    );
    // About a quarter of this text is inside the subset; a fast tree that declined it would fail here.
    expect(answered).toBeGreaterThan(RUNS / 5 / 8);
  }, 120_000);

  test('an edit on the fast tree writes the same bytes as an edit on the library’s tree', async () => {
    vi.resetModules();
    vi.doMock('../../src/state/edit/fast-tree.js', () => ({ fastEditTree: () => undefined }));
    const library = (await import('../../src/state/edit/file.js')).editFileText;
    vi.doUnmock('../../src/state/edit/fast-tree.js');
    const edit = (f: typeof editFileText, text: string, after: unknown) => {
      try {
        return f('f.yaml', text, [{ document: 0, after }], []);
      } catch (e) {
        return `refused: ${(e as Error).message}`;
      }
    };
    let fastOnes = 0;
    fc.assert(
      fc.property(written, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), value, (text, choices, repl) => {
        const values = fastParseYaml(text);
        if (!fastEditTree(text) || !values) return;
        fastOnes++;
        const after = mutate(values[0] as J, choices, repl);
        expect(edit(editFileText, text, after), JSON.stringify(text)).toBe(edit(library, text, after));
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
    expect(fastOnes).toBeGreaterThan(RUNS / 10 / 8);
  }, 120_000);
});
