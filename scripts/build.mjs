#!/usr/bin/env node
// `npm run build`: bundles src/ into what bin/isctl.js runs, with esbuild (a devDependency; the
// bundle needs nothing at run time but Node.js).
//
//   dist/launch.js       src/cli/launch.ts: `--version`, and loading the bundle through V8's code cache
//   dist/isctl.cjs       src/cli/main.ts and everything it imports, the runtime packages included
//   dist/isctl.cjs.map   its source map (positions in src/*.ts and the packages' files)
//   dist/openpgp.cjs     OpenPGP.js, required by the bundle only to verify GPG signatures
//   dist/THIRD-PARTY-NOTICES.md  name, version and licence text of every package inside the bundle
//
// Nothing here lists modules: esbuild follows the imports from the two entries (OpenPGP.js is
// built apart), so a file that is added, renamed or removed in src/ is picked up by the next
// build. Command modules stay lazily
// evaluated inside the bundle (esbuild wraps the target of each `import()` in an init function).
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// A clone whose node_modules predates the bundle has no esbuild yet: say what to do.
const { build, transform } = await import('esbuild').catch(() => {
  console.error('npm run build: esbuild (a devDependency) is not installed; run `npm ci` (or `npm install`) first.');
  process.exit(1);
});

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
// The oldest Node.js that package.json's engines allows ("node": ">=20.19" → node20.19).
const target = `node${/(\d+(?:\.\d+)?)/.exec(pkg.engines.node)[1]}`;

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target,
  logLevel: 'warning',
  // No keepNames: it wraps every function in a `__name(fn, "name")` call that runs each time a
  // closure is made (~35 ms of a 2,000-tag refresh). Without it a name stays as written unless
  // esbuild renames a top-level binding to avoid a clash between two modules (`Foo` → `Foo2`);
  // the check after the build makes sure no error class isctl reports by name is renamed so.
  keepNames: false,
};

// OpenPGP.js (LGPL-3.0, about 0.9 MB) goes into a file of its own, dist/openpgp.cjs, that the bundle
// requires only when a signedBy (GPG) signature is verified: every other command parses a bundle
// without it, and the library stays a separate, replaceable file.
const openpgpApart = {
  name: 'openpgp-apart',
  setup(b) {
    b.onResolve({ filter: /^openpgp$/ }, () => ({ path: './openpgp.cjs', external: true }));
  },
};

rmSync(DIST, { recursive: true, force: true });

const main = await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/isctl.cjs',
  // CommonJS: V8's code cache is reachable on Node.js 20 only through vm.Script (src/cli/launch.ts).
  format: 'cjs',
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  plugins: [openpgpApart],
});

const openpgp = await build({
  ...common,
  // A library of its own, off the hot paths: as its authors ship it, names kept.
  keepNames: true,
  // Its CommonJS build (the package's "require" export): the ESM one needs import.meta.url.
  entryPoints: [createRequire(import.meta.url).resolve('openpgp')],
  outfile: 'dist/openpgp.cjs',
  format: 'cjs',
  metafile: true,
});

await build({
  ...common,
  entryPoints: ['src/cli/launch.ts'],
  outfile: 'dist/launch.js',
  format: 'esm',
});

// One-byte text: the launcher reads an ASCII bundle as Latin-1, several milliseconds faster than
// UTF-8 (which makes V8 hold it as two-byte text). esbuild escapes non-ASCII characters in strings
// but leaves comments (and regular expression literals) as written. Escape them all, and keep the
// escaped text only when it is the same program: with comments dropped, both read the same.
await asciiOnly(path.join(DIST, 'isctl.cjs'));

async function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  if (!/[^\x00-\x7f]/.test(text)) return;
  const escaped = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const program = async (code) =>
    (await transform(code, { minifyWhitespace: true, legalComments: 'none', charset: 'ascii', loader: 'js' })).code;
  if ((await program(text)) === (await program(escaped))) {
    writeFileSync(file, escaped);
    return;
  }
  const line = text.split('\n').findIndex((l) => /[^\x00-\x7f]/.test(l.replace(/\/\/.*$|\/\*.*?\*\/|^\s*\*.*$/g, '')));
  console.warn(
    `build: dist/isctl.cjs keeps a non-ASCII character outside a comment (near line ${line + 1}); ` +
      'write it as \\u.... in src/ (a regular expression literal, a String.raw) to make start-up faster.',
  );
}

// Error classes set `this.name = new.target.name` (src/domain/errors.ts): a subclass esbuild
// renamed (`UsageError2 = class extends IsctlError`) would carry the wrong name.
renamedErrorClasses(readFileSync(path.join(DIST, 'isctl.cjs'), 'latin1'));

function renamedErrorClasses(code) {
  const base = new Map();
  for (const m of code.matchAll(/\b([A-Za-z_$][\w$]*) = class extends ([A-Za-z_$][\w$]*)/g)) base.set(m[1], m[2]);
  const isctlError = (name, seen = new Set()) =>
    name === 'IsctlError' || (base.has(name) && !seen.has(name) && isctlError(base.get(name), seen.add(name)));
  const renamed = [...base.keys()].filter((n) => isctlError(n) && /\d$/.test(n));
  if (!base.has('IsctlError') && !code.includes('IsctlError = class'))
    throw new Error('build: IsctlError not found in dist/isctl.cjs; update the check in scripts/build.mjs');
  if (renamed.length > 0)
    throw new Error(
      `build: esbuild renamed error classes (${renamed.join(', ')}); give them names no other module uses`,
    );
}

// The launcher must stay small: it is all that `isctl --version` loads.
const launchSize = readFileSync(path.join(DIST, 'launch.js')).length;
if (launchSize > 16_000) throw new Error(`dist/launch.js is ${launchSize} bytes: src/cli/launch.ts imports too much`);

writeFileSync(
  path.join(DIST, 'THIRD-PARTY-NOTICES.md'),
  notices([...Object.keys(main.metafile.inputs), ...Object.keys(openpgp.metafile.inputs)]),
);

/** The licence of every package a bundled file belongs to, from its own package.json and LICENSE file. */
function notices(inputs) {
  const roots = new Set();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) roots.add(m[1]);
  }
  const parts = ['# Third-party software inside dist/isctl.cjs and dist/openpgp.cjs', ''];
  for (const root of [...roots].sort()) {
    const meta = JSON.parse(readFileSync(path.join(ROOT, root, 'package.json'), 'utf8'));
    const file = readdirSync(path.join(ROOT, root)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    if (!file) throw new Error(`${root}: no licence file to ship with the bundle`);
    const text = readFileSync(path.join(ROOT, root, file), 'utf8').trim();
    parts.push(`## ${meta.name} ${meta.version} (${meta.license})`, '', '```', text, '```', '');
  }
  return parts.join('\n');
}

if (!existsSync(path.join(DIST, 'isctl.cjs'))) throw new Error('dist/isctl.cjs was not written');
