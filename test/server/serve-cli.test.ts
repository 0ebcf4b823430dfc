import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/index.js';
import { createLogger } from '../../src/server/log.js';

const cli = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { cwd: os.tmpdir(), env });

const dir = tempDir('serve-cli');

describe('isctl serve: bad flags are usage errors naming the flag', () => {
  it.each([
    [['--interval', '5'], 'error: invalid interval "5": use a duration such as 30s, 5m, 1h or 1h30m'],
    [['--interval', '0s'], 'error: invalid interval "0s": the interval must be at least 1s'],
    [['--listen', 'nowhere'], 'error: invalid --listen "nowhere": use HOST:PORT, [IPv6]:PORT, :PORT or PORT'],
    [['--log-format', 'xml'], 'error: invalid --log-format "xml": use json or text'],
    [['--queue-depth', '0'], 'error: invalid --queue-depth "0": use a whole number above 0'],
    [['--max-body-bytes', 'lots'], 'error: invalid --max-body-bytes "lots": use a whole number above 0'],
    [
      ['--webhook-secret-file', '/nonexistent/secret'],
      'error: cannot read the webhook secret file /nonexistent/secret: ENOENT',
    ],
    [['--ui-token-file', '/nonexistent/token'], 'error: cannot read the UI token file /nonexistent/token: ENOENT'],
  ])('%j', async (args, message) => {
    const r = await cli(['serve', '--dir', dir, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(message);
    expect(r.stderr).toContain("See 'isctl serve -h' for help and examples");
  });

  it('a port in use is refused with a hint', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await cli(['serve', '--dir', dir, '--listen', `127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `error: cannot listen on 127.0.0.1:${port}: the address is already in use\npass --listen with a free HOST:PORT`,
      );
    } finally {
      blocker.close();
    }
  });

  it('an empty secret file is refused with a hint', async () => {
    const f = path.join(dir, 'empty-secret');
    fs.writeFileSync(f, '\n');
    const r = await cli(['serve', '--dir', dir, '--webhook-secret-file', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: the webhook secret file ${f} is empty\nwrite the shared secret into it, e.g. openssl rand -hex 32 > FILE`,
    );
  });

  it('--once on a folder without scheduled tags changes nothing and exits 0', async () => {
    const r = await cli(['serve', '--once', '--dir', dir, '--log-format', 'text']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('INFO  schedule import: 0 tag(s), 0 changed, 0 failed trigger=schedule bucket=all');
  });

  it('help documents the endpoints, the secret and the --once exit codes', async () => {
    const r = await cli(['serve', '-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--once');
    expect(r.stdout).toContain('0 nothing changed, 1 something changed, 2 errors');
    expect(r.stdout).toContain('/webhooks/{distribution,dockerhub,quay,harbor,github}');
    expect(r.stdout).toContain('Authorization: Bearer SECRET');
  });

  it('help says who may read the status page', async () => {
    const r = await cli(['serve', '-h']);
    expect(r.stdout).toContain('--ui-token-file <file>');
    expect(r.stdout).toContain('The status page (GET /) and its data (GET /api/v1/status) are read-only.');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      'On a loopback --listen they need no login; on any other address they need the --ui-token-file token (ISCTL_UI_TOKEN), or else the webhook secret',
    );
  });

  it('an empty UI token file is refused with a hint', async () => {
    const f = path.join(dir, 'empty-token');
    fs.writeFileSync(f, '');
    const r = await cli(['serve', '--dir', dir, '--ui-token-file', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: the UI token file ${f} is empty\nwrite the token into it, e.g. openssl rand -hex 32 > FILE`,
    );
  });
});

describe('log lines', () => {
  it('json: one object per line; text: time, level, message, key=value', () => {
    const out: string[] = [];
    const now = () => new Date('2026-11-22T12:00:00Z');
    createLogger('json', (l) => out.push(l), now).log('info', 'delivery', 'quay delivery accepted', {
      sender: 'quay',
      queued: 2,
      repositories: ['a/b:1'],
    });
    createLogger('text', (l) => out.push(l), now).log('warn', 'delivery', 'refused', {
      reason: 'bad signature',
      status: 401,
      skipped: undefined,
    });
    expect(out).toEqual([
      '{"time":"2026-11-22T12:00:00.000Z","level":"info","event":"delivery","msg":"quay delivery ' +
        'accepted","sender":"quay","queued":2,"repositories":["a/b:1"]}\n',
      '2026-11-22T12:00:00.000Z WARN  refused reason="bad signature" status=401\n',
    ]);
  });
});
