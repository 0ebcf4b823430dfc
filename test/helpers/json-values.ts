/**
 * Generated JSON documents and random edits of them, for the editor's property tests
 * (test/state/editor-property.test.ts, test/state/fast-tree.test.ts): each test brings the keys
 * and leaves it cares about.
 */
import fc from 'fast-check';

export type J = null | boolean | number | string | J[] | { [k: string]: J };

/** Values built of `leaf` in lists and maps keyed by `key`, a few levels deep. */
export function jsonValues(key: fc.Arbitrary<string>, leaf: fc.Arbitrary<J>): fc.Arbitrary<J> {
  return fc.letrec<{ node: J }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(key, tie('node'), { maxKeys: 4 }) as fc.Arbitrary<J>,
    ),
  })).node;
}

/** Documents: maps of 1 to 5 keys. */
export function jsonDocuments(key: fc.Arbitrary<string>, value: fc.Arbitrary<J>): fc.Arbitrary<{ [k: string]: J }> {
  return fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }) as fc.Arbitrary<{ [k: string]: J }>;
}

/** A random edit: set, delete or insert at a random place (driven by a list of choices). */
export function mutate(root: J, choices: number[], replacement: J): J {
  const copy = structuredClone(root);
  let node: J = copy;
  for (let i = 0; ; i++) {
    const c = choices[i % choices.length];
    if (Array.isArray(node)) {
      const at = node.length ? c % (node.length + 1) : 0;
      const child: J | undefined = node[at];
      if (child !== undefined && child !== null && typeof child === 'object' && c % 3 === 0 && i < 6) node = child;
      else if (c % 4 === 1 && at < node.length) node.splice(at, 1);
      else node.splice(at, 0, replacement);
      return copy;
    }
    if (node && typeof node === 'object') {
      const keys = Object.keys(node);
      const k = keys.length ? keys[c % keys.length] : 'new';
      const child: J | undefined = node[k];
      if (child !== undefined && child !== null && typeof child === 'object' && c % 3 === 0 && i < 6) node = child;
      else if (c % 4 === 1 && keys.length > 1) delete node[k];
      else if (c % 4 === 2) node[`k${c}`] = replacement;
      else node[k] = replacement;
      return copy;
    }
    return copy;
  }
}
