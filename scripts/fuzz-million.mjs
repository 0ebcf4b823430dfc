#!/usr/bin/env node
// Runs the property-based tests (test/**/*.fuzz.test.ts) with a million generated cases per parser (CI runs
// 10,000). Not part of CI: expect tens of minutes per parser on two cores.
//
//   node scripts/fuzz-million.mjs                 # every parser, 1,000,000 cases each
//   node scripts/fuzz-million.mjs pullspec 200000 # one file (name substring), another count
//   ISCTL_FUZZ_SEED=42 node scripts/fuzz-million.mjs   # replay a seed printed by a failure
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [filter = '', runs = '1000000'] = process.argv.slice(2);
const files = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.fuzz.test.ts') && f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no test/**/*.fuzz.test.ts matches "${filter}"`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  const started = Date.now();
  console.log(`== ${f}: ${Number(runs).toLocaleString('en')} cases per property`);
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', `test/${f}`], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ISCTL_FUZZ_RUNS: runs },
  });
  console.log(`== ${f}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
