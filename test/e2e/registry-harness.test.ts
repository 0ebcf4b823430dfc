/**
 * The harness itself: registries stop by PID, also when the test process that started them is
 * killed, and notifications reach a listener (for the webhook tests that reuse it).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, pushImage } from '../helpers/registry/index.js';
import { transpileTree } from '../helpers/transpile.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('test harness', () => {
  it('stop() ends the registry process', async () => {
    const reg = await startRegistry({ mode: 'plain' });
    expect(alive(reg.pid)).toBe(true);
    await reg.stop();
    expect(await waitFor(() => !alive(reg.pid))).toBe(true);
  });

  it('a registry dies with the process that started it, even on SIGKILL', async () => {
    const dir = transpileTree('test/helpers/registry');
    const script = `
      const { startRegistry } = await import(${JSON.stringify(join(dir, 'registry.js'))});
      const reg = await startRegistry({ mode: 'plain' });
      console.log(reg.pid + ' ' + reg.dir);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const started = await waitFor(() => /\d+ \S+\n/.test(out), 15_000);
    if (!started) {
      child.kill('SIGKILL');
      throw new Error(`child did not start a registry: ${err}`);
    }
    const [pidText, regDir] = out.trim().split(' ');
    const pid = Number(pidText);
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitFor(() => !alive(pid))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
    rmSync(regDir, { recursive: true, force: true });
  });

  it('sends Distribution notifications with the configured static headers', async () => {
    const received: { auth?: string; body: any }[] = [];
    const listener = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/events`;
    const reg = await startRegistry({
      mode: 'plain',
      notifications: { url, headers: { Authorization: 'Bearer shared-secret' } },
    });
    try {
      const pushed = await pushImage(reg, 'team/notify', 'v1');
      const tagged = () =>
        received.find((r) => r.body.events?.some((e: any) => e.action === 'push' && e.target?.tag === 'v1'));
      expect(await waitFor(() => !!tagged())).toBe(true);
      expect(tagged()!.auth).toBe('Bearer shared-secret');
      expect(tagged()!.body.events.find((e: any) => e.target?.tag === 'v1').target.digest).toBe(pushed.digest);
    } finally {
      await reg.stop();
      listener.closeAllConnections();
      listener.close();
    }
  });
});
