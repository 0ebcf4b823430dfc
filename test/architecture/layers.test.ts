/**
 * Dependencies point down (the layers of ARCHITECTURE.md): cli → output/server → core →
 * registry/state/git → domain. This test reads every import in src/ and fails on one that points
 * up. src/git is an I/O adapter like registry and state: core sees it through its types only,
 * injected.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const rank: Record<string, number> = {
  domain: 0,
  registry: 1,
  state: 1,
  git: 1,
  core: 2,
  output: 3,
  server: 3,
  cli: 4,
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0];
}

/**
 * Every module a file depends on: static `import … from`, `export … from` (re-exports are
 * dependencies too) and dynamic `import('…')`; `typeOnly` for `import type` / `export type`.
 */
function importsOf(text: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm))
    out.push({ spec: m[2], typeOnly: Boolean(m[1]) });
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) out.push({ spec: m[1], typeOnly: false });
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

const IO_MODULES = /^(node:)?(fs|fs\/promises|child_process|net|http|http2|https|tls|dgram|undici)$/;

/** True when the text depends on a module that does I/O (statically, by re-export or dynamically). */
function doesIo(text: string): boolean {
  return importsOf(text).some((i) => !i.typeOnly && IO_MODULES.test(i.spec));
}

describe('the import scanner of these tests', () => {
  it('sees static, re-exported, multi-line and dynamic imports', () => {
    const text = [
      "import { a } from '../core/a.js';",
      "import type { B } from '../core/b.js';",
      "export { c } from '../cli/c.js';",
      "export type { D } from '../cli/d.js';",
      "export * from '../server/e.js';",
      'import {',
      '  f,',
      "} from '../output/f.js';",
      "const g = await import('../cli/g.js');",
      "import '../server/h.js';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { spec: '../core/a.js', typeOnly: false },
      { spec: '../core/b.js', typeOnly: true },
      { spec: '../cli/c.js', typeOnly: false },
      { spec: '../cli/d.js', typeOnly: true },
      { spec: '../server/e.js', typeOnly: false },
      { spec: '../output/f.js', typeOnly: false },
      { spec: '../server/h.js', typeOnly: false },
      { spec: '../cli/g.js', typeOnly: false },
    ]);
    expect(doesIo("const fs = await import('node:fs');")).toBe(true);
    expect(doesIo("export { readFile } from 'node:fs/promises';")).toBe(true);
    expect(doesIo("import type { Dispatcher } from 'undici';")).toBe(false);
  });
});

describe('layering of src/', () => {
  const all = files(SRC);
  it('every file is in a known layer', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.map(layerOf).filter((l) => !(l in rank))).toEqual([]);
  });

  it('no module imports a layer above its own (type-only imports of registry/state contracts are allowed between siblings)', () => {
    const violations: string[] = [];
    for (const file of all) {
      const from = layerOf(file);
      const text = fs.readFileSync(file, 'utf8');
      for (const { spec, typeOnly } of importsOf(text)) {
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), spec);
        const to = layerOf(target);
        if (!(to in rank) || to === from) continue;
        if (rank[to] > rank[from]) violations.push(`${path.relative(SRC, file)} → ${spec}`);
        else if (rank[to] === rank[from] && !typeOnly)
          violations.push(`${path.relative(SRC, file)} → ${spec} (sibling layer, not type-only)`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('domain code does no I/O', () => {
    const offenders = all
      .filter((f) => layerOf(f) === 'domain' && doesIo(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(offenders).toEqual([]);
  });

  it('core gets its I/O injected: no file system, processes or network of its own', () => {
    const offenders = all
      .filter((f) => layerOf(f) === 'core' && doesIo(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});

describe('pull specs are read once', () => {
  const all = files(SRC);
  // Flag readers: oc parses these arguments with reference.Parse in Complete (the import-image
  // target, set triggers --from-image); everything else works on readPullSpec values.
  const flagReaders = new Set(['core/import-plan.ts', 'core/triggers/set-triggers/flags.ts']);
  it('outside src/domain nothing parses pull-spec text or looks at its prefix', () => {
    const offenders: string[] = [];
    for (const file of all) {
      const rel = path.relative(SRC, file);
      if (layerOf(file) === 'domain') continue;
      const text = fs.readFileSync(file, 'utf8');
      if (/\bparsePullSpec\(/.test(text)) offenders.push(`${rel}: parsePullSpec`);
      if (/startsWith\('oci:'\)/.test(text)) offenders.push(`${rel}: startsWith('oci:')`);
      if (/\bparseDockerImageReference\(/.test(text) && !flagReaders.has(rel))
        offenders.push(`${rel}: parseDockerImageReference`);
    }
    expect(offenders).toEqual([]);
  });
});
