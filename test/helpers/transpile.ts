/**
 * Transpiles a folder of the repository's TypeScript to plain ESM under node_modules/.cache (so
 * imports of installed packages resolve), for tests that must run code in a fresh Node process
 * (environment read at start-up, processes killed on purpose).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '../..');

/** Transpiles `<repo>/<folder>/**\/*.ts` once per test process; returns the output folder. */
export function transpileTree(folder: string): string {
  const out = join(root, 'node_modules', '.cache', `isctl-${folder.replace(/\W/g, '_')}-${process.pid}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const js = ts.transpileModule(readFileSync(path, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText;
        const target = join(out, relative(join(root, folder), path)).replace(/\.ts$/, '.js');
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, js);
      }
    }
  };
  walk(join(root, folder));
  return out;
}
