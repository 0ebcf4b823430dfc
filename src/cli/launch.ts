/**
 * What bin/isctl.js starts (built alone into dist/launch.js): `isctl --version` is answered here,
 * without loading any command; every other run loads the bundle (dist/isctl.cjs, src/cli/main.ts
 * and all it imports) and calls its `run`.
 *
 * The bundle is compiled through V8's code cache. Node.js 22 offers that as
 * `module.enableCompileCache()` / NODE_COMPILE_CACHE; Node.js 20 has neither, so this does what
 * they do, with `vm.Script` `cachedData`: after a run, the bytecode of every function the run
 * compiled is written to a cache file, and the next run of the same command deserializes it
 * instead of parsing and compiling again. As with Node's own cache: NODE_COMPILE_CACHE=DIR chooses
 * the folder (isctl uses DIR/isctl), NODE_DISABLE_COMPILE_CACHE=1 turns it off, and any failure
 * only costs the speed-up. With source maps on (`node --enable-source-maps`, NODE_OPTIONS), the
 * bundle is loaded by plain `require` so that stack traces name src/*.ts lines; no cache then.
 *
 * The cache file is the one file isctl writes outside src/state/atomic.ts (test/architecture
 * file-writes.test.ts keeps it so). This module is built alone into dist/launch.js, which is all
 * that `isctl --version` loads and which scripts/build.mjs keeps under 16 kB; atomic.ts would
 * bring its folder rules (src/state/discover.ts, the state-folder link checks of
 * `resolveWriteTarget`, domain/errors.ts) for a file that lives outside any state folder, and the
 * bundle, which holds atomic.ts, is what this file compiles and may not be there to call. So
 * `writeCache` does what atomic.ts `replaceFile` does, synchronously (the run is over, nothing
 * waits): a temporary file in the same folder, fsynced, renamed over the cache file, removed if
 * the rename fails. The temporary file is named, and a dead writer's removed, by the rules of the
 * state folder's temporary files (src/state/temp-names.ts, which imports nothing else of isctl).
 */
import { isStaleTempName, TEMP_MARKER, tempPathFor } from '../state/temp-names.js';
import { VERSION } from './version.js';

/** The bundle's interface: what src/cli/main.ts exports. */
export interface Bundle {
  run(argv: string[]): Promise<number>;
}

/** Where and under which name a run keeps its code cache; undefined when it is off. */
export interface CacheLocation {
  dir: string;
  /** Part of the file name: the command word, so each command's cache holds that command's code. */
  key: string;
}

/** How the bundle was compiled: from a cache file, without one (none yet, or off), or with one V8 refused. */
export type CacheStatus = 'off' | 'miss' | 'hit' | 'rejected';

/** A loaded bundle and what to do after its run. */
export interface LoadedBundle {
  bundle: Bundle;
  status: CacheStatus;
  /** Writes the cache file when there was none or V8 refused it; never throws. */
  saveCache(): void;
}

type Env = Record<string, string | undefined>;

/** Runs isctl with `argv`; `bundleFile` is dist/isctl.cjs. Returns the exit code. */
export async function start(argv: string[], bundleFile: string): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`isctl ${VERSION}\n`);
    return 0;
  }
  const { createRequire } = process.getBuiltinModule('node:module');
  if (process.sourceMapsEnabled) return (createRequire(bundleFile)(bundleFile) as Bundle).run(argv);
  const os = process.getBuiltinModule('node:os');
  const loaded = await loadBundle(bundleFile, cacheLocation(process.env, argv, os.tmpdir(), process.getuid?.()));
  const code = await loaded.bundle.run(argv);
  loaded.saveCache();
  return code;
}

/**
 * The cache folder: NODE_COMPILE_CACHE/isctl, else one of this user's own in the temporary
 * folder (named by user id, as several users share /tmp); undefined when NODE_DISABLE_COMPILE_CACHE
 * is set. The key is the first argument that looks like a command word (`get`, `import-image`).
 */
export function cacheLocation(
  env: Env,
  argv: readonly string[],
  tmpdir: string,
  uid?: number,
): CacheLocation | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const dir = env.NODE_COMPILE_CACHE
    ? `${env.NODE_COMPILE_CACHE.replace(/\/+$/, '')}/isctl`
    : `${tmpdir.replace(/\/+$/, '')}/isctl-compile-cache-${uid ?? 'user'}`;
  return { dir, key: argv.find((a) => /^[a-z][a-z0-9-]{0,31}$/.test(a)) ?? 'none' };
}

/**
 * The name of a bundle's cache files: the cache belongs to these exact bytes (V8 itself only
 * compares the source length) at this path — deserialized code keeps the file name it was
 * compiled under, so a cache made by another copy of the bundle would make stack traces and
 * profiles name that copy's file.
 */
export function cacheId(file: string, bytes: Uint8Array): string {
  const { createHash } = process.getBuiltinModule('node:crypto');
  return createHash('sha256').update(file).update('\0').update(bytes).digest('hex').slice(0, 16);
}

/** Compiles and evaluates the bundle, with the code cache of `cache` when it is there and trusted. */
export async function loadBundle(file: string, cache: CacheLocation | undefined): Promise<LoadedBundle> {
  // Synchronously, without the ES module loader: a few milliseconds less than import().
  const { isAscii } = process.getBuiltinModule('node:buffer');
  const fs = process.getBuiltinModule('node:fs');
  const vm = process.getBuiltinModule('node:vm');
  const { createRequire } = process.getBuiltinModule('node:module');
  const path = process.getBuiltinModule('node:path');
  const bytes = fs.readFileSync(file);
  const id = cacheId(file, bytes);
  // ASCII is read fastest as Latin-1 (the same text); anything else as UTF-8.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cacheFile = cache && path.join(cache.dir, `${id}-${cache.key}.bin`);
  let cachedData: Buffer | undefined;
  if (cache && cacheFile && trusted(fs, cache.dir)) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // The CommonJS wrapper, on the bundle's first line so that stack traces keep its line numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    // An `import()` the bundle keeps (of a Node.js builtin) resolves as in any ES module.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const status: CacheStatus = !cache ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  const module = { exports: {} as Bundle };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    bundle: module.exports,
    status,
    saveCache() {
      if (!cache || !cacheFile || status === 'hit') return;
      try {
        const data = script.createCachedData();
        fs.mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
        if (!trusted(fs, cache.dir)) return;
        writeCache(fs, cacheFile, data);
        prune(fs, path, cache.dir);
      } catch {
        // Only the speed-up of the next run is lost.
      }
    },
  };
}

/**
 * Replaces `file` with `data` as src/state/atomic.ts `replaceFile` does (see the header for why
 * not through it): a concurrent run reads the old file or the new one, never half of one.
 */
function writeCache(fs: typeof import('node:fs'), file: string, data: Buffer): void {
  const tmp = tempPathFor(file);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** At most this many cache files are kept (0.5–1 MB each): the oldest go first. */
const MAX_CACHE_FILES = 32;

/**
 * Keeps the folder bounded. Files of other builds are not removed on sight: two builds in use on
 * one machine (two clones, an installed one and a clone) would keep removing each other's.
 */
function prune(fs: typeof import('node:fs'), path: typeof import('node:path'), dir: string): void {
  const names = fs.readdirSync(dir);
  const caches = names
    .filter((name) => /^[0-9a-f]{16}-.*\.bin$/.test(name))
    .map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  // Temporary files of runs killed before their rename: those whose writer is provably gone, and
  // (the names earlier builds gave them, `<cache>.PID.MS.tmp`) those older than a minute.
  const stale = names.filter(
    (name) =>
      (/^\.[0-9a-f]{16}-.*\.bin/.test(name) && name.includes(TEMP_MARKER) && isStaleTempName(name)) ||
      (/^[0-9a-f]{16}-.*\.bin\.\d+\.\d+\.tmp$/.test(name) &&
        Date.now() - fs.statSync(path.join(dir, name)).mtimeMs > 60_000),
  );
  for (const name of [...stale, ...caches.slice(MAX_CACHE_FILES).map((c) => c.name)])
    fs.rmSync(path.join(dir, name), { force: true });
}

/**
 * Bytecode from the cache runs as isctl's own code, so the folder must be this user's alone: a
 * real folder (not a link), owned by this user, writable by nobody else.
 */
function trusted(fs: typeof import('node:fs'), dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}
