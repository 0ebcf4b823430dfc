#!/usr/bin/env node
// Starts the compiled CLI and sets the process exit code; all logic lives in dist/cli/main.js.
import { run } from '../dist/cli/main.js';

// `isctl … | head` closes the pipe early: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await run(process.argv.slice(2));
