#!/usr/bin/env node
// Starts the compiled CLI and sets the process exit code; all logic lives in dist/cli/main.js.
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
