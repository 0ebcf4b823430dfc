/** The completion engine as a table: words typed → candidates, directive and the names to look up. */
import { describe, expect, it } from 'vitest';
import { completeWords, resourceNames, type CompletionCommand } from '../../src/output/completion.js';
import { completionTree } from '../../src/cli/commands/completion.js';
import { buildProgram } from '../../src/cli/main.js';
import { loadCommandModules } from '../../src/cli/commands/index.js';

const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', now: () => new Date(0) };
const tree: CompletionCommand = completionTree(buildProgram(io, await loadCommandModules()));

const cases: [string, Partial<ReturnType<typeof completeWords>>][] = [
  ['ge', { candidates: ['get'] }],
  ['he', { candidates: ['help'] }],
  ['help gr', { candidates: ['graph'] }],
  ['describe istag ', { resource: 'istag' }],
  ['get imagestreams my', { resource: 'is' }],
  ['import-image my', { resource: 'is' }],
  ['import-image my:', { resource: 'istag' }],
  ['refresh a ', { resource: 'is' }],
  ['rollout latest ', { resource: 'dc' }],
  ['set image-lookup ', { resource: 'is' }],
  ['-n ', { resource: 'namespace' }],
  ['--dir ', { directive: 'dirs', candidates: [] }],
  ['--registry-config ', { directive: 'files' }],
  ['get is -o jsonp', { candidates: ['jsonpath='], directive: 'nospace' }],
  ['get is -o j', { candidates: ['json', 'jsonpath='], directive: 'default' }],
  ['import-image --import-mode=P', { candidates: ['--import-mode=PreserveOriginal'] }],
  ['completion z', { candidates: ['zsh'] }],
  ['graph -o ', { candidates: ['mermaid', 'dot', 'json'] }],
  ['refresh --output=', { candidates: ['--output=json'] }],
  ['apply -f ', { directive: 'files' }],
  ['import-image x --from ', { candidates: [] }],
];

describe('completeWords', () => {
  it.each(cases)('%j', (line, expected) => {
    const words = line.split(' ');
    expect(completeWords(tree, words)).toMatchObject(expected);
  });

  it('offers the resource kinds after get, describe and delete', () => {
    for (const verb of ['get', 'describe', 'delete']) {
      expect(completeWords(tree, [verb, '']).candidates).toEqual(
        expect.arrayContaining(['is', 'istag', 'isimage', 'imagestream', 'imagestreamtag']),
      );
    }
  });

  it('remembers --dir and -n typed anywhere on the line, in both spellings', () => {
    expect(completeWords(tree, ['--dir', '/x', 'describe', '-n=ns1', 'is', ''])).toMatchObject({
      dir: '/x',
      resource: 'is',
    });
    expect(completeWords(tree, ['describe', 'is', '--namespace', 'ns2', ''])).toMatchObject({
      namespace: 'ns2',
      resource: 'is',
    });
  });

  it('never offers hidden commands', () => {
    expect(completeWords(tree, ['__']).candidates).toEqual([]);
  });

  it('treats words after -- as arguments, not flags', () => {
    expect(completeWords(tree, ['refresh', '--', '--x', '']).resource).toBe('is');
  });
});

describe('resourceNames', () => {
  const objects = [
    {
      kind: 'ImageStream',
      name: 'app',
      namespace: 'a',
      object: {
        spec: { tags: [{ name: 'latest' }] },
        status: { tags: [{ tag: 'old', items: [{ image: 'sha256:1' }] }] },
      },
    },
    { kind: 'ImageStream', name: 'db', namespace: 'b', object: {} },
    { kind: 'DeploymentConfig', name: 'web', namespace: 'a', object: {} },
    { kind: 'Deployment', name: 'api', namespace: 'a', object: {} },
  ];
  it('lists the names of a kind in one namespace', () => {
    expect(resourceNames({ objects }, 'is', 'a')).toEqual(['app']);
    expect(resourceNames({ objects }, 'istag', 'a')).toEqual(['app:latest', 'app:old']);
    expect(resourceNames({ objects }, 'isimage', 'a')).toEqual(['app@sha256:1']);
    expect(resourceNames({ objects }, 'dc', 'a')).toEqual(['dc/web']);
    expect(resourceNames({ objects }, 'workload', 'a')).toEqual(['dc/web', 'deployment/api']);
    expect(resourceNames({ objects }, 'namespace', 'a')).toEqual(['a', 'b']);
  });
});
