/**
 * The status page of `isctl serve` in a real browser (Debian's Chromium, headless, through
 * playwright-core): the built CLI serves a folder whose streams import from Debian's
 * docker-registry and from a hostile registry on 127.0.0.1. What a person sees is read from the
 * DOM: a push shows its new digest within one refresh period without a reload, a failing tag shows
 * its reason, hostile names and messages are text, the keyboard reaches every link, and the page
 * fits a phone. Screenshots go to the test's temporary folder, and to ISCTL_SCREENSHOT_DIR too
 * when it is set (to look at them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { freePort, pushImage, startRegistry, type TestRegistry } from '../helpers/registry/index.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { realClock, runCli, spawnCli, tempDir, useCliSnapshot, type CliProcess } from '../helpers/index.js';
import type { StatusDocument } from '../../src/server/status/types.js';
const SECRET = 'status-page-webhook-secret-5d1e';
const UI_TOKEN = 'status-page-ui-token-90ab';
const HOSTILE_TAG = '<img src=x onerror=window.__pwned=3>';
const HOSTILE_MESSAGE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

const serves: CliProcess[] = [];
const folders: string[] = [];
const browsers: TestBrowser[] = [];
let hostile: Server | undefined;
let snapshot: { remove(): void } | undefined;

// serve runs as the built CLI, from a private copy (another build must not change it mid-test).
beforeAll(() => {
  snapshot = useCliSnapshot();
}, 180_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  for (const s of serves) {
    try {
      process.kill(s.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const ended = await Promise.race([s.done.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    if (!ended) process.kill(s.pid, 'SIGKILL');
  }
  await new Promise<void>((r) => (hostile ? hostile.close(() => r()) : r()));
  snapshot?.remove();
  for (const d of folders) fs.rmSync(d, { recursive: true, force: true });
});

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A registry that answers every manifest request 403 with hostile text in its error message. */
async function startHostileRegistry(): Promise<string> {
  hostile = createServer((req, res) => {
    const body = req.url === '/v2/' ? '{}' : JSON.stringify({ errors: [{ code: 'DENIED', message: HOSTILE_MESSAGE }] });
    res.writeHead(req.url === '/v2/' ? 200 : 403, {
      'Content-Type': 'application/json',
      'Docker-Distribution-API-Version': 'registry/2.0',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((r) => hostile!.listen(0, '127.0.0.1', () => r()));
  return `127.0.0.1:${(hostile.address() as { port: number }).port}`;
}

function folder(reg: TestRegistry, bad: string): string {
  const dir = tempDir('status-page');
  folders.push(dir);
  const tag = (name: string, from: string) =>
    `  - name: ${JSON.stringify(name)}\n    from:\n      kind: DockerImage\n      name: ${from}\n    importPolicy:\n      insecure: true\n`;
  const tags = [
    tag('1.0', `${reg.host}/team/app:1.0`),
    tag(HOSTILE_TAG, `${reg.host}/team/app:1.0`),
    tag('locked', `${bad}/team/locked:1.0`),
    tag('gone', `${reg.host}/team/app:missing`),
  ].join('');
  fs.writeFileSync(
    path.join(dir, 'app.yaml'),
    `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
  namespace: team
spec:
  tags:
${tags}---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team
  annotations:
    image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"app:1.0"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"}]'
spec:
  template:
    spec:
      containers:
      - name: web
        image: placeholder
`,
  );
  // A Helm-style values file whose image follows the tag through a marker comment.
  fs.writeFileSync(path.join(dir, 'values.yaml'), 'web:\n  image: placeholder # {"$imagestreamtag": "team/app:1.0"}\n');
  return dir;
}

/** Starts the built `isctl serve` on the folder; resolves once it answers /healthz. */
async function serve(dir: string, port: number, args: string[]): Promise<void> {
  const s = spawnCli(['serve', '--interval', '1h', '--listen', `127.0.0.1:${port}`, ...args], { dir });
  serves.push(s);
  let exited = false;
  void s.done.then(() => (exited = true));
  await until(
    async () =>
      exited ||
      (await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.ok)
        .catch(() => false)),
    15_000,
    'serve to listen',
  );
  if (exited) throw new Error(`serve exited: ${(await s.done).stderr}`);
}

/** Saves a full-page screenshot in the folder (and in ISCTL_SCREENSHOT_DIR when set). */
async function screenshot(b: TestBrowser, dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  await b.page.screenshot({ path: file, fullPage: true });
  const keep = process.env.ISCTL_SCREENSHOT_DIR;
  if (keep) fs.copyFileSync(file, path.join(keep, name));
  return file;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

// page.evaluate callbacks run in the browser and reach its globals through globalThis (the
// project is type-checked without the DOM library).
type Focused = { tag: string; href: string | null; text: string; inTags: boolean; inGraph: boolean };

describe('the status page in Chromium', () => {
  let reg: TestRegistry;
  let servePort: number;
  let bad: string;

  beforeAll(async () => {
    servePort = await freePort();
    bad = await startHostileRegistry();
    reg = await startRegistry({
      mode: 'plain',
      notifications: {
        url: `http://127.0.0.1:${servePort}/webhooks/distribution`,
        headers: { Authorization: `Bearer ${SECRET}` },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await reg?.stop();
  });

  it('shows failures and hostile names as text, follows a push within one refresh, works by keyboard and on a phone', async () => {
    const v1 = await pushImage(reg, 'team/app', '1.0', { seed: 'status-v1' });
    const dir = folder(reg, bad);
    // Two tags fail on purpose (exit code 1); what matters is what the folder records.
    expect((await runCli(['refresh', '-n', 'team'], { dir, clock: realClock })).code).toBe(1);
    const secretFile = path.join(dir, '.secret');
    fs.writeFileSync(secretFile, `${SECRET}\n`);
    await serve(dir, servePort, ['--webhook-secret-file', secretFile]);
    const base = `http://127.0.0.1:${servePort}`;

    const b = await launchBrowser();
    browsers.push(b);
    const { page } = b;
    const response = await page.goto(`${base}/`);
    expect(response?.status()).toBe(200);
    await page.evaluate(() => {
      (globalThis as any).__marker = 'the same page';
    });
    expect(await page.title()).toBe('(2 failing) isctl serve status');

    // Failing tags first, each with its reason; the registry's hostile message is text.
    const rowHeaders = await page.locator('#tags tbody th.tagname').allTextContents();
    expect(rowHeaders.slice(0, 2).sort()).toEqual(['gone', 'locked']);
    const statusOf = async (tag: string) =>
      (await page
        .locator('#tags tbody tr', { has: page.getByRole('rowheader', { name: tag, exact: true }) })
        .locator('td')
        .nth(1)
        .textContent()) ?? '';
    const locked = await statusOf('locked');
    expect(locked).toContain('Failed');
    expect(locked).toContain(`Forbidden: denied: ${HOSTILE_MESSAGE}`);
    expect(await statusOf('gone')).toMatch(/^Failed NotFound: .*not found/);
    // The hostile tag name is the row header's text; no element came out of it or of the message.
    const hostileHeader = page.getByRole('rowheader', { name: HOSTILE_TAG, exact: true });
    expect(await hostileHeader.textContent()).toBe(HOSTILE_TAG);
    expect(await page.locator('main img, main script, main iframe').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    const digestOf = (tag: string) =>
      page
        .locator('#tags tbody tr', { has: page.getByRole('rowheader', { name: tag, exact: true }) })
        .locator('code.digest')
        .getAttribute('data-digest');
    expect(await digestOf('1.0')).toBe(v1.digest);

    // The keyboard reaches the skip link, the sections, the tag row's workload link and the graph.
    const focusedAfterTab = async (): Promise<Focused> => {
      await page.keyboard.press('Tab');
      return page.evaluate(() => {
        const e = (globalThis as any).document.activeElement;
        return {
          tag: e.tagName.toLowerCase(),
          href: e.getAttribute('href'),
          text: (e.textContent ?? '').trim(),
          inTags: Boolean(e.closest('#tags')),
          inGraph: Boolean(e.closest('svg')),
        };
      });
    };
    const seen: Focused[] = [];
    for (let i = 0; i < 80; i++) {
      const f = await focusedAfterTab();
      seen.push(f);
      if (f.inGraph && f.text.startsWith('deployment/web')) break;
    }
    expect(seen[0]).toMatchObject({ tag: 'a', href: '#tags', text: 'Skip to the tags' });
    expect(seen.some((f) => f.tag === 'button' && f.text === 'Pause live updates')).toBe(true);
    expect(seen.some((f) => f.tag === 'a' && f.href === 'api/v1/status')).toBe(true);
    const workloadLink = seen.find((f) => f.inTags && f.tag === 'a' && f.text === 'deployment/web');
    expect(workloadLink?.href).toMatch(/^#w-[0-9a-f]{16}$/);
    expect(seen.some((f) => f.inGraph && f.href === workloadLink!.href)).toBe(true);
    expect(seen.some((f) => f.inGraph && f.text.startsWith('app:1.0'))).toBe(true);
    // The marker follows the tag too: the tag row lists it, the workloads table has its row.
    const followers = await page
      .locator('#tags tbody tr', { has: page.getByRole('rowheader', { name: '1.0', exact: true }) })
      .locator('td[data-label="Workloads"] a')
      .allTextContents();
    expect(followers.sort()).toEqual(['deployment/web', 'values.yaml:2']);
    expect(await page.getByRole('rowheader', { name: 'values.yaml:2', exact: true }).count()).toBe(1);
    // Enter on the tag row's workload link lands on the workload's row, which links back.
    const link = page.locator(`#tags a[href="${workloadLink!.href}"]`);
    await link.focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as any).location.hash)).toBe(workloadLink!.href);
    expect(await page.locator(':target th').textContent()).toBe('deployment/web');
    expect(await page.locator(':target a').first().textContent()).toBe('app:1.0');

    // A push: the registry notifies serve, serve imports; the page shows the digest within one
    // refresh period of the data changing, without a reload and without losing keyboard focus.
    await link.focus();
    const v2 = await pushImage(reg, 'team/app', '1.0', { seed: 'status-v2' });
    expect(v2.digest).not.toBe(v1.digest);
    await until(
      async () => {
        const doc = (await (await fetch(`${base}/api/v1/status`)).json()) as StatusDocument;
        return doc.streams[0].tags.some((t) => t.name === '1.0' && t.digest === v2.digest);
      },
      20_000,
      'serve to import the pushed digest',
    );
    const changed = Date.now();
    await page.waitForFunction(
      (digest) => (globalThis as any).document.querySelector(`#tags code[data-digest="${digest}"]`) !== null,
      v2.digest,
      { timeout: 5_000 + 2_000, polling: 100 },
    );
    expect(Date.now() - changed).toBeLessThan(7_000);
    expect(await digestOf('1.0')).toBe(v2.digest);
    expect(await page.evaluate(() => (globalThis as any).__marker)).toBe('the same page');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('href'))).toBe(
      workloadLink!.href,
    );
    const deliveries = await page.locator('#deliveries tbody tr').allTextContents();
    expect(
      deliveries.some((r) => r.includes('distribution') && r.includes('team/app:1.0') && r.includes('accepted')),
    ).toBe(true);
    // The registry may notify more than once for one push (a later delivery then imports
    // nothing new and becomes the newest row): the import that moved the tags is among the rows.
    const imports = await page.locator('#imports tbody tr').allTextContents();
    expect(imports.filter((r) => /webhook.*2 tags, 2 changed, 0 failed: team\/app:1\.0/.test(r))).toHaveLength(1);

    // Nothing secret in the page; no script error, no CSP refusal.
    expect(await page.content()).not.toContain(SECRET);
    expect(b.errors).toEqual([]);

    // Screenshots, and a phone's width: no sideways scrolling of the page itself.
    expect(pngSize(await screenshot(b, dir, 'status-desktop.png')).width).toBe(1280);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(pngSize(await screenshot(b, dir, 'status-phone.png')).width).toBe(390);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    // On a phone the tag rows are cards that still read as table rows with their headers.
    expect(await page.getByRole('rowheader', { name: 'locked', exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('cell', { name: /^Status: Failed Forbidden/ }).count()).toBe(1);
  }, 180_000);

  it('with --ui-token-file the browser signs in through its login prompt, and the page keeps refreshing', async () => {
    const dir = folder(reg, bad);
    const tokenFile = path.join(dir, '.ui-token');
    fs.writeFileSync(tokenFile, `${UI_TOKEN}\n`);
    const port = await freePort();
    await serve(dir, port, ['--ui-token-file', tokenFile]);
    const url = `http://127.0.0.1:${port}/`;

    // Without credentials for its prompt the browser shows nothing of the page.
    const anonymous = await launchBrowser();
    browsers.push(anonymous);
    await expect(anonymous.page.goto(url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="isctl serve", charset="UTF-8"');

    const signedIn = await launchBrowser({ httpCredentials: { username: 'me', password: UI_TOKEN } });
    browsers.push(signedIn);
    expect((await signedIn.page.goto(url))?.status()).toBe(200);
    const poll = await signedIn.page.waitForResponse((r) => r.url().endsWith('/api/v1/status'), { timeout: 8_000 });
    expect([200, 304]).toContain(poll.status());
    expect(await signedIn.page.textContent('#live')).toBe('Live: updated every 5 s.');
    expect(await signedIn.page.content()).not.toContain(UI_TOKEN);
    expect(signedIn.errors).toEqual([]);
  }, 120_000);
});
