/**
 * The repository stands alone: no code comment, doc, test, script or benchmark cites a document
 * outside it (a sibling folder of notes, a notes file, a section sign into such a document) or
 * an issue number of this project's tracker. A comment gives the reason itself or names the
 * upstream file or function it follows; RFC sections and other projects' issues (`owner/repo#N`)
 * are fine. Scanned: src/, test/, bench/, bin/, scripts/, .ci/, examples/ and the top-level
 * Markdown files; the copied corpus (test/fixtures/corpus, third-party files kept as they are)
 * is not (bench/results, written by the benches, record paths relative to the checkout).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FOLDERS = ['src', 'test', 'bench', 'bin', 'scripts', '.ci', 'examples'];
const EXEMPT = ['test/fixtures/corpus/'];
const TEXT = /\.(ts|mts|js|mjs|cjs|sh|md|yaml|yml|json|jsonl|tsv|txt)$|^run$/;

// Built from pieces so that this file does not match its own patterns.
const dot = '\\.';
const FORBIDDEN: [RegExp, string][] = [
  [new RegExp(`${dot}${dot}/shared\\b`), 'a path outside the repository'],
  [new RegExp(`shared${'/'}reference|registry${'-'}lab|/wo${'rk'}/`), 'a path outside the repository'],
  [
    new RegExp(`\\b(oc-cli|imagestream-api|registry-protocol|architecture-anchors|DESIGN)${dot}md\\b`),
    'a document outside the repository',
  ],
  [new RegExp(`ARCHITECTURE${dot}md rule`), 'a numbered rule of a notes file'],
  [/\bissues? #?\d+/i, "an issue number of this project's tracker"],
];
const SECTION = '\u00a7';

/** Why `line` cites something outside the repository, or undefined when it does not. */
function outsideReference(line: string): string | undefined {
  for (const [re, why] of FORBIDDEN) if (re.test(line)) return why;
  // A section sign is fine after an RFC number (RFC 7235 §4.1), nowhere else.
  const withoutRfc = line.replace(new RegExp(`RFC \\d+,? ${SECTION}`, 'g'), '');
  return withoutRfc.includes(SECTION) ? 'a section of a document outside the repository' : undefined;
}

function files(dir: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(path.join(ROOT, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.name === 'node_modules' || EXEMPT.some((x) => `${rel}/`.startsWith(x))) return [];
    return e.isDirectory() ? files(rel) : TEXT.test(e.name) ? [rel] : [];
  });
}

function topLevelMarkdown(): string[] {
  return readdirSync(ROOT).filter((n) => n.endsWith('.md'));
}

describe('the repository stands alone', () => {
  it('the detector knows what it refuses and what it allows', () => {
    expect(outsideReference(`see ${'..'}/sha${'red'}/notes/oc-cli${dot.slice(1)}md`)).toBeDefined();
    expect(outsideReference(`(imagestream-api${dot.slice(1)}md ${SECTION}2.4)`)).toBeDefined();
    expect(outsideReference(`the start-up target of issue ${7}`)).toBeDefined();
    expect(outsideReference(`Crashes (Issue ${8} ${SECTION}2)`)).toBeDefined();
    expect(outsideReference(`defaults applied (${SECTION}1.2)`)).toBeDefined();
    expect(outsideReference(`ARCHITECTURE${dot.slice(1)}md rule 3`)).toBeDefined();
    expect(
      outsideReference(`WWW-Authenticate parsing (RFC 7235 ${SECTION}4.1 / RFC 6750 ${SECTION}3)`),
    ).toBeUndefined();
    expect(outsideReference('fluxcd/image-reflector-controller#905, renovate#8427')).toBeUndefined();
    expect(
      outsideReference('openshift-apiserver pkg/image/apiserver/registry/imagestream/strategy.go'),
    ).toBeUndefined();
  });

  it('no file cites a document outside the repository or an issue number', () => {
    const hits = [...FOLDERS.flatMap(files), ...topLevelMarkdown()].flatMap((f) =>
      readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => {
          const why = outsideReference(line);
          return why ? [`${f}:${i + 1}: ${why}: ${line.trim().slice(0, 120)}`] : [];
        }),
    );
    expect(hits).toEqual([]);
  });
});
