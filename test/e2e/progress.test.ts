/**
 * Progress on stderr: drawn on a terminal (the built CLI run under util-linux `script`, which
 * gives it a pseudo-TTY) against a real Distribution registry; absent when piped and with -o.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, pushImage, type TestRegistry } from '../helpers/registry/index.js';
import { BIN, spawnCli, tempDir } from '../helpers/index.js';

const TAGS = ['1.0', '1.1', '1.2', '2.0', '2.1', 'latest'];
const ERASE = '\r\x1b[K';

let reg: TestRegistry;
let state: string;

/** Runs the CLI on a pseudo-terminal; returns everything the terminal showed. */
function onTerminal(args: string[]): { text: string; code: number } {
  const line = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', line, '/dev/null'], {
    cwd: state,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { text: r.stdout, code: r.status ?? -1 };
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: state, TERM: 'xterm' };
  return env;
}

beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
  for (const [i, tag] of TAGS.entries()) await pushImage(reg, 'team/app', tag, { seed: `progress-${i}` });
  state = tempDir();
});

afterAll(async () => {
  await reg?.stop();
  if (state) fs.rmSync(state, { recursive: true, force: true });
});

describe('progress on a terminal', () => {
  it('import-image --all shows done/total and the registry host, then erases the line', () => {
    const r = onTerminal(['import-image', 'app', `--from=${reg.host}/team/app`, '--all', '--confirm', '--insecure']);
    expect(r.code).toBe(0);
    expect(r.text).toContain(`${ERASE}importing 6/6 tags (${reg.host})`);
    // The line is erased before the results are printed, so the table starts on a clean line.
    const lastProgress = r.text.lastIndexOf('importing ');
    expect(r.text.indexOf(ERASE, lastProgress)).toBeGreaterThan(lastProgress);
    expect(r.text).toContain('Name:');
  });

  it('refresh counts failures so far', () => {
    fs.writeFileSync(
      path.join(state, 'broken.yaml'),
      `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: broken}\nspec:\n` +
        `  tags:\n  - name: gone\n    from: {kind: DockerImage, name: ${reg.host}/team/missing:1}\n` +
        `    importPolicy: {insecure: true}\n`,
    );
    const r = onTerminal(['refresh']);
    expect(r.text).toContain(`refreshing 7/7 tags (${reg.host}), 1 failed`);
  });

  it('stays silent with -o json even on a terminal', () => {
    const r = onTerminal(['refresh', '-o', 'json']);
    expect(r.text).not.toContain('refreshing');
    expect(r.text).not.toContain(ERASE);
    expect(r.text).toContain('"outcomes"');
  });
});

describe('progress when piped', () => {
  it('never appears in piped stderr or stdout', async () => {
    const imp = await spawnCli(
      ['import-image', 'app2', `--from=${reg.host}/team/app`, '--all', '--confirm', '--insecure'],
      {
        cwd: state,
      },
    ).done;
    expect(imp.code).toBe(0);
    const ref = await spawnCli(['refresh'], { cwd: state }).done;
    for (const out of [imp.stdout, imp.stderr, ref.stdout, ref.stderr]) {
      expect(out).not.toContain('importing ');
      expect(out).not.toContain('refreshing ');
      expect(out).not.toContain('\r');
    }
  });
});
