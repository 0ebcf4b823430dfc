/**
 * Debian's Chromium, headless, driven by playwright-core (which never downloads a browser): a
 * fresh profile per launch, no network of its own (no updates, sync, QUIC or background fetches).
 * `close()` closes it and then ends, by PID, any process still running with that profile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser. */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors (a CSP refusal shows up here). */
  errors: string[];
  close(): Promise<void>;
}

/** PIDs of processes whose command line names `profile`. */
function processesUsing(profile: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(profile)) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

/** Profiles of browsers not closed yet: a test process that exits early still ends them. */
const profiles = new Set<string>();
process.on('exit', () => {
  for (const profile of profiles) for (const pid of processesUsing(profile)) kill(pid);
});

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Launches Chromium with a fresh profile; `options` go to the browser context (viewport, credentials). */
export async function launchBrowser(
  options: {
    viewport?: { width: number; height: number };
    httpCredentials?: { username: string; password: string };
  } = {},
): Promise<TestBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'isctl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    ...(options.httpCredentials ? { httpCredentials: options.httpCredentials } : {}),
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  profiles.add(profile);
  return {
    context,
    page,
    errors,
    async close() {
      await Promise.race([context.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
      for (const pid of processesUsing(profile)) kill(pid);
      fs.rmSync(profile, { recursive: true, force: true });
      profiles.delete(profile);
    },
  };
}
