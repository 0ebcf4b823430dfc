#!/usr/bin/env node
// Starts the compiled CLI and sets the process exit code; all logic lives in dist/cli/main.js.

// `isctl … | head` closes the pipe early: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  // Fast path: the version needs none of the command modules (start-up target of issue 7).
  const { VERSION } = await import('../dist/cli/version.js');
  process.stdout.write(`isctl ${VERSION}\n`);
} else {
  const { run } = await import('../dist/cli/main.js');
  process.exitCode = await run(argv);
}
