/**
 * `isctl graph` golden files over a folder of corpus files (test/golden/graph/state, see its
 * README): Mermaid for the default namespace, DOT for every namespace, and the marks a user
 * relies on (failed imports, paused/manual triggers, tags missing from the folder).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden, GOLDEN_DIR, runCli, tempDir } from '../helpers/index.js';

const STATE = path.join(GOLDEN_DIR, 'graph', 'state');

describe('isctl graph', () => {
  it('prints the default namespace as Mermaid', async () => {
    const r = await runCli(['graph', '--dir', STATE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectGolden('graph/default.mmd', r.stdout);
  });

  it('prints every namespace as DOT with -A -o dot', async () => {
    const r = await runCli(['graph', '--dir', STATE, '-A', '-o', 'dot']);
    expect(r.code).toBe(0);
    expectGolden('graph/all-namespaces.dot', r.stdout);
  });

  it('marks failed imports, paused and manual triggers, and tags missing from the folder', async () => {
    const r = await runCli(['graph', '--dir', STATE]);
    const lines = r.stdout.split('\n');
    const failed = lines.find((l) => l.includes('whoami:foobar'))!;
    expect(failed).toContain('import failed: NotFound');
    const failedId = failed.trim().split('[')[0];
    expect(lines).toContain(`  class ${failedId} failed`);
    expect(r.stdout).toMatch(/-\.->\|"trigger \(web\) paused"\|/);
    expect(r.stdout).toMatch(/-\.->\|"ImageChange \(web\) manual"\|/);
    expect(r.stdout).toContain('ruby-30:latest<br/>not in the folder');
    expect(r.stdout).toMatch(/\[\("registry\.redhat\.io\/ubi8\/nodejs-12"\)\]/);
  });

  it('leaves out other namespaces unless -A is given', async () => {
    const r = await runCli(['graph', '--dir', STATE]);
    expect(r.stdout).not.toContain('pipeline');
    const all = await runCli(['graph', '--dir', STATE, '-A']);
    expect(all.stdout).toContain('ci-op-jpdy23wx/pipeline:base');
  });

  it('prints nodes and edges with -o json', async () => {
    const r = await runCli(['graph', '--dir', STATE, '-o', 'json']);
    const graph = JSON.parse(r.stdout) as {
      nodes: { id: string; importFailed?: { reason: string } }[];
      edges: { from: string; to: string; kind: string }[];
    };
    expect(graph.nodes.find((n) => n.id === 'tag:default/whoami:foobar')?.importFailed?.reason).toBe('NotFound');
    expect(graph.edges).toContainEqual(
      expect.objectContaining({
        from: 'tag:default/nodejs-ex:latest',
        to: 'wl:default/BuildConfig/bc-source',
        kind: 'trigger',
      }),
    );
  });

  it('rejects other output formats with the allowed list', async () => {
    const r = await runCli(['graph', '--dir', STATE, '-o', 'yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('allowed formats are: mermaid, dot, json');
  });

  it('draws an empty folder as an empty flowchart', async () => {
    const empty = tempDir();
    try {
      const r = await runCli(['graph', '--dir', empty]);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe('flowchart LR');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
