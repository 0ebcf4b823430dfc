/**
 * A pull spec that carries credentials (`user:password@host/…`) never reaches a message or a file:
 * `import-image --from` refuses it before writing anything, without quoting it; `tag` refuses it as
 * an invalid SOURCE; one written by hand into a state file is shown as `REDACTED@` by `describe`,
 * and `refresh` records a condition message without it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { hasUserInfo, redactUserInfo } from '../../src/domain/reference.js';

const PASSWORD = 'Qx7Wz9Kv';
const SPEC = `deployer:${PASSWORD}@127.0.0.1:1/a/b:1.0`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'isctl-userinfo-'));
  dirs.push(dir);
  for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
  return dir;
}

async function cli(dir: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { HOME: dir, PATH: process.env.PATH, NO_COLOR: '1', ISCTL_REQUEST_TIMEOUT: '2s' },
    cwd: dir,
    now: () => new Date(),
  };
  const code = await run(['--dir', dir, ...argv], io);
  return { code, out: stdout + stderr };
}

function files(dir: string): string {
  if (!existsSync(dir)) return '';
  let out = '';
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const p = join(e.parentPath, e.name);
    if (e.isFile() && statSync(p).size < 1 << 20) out += readFileSync(p, 'utf8');
  }
  return out;
}

describe('credentials in a pull spec', () => {
  it('import-image --from user:password@… --confirm is refused before anything is written, without quoting the spec', async () => {
    const dir = folder();
    const r = await cli(dir, ['import-image', 's:1', `--from=${SPEC}`, '--confirm']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('--from must not carry credentials (user:password@ before the registry host)');
    expect(r.out).not.toContain(PASSWORD);
    expect(readdirSync(dir).filter((f) => f !== '.isctl')).toEqual([]);
    expect(files(dir)).not.toContain(PASSWORD);
  });

  it('tag refuses it as an invalid SOURCE, quoting nothing', async () => {
    const dir = folder();
    const r = await cli(dir, ['tag', SPEC, 's:1']);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain(PASSWORD);
    expect(files(dir)).not.toContain(PASSWORD);
  });

  it('one written by hand into a state file: describe shows REDACTED@, refresh records no password', async () => {
    const stream = [
      'apiVersion: image.openshift.io/v1',
      'kind: ImageStream',
      'metadata: {name: s, namespace: default}',
      'spec:',
      '  tags:',
      "  - name: '1'",
      `    from: {kind: DockerImage, name: '${SPEC}'}`,
      '',
    ].join('\n');
    const dir = folder({ 's.yaml': stream });
    const d = await cli(dir, ['describe', 'is', 's']);
    expect(d.out).toContain('tagged from REDACTED@127.0.0.1:1/a/b:1.0');
    expect(d.out).not.toContain(PASSWORD);
    for (const argv of [
      ['graph'],
      ['graph', '-o', 'dot'],
      ['get', 'istag', '-o', 'wide'],
      ['get', 'is', '-o', 'wide'],
    ]) {
      const g = await cli(dir, argv);
      expect(g.out, argv.join(' ')).not.toContain(PASSWORD);
    }
    expect((await cli(dir, ['graph'])).out).toContain('REDACTED@127.0.0.1:1/a/b:1.0');
    const r = await cli(dir, ['refresh']);
    expect(r.code).toBeGreaterThan(0);
    expect(r.out).not.toContain(PASSWORD);
    const written = readFileSync(join(dir, 's.yaml'), 'utf8');
    // The condition message names the spec without its credentials (the file's own from.name is the user's).
    expect(written.split('\n').filter((l) => l.includes(PASSWORD))).toEqual([
      `    from: {kind: DockerImage, name: '${SPEC}'}`,
    ]);
    expect(written).toContain('REDACTED@127.0.0.1:1/a/b:1.0');
  });

  it('tells credentials from digests and paths', () => {
    expect(hasUserInfo('u:p@quay.io/a/b')).toBe(true);
    expect(hasUserInfo('ghp_token@ghcr.io/o/r:1')).toBe(true);
    expect(hasUserInfo('busybox@sha256:0123')).toBe(false);
    expect(hasUserInfo('quay.io/a/b@sha256:0123')).toBe(false);
    expect(redactUserInfo(`error: "${SPEC}" and https://t0k@h.io/x`)).toBe(
      'error: "REDACTED@127.0.0.1:1/a/b:1.0" and https://REDACTED@h.io/x',
    );
  });
});
