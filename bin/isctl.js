#!/usr/bin/env node
// Starts isctl and sets the process exit code. `npm run build` makes both files it names:
// dist/launch.js (src/cli/launch.ts) answers --version and loads dist/isctl.cjs, the bundle of
// src/cli/main.ts, where all the logic lives.

// `isctl … | head` closes the pipe early: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const { start } = await import('../dist/launch.js');
process.exitCode = await start(process.argv.slice(2), new URL('../dist/isctl.cjs', import.meta.url).pathname);
