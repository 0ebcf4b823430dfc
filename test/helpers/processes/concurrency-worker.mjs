// One OS process of the concurrency test: runs a list of isctl command lines one after another
// through the built CLI (dist/isctl.cjs, what bin/isctl.js runs), each a separate command with its
// own lock, store and registry client, and prints one JSON line per command: argv, exit code, output.
// Every `spawnEvery`-th command runs as its own `node bin/isctl.js` process instead.
//
//   node concurrency-worker.mjs <ops.json> [CLI_ROOT]   (CLI_ROOT holds bin/ and dist/; default the repository)
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { run } = await import(join(repo, 'dist', 'isctl.cjs'));
const { ops, env, spawnEvery } = JSON.parse(readFileSync(process.argv[2], 'utf8'));

for (const [i, argv] of ops.entries()) {
  const started = Date.now();
  let code;
  let stdout = '';
  let stderr = '';
  if (spawnEvery && i % spawnEvery === spawnEvery - 1) {
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'isctl.js'), ...argv], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    code = r.status;
    stdout = r.stdout;
    stderr = r.stderr;
  } else {
    const io = {
      stdout: { write: (s) => (stdout += s) },
      stderr: { write: (s) => (stderr += s) },
      env: { ...process.env, ...env },
      cwd: process.cwd(),
      now: () => new Date(),
    };
    code = await run(argv, io);
  }
  process.stdout.write(
    `${JSON.stringify({ i, argv, code, ms: Date.now() - started, stderr: stderr.slice(0, 2000) })}\n`,
  );
}
