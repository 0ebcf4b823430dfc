/**
 * Messages never quote the content of the files isctl reads for itself: a credentials file that is
 * not JSON is reported by line and column (the JSON parser's own message echoes the text around
 * the error — a password), and an OCI layout neither follows a symbolic link out of its folder nor
 * quotes what `oci-layout` or `index.json` hold. Checked on stdout, stderr and every state file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
});

function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function cli(dir: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { HOME: dir, PATH: process.env.PATH, NO_COLOR: '1' },
    cwd: dir,
    now: () => new Date(),
  };
  const code = await run(['--dir', dir, ...argv], io);
  return { code, stdout, stderr };
}

/** Every file under `dir`, concatenated. */
function everything(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const p = join(e.parentPath, e.name);
    if (e.isFile() && statSync(p).size < 1 << 20) out += readFileSync(p, 'utf8');
  }
  return out;
}

/** Every 3-character piece of `secret` (the issue saw a message quote a password's first characters). */
function pieces(secret: string): string[] {
  return Array.from({ length: secret.length - 2 }, (_, i) => secret.slice(i, i + 3));
}

function expectNone(text: string, secret: string) {
  for (const p of pieces(secret)) expect(text, `"${p}" of the secret was printed or written`).not.toContain(p);
}

describe('the credentials file', () => {
  it('an unquoted password: the error names the file, line and column, and no part of the password, on stdout, stderr or in the stream file', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
      res.end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const secret = 'Zq9xW7vKpL';
    const dir = temp('isctl-credmsg-');
    const auth = join(temp('isctl-credfile-'), 'auth.json');
    writeFileSync(auth, `{\n  "auths": {\n    "${host}": {"username": "u", "password": ${secret}}\n  }\n}\n`);
    const r = await cli(dir, [
      'import-image',
      's:1',
      `--from=${host}/a/b:1`,
      '--confirm',
      '--insecure',
      '--registry-config',
      auth,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read credentials from ${auth}: it is not valid JSON (line 3, column`);
    expectNone(r.stdout + r.stderr, secret);
    expectNone(everything(dir), secret);
  });
});

describe('an OCI layout', () => {
  function layout(): string {
    const root = temp('isctl-layout-');
    mkdirSync(join(root, 'blobs', 'sha256'), { recursive: true });
    return root;
  }

  it('an oci-layout file that links to a file elsewhere is refused without quoting that file', async () => {
    const elsewhere = join(temp('isctl-elsewhere-'), 'private.txt');
    const secret = 'PRIVKEY-Mx7Qwz9';
    writeFileSync(elsewhere, `${secret}\nmore private text\n`);
    const l = layout();
    symlinkSync(elsewhere, join(l, 'oci-layout'));
    writeFileSync(join(l, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    const dir = temp('isctl-ocimsg-');
    const r = await cli(dir, ['import-image', 's:1', `--from=oci:${l}:1`, '--confirm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(l, 'oci-layout')} is a symbolic link that leads out of the OCI layout ${l}`);
    expectNone(r.stdout + r.stderr, secret);
    expectNone(everything(dir), secret);
  });

  it('an index.json that links out of the layout is refused', async () => {
    const elsewhere = join(temp('isctl-elsewhere-'), 'index.json');
    writeFileSync(elsewhere, '{"schemaVersion":2,"manifests":[]}');
    const l = layout();
    writeFileSync(join(l, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    symlinkSync(elsewhere, join(l, 'index.json'));
    const dir = temp('isctl-ocimsg-');
    const r = await cli(dir, ['import-image', 's:1', `--from=oci:${l}:1`, '--confirm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(l, 'index.json')} is a symbolic link that leads out of the OCI layout`);
  });

  it('an oci-layout or index.json that is not JSON is reported by position, its text never quoted', async () => {
    const secret = 'Qz7Xk9Wq3Jv';
    for (const file of ['oci-layout', 'index.json']) {
      const l = layout();
      writeFileSync(join(l, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      writeFileSync(join(l, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
      writeFileSync(join(l, file), `{"x": ${secret}}`);
      const dir = temp('isctl-ocimsg-');
      const r = await cli(dir, ['import-image', 's:1', `--from=oci:${l}:1`, '--confirm']);
      expect(r.code, file).toBe(1);
      expect(r.stderr, file).toContain(`${join(l, file)} is not valid JSON (line 1, column 7)`);
      expectNone(r.stdout + r.stderr, secret);
      expectNone(everything(dir), secret);
    }
  });

  it('a layout folder reached through a link, with links that stay inside it, still works as a layout', async () => {
    const l = layout();
    writeFileSync(join(l, 'real-layout'), '{"imageLayoutVersion":"1.0.0"}');
    symlinkSync('real-layout', join(l, 'oci-layout'));
    writeFileSync(join(l, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    const viaLink = join(temp('isctl-link-'), 'layout');
    symlinkSync(l, viaLink);
    const dir = temp('isctl-ocimsg-');
    const r = await cli(dir, ['import-image', 's:1', `--from=oci:${viaLink}:1`, '--confirm']);
    // The layout is read (no link refusal); tag 1 is simply not in it.
    expect(r.stderr).not.toContain('symbolic link');
    expect(r.stderr).toContain('tag "1" is not in the OCI layout');
  });
});
