/**
 * Setup file of the `unit` project: a unit test starts no process. Every function of
 * node:child_process that starts one throws, naming the rule, so a test that needs a process (an
 * installed tool, the built CLI, a registry) fails here instead of passing only on a machine that
 * has the tool. Such a test belongs in test/e2e/ or in a file named *.int.test.ts (see
 * test/README.md).
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const starters = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

for (const name of starters) {
  const refuse = (command?: unknown) => {
    throw new Error(
      `a unit test may not start a process (child_process.${name}(${JSON.stringify(command)})): ` +
        'move the test to test/e2e/ or name its file *.int.test.ts',
    );
  };
  Object.defineProperty(childProcess, name, { value: refuse, configurable: true, writable: true });
}
// The named ESM exports (`import { spawn } from 'node:child_process'`) follow the module object.
syncBuiltinESMExports();
