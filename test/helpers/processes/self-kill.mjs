// Preloaded into a spawned isctl by the crash tests (NODE_OPTIONS=--import=<this file>): counts the
// file-system operations that write (rename, link, rm, unlink, writeFile, and writes/fsyncs on an
// open file handle — before and after each) and SIGKILLs its own process at operation number
// ISCTL_TEST_KILL_AT, so a kill lands at an exact, random point of the write phase whatever the
// machine's load. With ISCTL_TEST_COUNT_FILE the count reached is written there at exit instead.
// The kill is a real SIGKILL: nothing after it runs, no handler, no flush.
import fs from 'node:fs';

const at = Number(process.env.ISCTL_TEST_KILL_AT ?? 0);
const countFile = process.env.ISCTL_TEST_COUNT_FILE;
let n = 0;
const tick = () => {
  n++;
  if (n === at) process.kill(process.pid, 'SIGKILL');
};

const p = fs.promises;
for (const name of ['rename', 'link', 'rm', 'unlink', 'writeFile']) {
  const orig = p[name];
  p[name] = async function (...args) {
    tick();
    const r = await orig.apply(this, args);
    tick();
    return r;
  };
}
const open = p.open;
p.open = async function (...args) {
  const fh = await open.apply(this, args);
  for (const name of ['writeFile', 'write', 'sync']) {
    const orig = fh[name];
    fh[name] = async function (...a) {
      tick();
      const r = await orig.apply(this, a);
      tick();
      return r;
    };
  }
  return fh;
};
if (countFile) process.on('exit', () => fs.writeFileSync(countFile, String(n)));
