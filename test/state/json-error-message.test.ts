/**
 * A state file that is not valid JSON is reported by path:line:column and never quoted: V8's own
 * message echoes the text around the error, and the folder may hold a Secret manifest.
 */
import { afterEach, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '../../src/state/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test('an unquoted value in a JSON state file: the position is named, no piece of the value is shown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isctl-jsonmsg-'));
  dirs.push(dir);
  const secret = 'Qz8Wk3Xv7J';
  writeFileSync(join(dir, 'secret.json'), `{"apiVersion": "v1", "kind": "Secret",\n "data": {"password": ${secret}}}`);
  const snap = await openStateStore(dir).read('default');
  expect(snap.problems.map((p) => p.message)).toEqual(['secret.json:2:23: JSON syntax error: unexpected character']);
  for (let i = 0; i + 3 <= secret.length; i++) expect(snap.problems[0].message).not.toContain(secret.slice(i, i + 3));
});
