/**
 * Every file isctl writes goes through src/state/atomic.ts (a temporary file in the same folder,
 * fsynced, renamed or linked into place), so that no file is ever seen half-written and every
 * temporary file is named, and cleaned up, by the rules of src/state/temp-names.ts. This test
 * reads every module of src/ and fails on a raw node:fs call that writes, creates, renames or
 * links a file outside the modules allowed below, each with its reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Module (relative to src/) → the raw calls it may make, and why. */
const ALLOWED: Record<string, { calls: string[]; why: string }> = {
  'state/atomic.ts': { calls: ['*'], why: 'the one writer' },
  'cli/launch.ts': {
    calls: ['openSync', 'writeFileSync', 'renameSync'],
    why:
      'the start-up code cache: built alone into dist/launch.js (under 16 kB) before the bundle that ' +
      'holds atomic.ts is compiled; it follows replaceFile and names its temporary files by temp-names.ts',
  },
  'git/clone.ts': {
    calls: ['rename'],
    why: 'moves a damaged clone (a folder, not a file) aside before cloning again',
  },
};

const WRITE_CALLS =
  'writeFile|writeFileSync|appendFile|appendFileSync|rename|renameSync|createWriteStream|copyFile|copyFileSync|' +
  'cp|cpSync|link|linkSync|symlink|symlinkSync|truncate|truncateSync|ftruncate|ftruncateSync|writeSync|writev|writevSync';

/** True when the text can reach node:fs: an import of it, a dynamic import, or process.getBuiltinModule. */
function usesFs(text: string): boolean {
  return /(?:from\s+|import\(\s*|getBuiltinModule\(\s*)'(?:node:)?fs(?:\/promises)?'/.test(text);
}

/** The raw writing calls of a module's text: `name` and the line. */
function writeCalls(text: string): { call: string; line: number }[] {
  if (!usesFs(text)) return [];
  const out: { call: string; line: number }[] = [];
  const lineOf = (at: number) => text.slice(0, at).split('\n').length;
  for (const m of text.matchAll(new RegExp(`(?<![\\w$])(${WRITE_CALLS})\\s*\\(`, 'g')))
    out.push({ call: m[1], line: lineOf(m.index) });
  // open/openSync with a flag that is not read-only ('w', 'wx', 'a', 'r+', …) or that is not a literal.
  // A method of a class (`ObjectIndex.open(root, views)`, `static open(root: string, …)`) is none.
  for (const m of text.matchAll(/(?<![\w$])(?<!\b[A-Z]\w*\.)(open|openSync)\s*\(\s*([^,():]+),\s*([^,()]+)/g)) {
    const flag = /^'([^']*)'$/.exec(m[3].trim())?.[1];
    if (flag === undefined || /[wa+]/.test(flag)) out.push({ call: m[1], line: lineOf(m.index) });
  }
  return out;
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the write-call scanner of these tests', () => {
  it('sees the raw writes of node:fs however the module reaches it, and not reads', () => {
    const fsImport = "import { promises as fs } from 'node:fs';\n";
    expect(writeCalls(`${fsImport}await fs.writeFile(f, 'x');`)).toEqual([{ call: 'writeFile', line: 2 }]);
    expect(writeCalls("import { writeFileSync } from 'node:fs';\nwriteFileSync(f, 'x');").map((c) => c.call)).toEqual([
      'writeFileSync',
    ]);
    expect(writeCalls("const fs = process.getBuiltinModule('node:fs');\nfs.renameSync(a, b);")).toEqual([
      { call: 'renameSync', line: 2 },
    ]);
    expect(writeCalls("const { open } = await import('node:fs/promises');\nawait open(f, 'a');")).toHaveLength(1);
    expect(writeCalls(`${fsImport}fs.createWriteStream(f);\nfs.openSync(f, 'r+');\nfs.open(f, flags);`)).toHaveLength(
      3,
    );
    expect(writeCalls(`${fsImport}await fs.open(f, 'r');\nfs.readFileSync(f);\nIndex.open(root, views);`)).toEqual([]);
    expect(writeCalls(`${fsImport}class I {\n  static open(root: string, views?: V) {}\n}`)).toEqual([]);
    // A module without node:fs has no raw file writes (a `rename(` there is something else).
    expect(writeCalls('store.rename(a, b);')).toEqual([]);
  });
});

describe('file writes in src/', () => {
  it('go through src/state/atomic.ts: no other module writes files with raw node:fs calls', () => {
    const offenders: string[] = [];
    const all = files(SRC);
    expect(all.length).toBeGreaterThan(20);
    for (const file of all) {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      const allowed = ALLOWED[rel]?.calls ?? [];
      for (const { call, line } of writeCalls(fs.readFileSync(file, 'utf8')))
        if (!allowed.includes('*') && !allowed.includes(call)) offenders.push(`${rel}:${line} ${call}`);
    }
    expect(offenders).toEqual([]);
  });

  it('every allowed module still makes the calls it is allowed (a stale entry is removed)', () => {
    for (const [rel, { calls }] of Object.entries(ALLOWED)) {
      const made = new Set(writeCalls(fs.readFileSync(path.join(SRC, rel), 'utf8')).map((c) => c.call));
      for (const call of calls) if (call !== '*') expect(made.has(call), `${rel} ${call}`).toBe(true);
    }
  });
});
