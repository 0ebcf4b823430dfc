/**
 * Text isctl did not write itself — a registry's error text and tag names, a state file's
 * `from.name`, condition messages and comments, webhook fields — reaches a terminal with its
 * control characters shown as `\xNN` (one function: src/domain/escape.ts), in every human format:
 * errors, `import-image`/`tag`/`refresh` output, `get`, `describe`, `graph`, diffs and
 * `serve --log-format text`. Machine formats (JSON, YAML) keep their own escaping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { createLogger } from '../../src/server/log.js';
import { escapeControls, escapeLine } from '../../src/domain/escape.js';

/** Window title, clear screen, colour, a bare CR (overwrites the line), a C1 CSI and DEL. */
const EVIL = '\x1b]0;pwned\x07\x1b[2J\x1b[31mred\rX\x9b1m\x7f';
/** Any C0/C1 control but line feed and tab. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

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

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'isctl-escape-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function cli(dir: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { HOME: dir, PATH: process.env.PATH, NO_COLOR: '1' },
    cwd: dir,
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  const code = await run(['--dir', dir, ...argv], io);
  return { code, stdout, stderr };
}

/** A registry whose every answer is a 400 (not retried) carrying EVIL as the error message. */
async function evilRegistry(): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID', message: `manifest unknown ${EVIL}` }] }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ESCAPED = escapeControls(EVIL);

const hostileStream = [
  'apiVersion: image.openshift.io/v1',
  'kind: ImageStream',
  'metadata: {name: s, namespace: default}',
  'spec:',
  '  tags:',
  '  - name: a',
  `    from: {kind: DockerImage, name: ${JSON.stringify(`quay.io/x/y:1${EVIL}`)}}`,
  'status:',
  '  tags:',
  `  - tag: ${JSON.stringify(`t${EVIL}`)}`,
  '    items:',
  '    - created: "2024-01-01T00:00:00Z"',
  `      dockerImageReference: "quay.io/x/y@sha256:${'1'.repeat(64)}"`,
  `      image: "sha256:${'1'.repeat(64)}"`,
  '      generation: 1',
  '    conditions:',
  '    - type: ImportSuccess',
  '      status: "False"',
  '      reason: NotFound',
  `      message: ${JSON.stringify(`failed ${EVIL}`)}`,
  '      lastTransitionTime: "2024-01-01T00:00:00Z"',
  '',
].join('\n');

describe('text from registries', () => {
  it('a registry error text is escaped by import-image, and later by describe (condition message)', async () => {
    const host = await evilRegistry();
    const dir = folder();
    const imp = await cli(dir, ['import-image', 's:1', `--from=${host}/a/b:1`, '--confirm', '--insecure']);
    expect(imp.code).toBe(1);
    expect(imp.stderr).toContain(`manifest unknown ${ESCAPED}`);
    expect(imp.stderr + imp.stdout).not.toMatch(RAW);
    const d = await cli(dir, ['describe', 'is', 's']);
    expect(d.stdout).toContain(ESCAPED);
    expect(d.stdout).not.toMatch(RAW);
  });

  it('refresh prints the registry text escaped; so does describe after tag (the import failure is a condition)', async () => {
    const host = await evilRegistry();
    const dir = folder();
    const t = await cli(dir, ['tag', `${host}/a/b:1`, 's:1', '--insecure']);
    expect(t.stderr + t.stdout).not.toMatch(RAW);
    const d = await cli(dir, ['describe', 'is', 's']);
    expect(d.stdout).toContain(ESCAPED);
    expect(d.stdout).not.toMatch(RAW);
    const r = await cli(dir, ['refresh']);
    expect(r.stderr).toContain(ESCAPED);
    expect(r.stderr + r.stdout).not.toMatch(RAW);
  });
});

describe('text from state files', () => {
  it('get is, get istag: tag names are escaped (a cell ends at a CR, as kubectl cuts it)', async () => {
    const dir = folder({ 's.yaml': hostileStream });
    for (const argv of [
      ['get', 'is'],
      ['get', 'istag'],
      ['get', 'is', '-o', 'wide'],
    ]) {
      const r = await cli(dir, argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout, argv.join(' ')).toContain(`t${escapeLine(EVIL.split('\r')[0])}...`);
      expect(r.stdout, argv.join(' ')).not.toMatch(RAW);
    }
  });

  it('describe is and graph (mermaid, dot) escape from.name, tag names and messages', async () => {
    const dir = folder({ 's.yaml': hostileStream });
    for (const argv of [['describe', 'is', 's'], ['graph'], ['graph', '-o', 'dot']]) {
      const r = await cli(dir, argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout, argv.join(' ')).toContain(`quay.io/x/y:1${escapeLine(EVIL)}`);
      expect(r.stdout + r.stderr, argv.join(' ')).not.toMatch(RAW);
    }
  });

  it('machine formats keep their own escaping (JSON shows \\u001b: no C0 control is raw)', async () => {
    const dir = folder({ 's.yaml': hostileStream });
    const r = await cli(dir, ['get', 'is', 's', '-o', 'json']);
    expect(r.stdout).toContain('\\u001b]0;pwned');
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('a diff shows a control character of a line nobody edited escaped; a CRLF line ending stays', async () => {
    const dir = folder({
      's.yaml': `apiVersion: image.openshift.io/v1\r\nkind: ImageStream\r\nmetadata:\r\n  name: s\r\n# owner: ${EVIL}\r\nspec:\r\n  tags: []\r\n`,
    });
    const r = await cli(dir, ['tag', '--reference', 'quay.io/x/y:1', 's:b', '--dry-run']);
    expect(r.stdout).toContain(` # owner: ${escapeLine(EVIL)}\r\n`);
    expect(r.stdout.replace(/\r\n/g, '\n')).not.toMatch(RAW);
  });
});

describe('text from webhook senders', () => {
  it('serve --log-format text escapes the message and every field', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'text',
      (l) => lines.push(l),
      () => new Date('2026-01-01T00:00:00Z'),
    );
    logger.log('info', 'delivery', `quay delivery for repo${EVIL}`, {
      repositories: [`quay.io/a${EVIL}:1`],
      sender: `quay${EVIL}`,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0].slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(lines[0]).toContain(`repo${escapeLine(EVIL)}`);
    expect(lines[0]).toContain('sender="quay\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31mred\\rX\\x9b1m\\x7f"');
  });
});
