import { describe, expect, it } from 'vitest';
import { renderJsonPath } from '../../src/output/jsonpath.js';

const data = {
  kind: 'List',
  items: [
    { metadata: { name: 'a', labels: { app: 'x' } }, spec: { tags: [{ name: 'v1' }, { name: 'v2' }] }, n: 1 },
    { metadata: { name: 'b' }, spec: { tags: [] }, n: 5 },
  ],
};

describe('kubectl JSONPath subset', () => {
  it.each([
    ['{.kind}', 'List'],
    ['kind={.kind}!', 'kind=List!'],
    ['{$.kind}', 'List'],
    ['{.items[*].metadata.name}', 'a b'],
    ['{.items[0].metadata.name}', 'a'],
    ['{.items[-1].metadata.name}', 'b'],
    ['{.items[0:1].metadata.name}', 'a'],
    ["{.items[0].metadata['labels']}", '{"app":"x"}'],
    ['{.items[0].spec.tags[*].name}', 'v1 v2'],
    ['{..name}', 'a v1 v2 b'],
    ['{.items[?(@.metadata.name=="b")].n}', '5'],
    ['{.items[?(@.n>2)].metadata.name}', 'b'],
    ['{.items[?(@.metadata.labels)].metadata.name}', 'a'],
    ['{.missing.field}', ''],
    ['{range .items[*]}{.metadata.name}:{range .spec.tags[*]}{.name},{end}{"\\n"}{end}', 'a:v1,v2,\nb:\n'],
    ['{.items[1].spec.tags}', '[]'],
    ['plain text', 'plain text'],
  ])('%s', (tpl, want) => expect(renderJsonPath(tpl, data)).toBe(want));

  it.each([
    ['{.items[0', 'error parsing jsonpath {.items[0, unclosed action'],
    ['{.items[0}', 'error parsing jsonpath {.items[0}, unterminated array'],
    ['{range .items[*]}{.x}', 'error parsing jsonpath {range .items[*]}{.x}, unclosed range, {end} expected'],
    ['{end}', 'error parsing jsonpath {end}, not in range, nothing to end'],
  ])('rejects %s', (tpl, msg) => expect(() => renderJsonPath(tpl, data)).toThrow(msg));
});
