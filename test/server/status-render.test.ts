/**
 * The status page renderers (src/server/status/render.ts, page.ts): hostile text from the folder,
 * registries and webhooks is shown as text and never becomes markup; ages read as a person
 * would say them; the page's script carries the very renderers the server used.
 */
import { createHash } from 'node:crypto';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActivityLog } from '../../src/server/status/activity.js';
import { renderStatusPage, SHIPPED_RENDERERS } from '../../src/server/status/page.js';
import { escapeHtml, formatAge, formatDuration, renderSections } from '../../src/server/status/render.js';
import type { StatusDocument } from '../../src/server/status/types.js';
import { writeHeldBack } from '../../src/domain/policy/annotations.js';
import { buildStatus, folderView } from '../../src/server/status/model.js';
import { Entry, SnapshotImpl } from '../../src/state/snapshot.js';
import { DIGEST_A, DIGEST_B, NOW, deployment, documentOf, result, stream } from '../helpers/status.js';

const TAGS = new Set(
  'h2 p ul li a code strong span br wbr time table caption thead tbody tr th td div dl dt dd figure figcaption svg defs marker path g title rect text'.split(
    ' ',
  ),
);
const ATTRS = new Set(
  (
    'id class href title datetime data-age data-digest data-label role scope aria-labelledby ' +
    'aria-label tabindex xmlns viewBox width height x y rx fill d marker-end text-anchor refX ' +
    'refY markerWidth markerHeight orient'
  ).split(' '),
);
const ESCAPED = /^(?:[^&<>]|&(?:amp|lt|gt|quot|#39);)*$/;

/**
 * Reads `html` with a strict grammar: text without < or >, or a tag of the allowed names whose
 * attributes are allowed names with double-quoted values. Hostile text that became markup (a new
 * element, an attribute, a broken quote) makes it throw.
 */
function strictTokens(html: string): { tags: string[]; texts: string[] } {
  const re = /<\/([a-z0-9]+)>|<([a-zA-Z0-9]+)((?:\s+[a-zA-Z-]+(?:="[^"<>]*")?)*)\s*\/?>|([^<>]+)/y;
  const tags: string[] = [];
  const texts: string[] = [];
  let at = 0;
  while (at < html.length) {
    re.lastIndex = at;
    const m = re.exec(html);
    if (!m) throw new Error(`not well-formed at ${at}: ${JSON.stringify(html.slice(at, at + 80))}`);
    at = re.lastIndex;
    const name = m[1] ?? m[2];
    if (name !== undefined) {
      if (!TAGS.has(name)) throw new Error(`unexpected element <${name}>`);
      tags.push(name);
      for (const a of (m[3] ?? '').matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) {
        if (!ATTRS.has(a[1])) throw new Error(`unexpected attribute ${a[1]} on <${name}>`);
        if (a[2] !== undefined && !ESCAPED.test(a[2])) throw new Error(`unescaped attribute value ${a[2]}`);
      }
    } else {
      if (!ESCAPED.test(m[4])) throw new Error(`unescaped text ${JSON.stringify(m[4])}`);
      texts.push(m[4]);
    }
  }
  return { tags, texts };
}

const sectionsHtml = (doc: StatusDocument) =>
  renderSections(doc)
    .map((s) => s.html)
    .join('');

const HOSTILE_TAG = '<img src=x onerror=alert(1)>';
const SCRIPT_MESSAGE = 'denied: <script>alert(document.cookie)</script> (registry.example/app:1.0)';

function hostileDocument(): StatusDocument {
  const activity = new ActivityLog(() => NOW);
  activity.observe('info', 'delivery', 'distribution delivery accepted', {
    sender: 'distribution',
    result: 'accepted',
    queued: 1,
    repositories: ['127.0.0.1:5000/team/app:"><svg onload=alert(2)>'],
  });
  activity.observe('warn', 'delivery', 'distribution delivery refused: malformed JSON: Unexpected token <', {
    sender: 'distribution',
    result: 'bad_request',
    status: 400,
  });
  return documentOf(
    [
      stream('team', 'app', [
        { name: HOSTILE_TAG, digest: DIGEST_A },
        { name: 'locked', failure: { reason: 'Forbidden', message: SCRIPT_MESSAGE } },
      ]),
      deployment('team', `web'"><b>x</b>`, `app:${HOSTILE_TAG}`),
    ],
    { activity },
  );
}

describe('status page: hostile text is shown as text', () => {
  it('a hostile tag name is escaped in the tags table, the graph and the workloads table', () => {
    const html = sectionsHtml(hostileDocument());
    const { tags, texts } = strictTokens(html);
    expect(tags).not.toContain('img');
    expect(tags).not.toContain('script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The tag's row header, its graph box and the workload that follows it all show the name.
    expect(texts.filter((t) => t.includes('&lt;img src=x onerror=alert(1)&gt;')).length).toBeGreaterThanOrEqual(3);
  });

  it('<script> in a failure message is text, with the reason', () => {
    const html = sectionsHtml(hostileDocument());
    strictTokens(html);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(
      '<strong>Forbidden</strong>: denied: &lt;script&gt;alert(document.cookie)&lt;/script&gt; (registry.example/app:1.0)',
    );
  });

  it('webhook text (repository names, parser complaints) is escaped', () => {
    const html = sectionsHtml(hostileDocument());
    strictTokens(html);
    expect(html).toContain('<code>127.0.0.1:5000/<wbr>team/<wbr>app:&quot;&gt;&lt;svg onload=alert(2)&gt;</code>');
    expect(html).toContain('malformed JSON: Unexpected token &lt;');
  });

  it('any text in any field stays text (property, every section)', () => {
    const nasty = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(
        '<script>alert(1)</script>',
        '"><img src=x onerror=alert(1)>',
        "' onmouseover='alert(1)",
        '</textarea><svg/onload=alert(1)>',
        '<!--',
        ']]>',
        '&lt;',
        'javascript:alert(1)',
        '\u0000\u2028\ud800',
      ),
    );
    fc.assert(
      fc.property(nasty, nasty, nasty, nasty, nasty, (tag, message, repo, workload, reason) => {
        const activity = new ActivityLog(() => NOW);
        activity.recordRefresh(
          result([
            {
              namespace: 'ns',
              stream: 's',
              tag: 'held',
              from: 'x',
              status: 'unchanged',
              reason: 'HeldBack',
              heldBack: { reason, message },
            },
          ]),
        );
        activity.observe('info', 'delivery', 'm', { sender: repo, result: reason, repositories: [repo] });
        activity.observe('error', 'import-error', message, { trigger: reason });
        activity.observe('info', 'no-match', 'm', { sender: 'quay', repository: repo, tag });
        const doc = documentOf(
          [
            stream('ns', 's', [
              { name: tag, digest: DIGEST_A, from: repo },
              { name: 'held', digest: DIGEST_B },
              { name: `${tag}-x`, failure: { reason, message } },
            ]),
            deployment('ns', workload || 'w', `s:${tag}`),
          ],
          { activity },
        );
        strictTokens(sectionsHtml(doc));
      }),
      { numRuns: 200 },
    );
  });

  it('escapeHtml escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });

  it('no credential appears: secrets in any text are replaced before rendering and in the JSON', () => {
    const secret = 'webhook-secret-s3cr3t';
    const doc = documentOf(
      [stream('ns', 's', [{ name: 't', failure: { reason: 'Unauthorized', message: `token ${secret} refused` } }])],
      { secrets: [secret] },
    );
    expect(JSON.stringify(doc)).not.toContain(secret);
    expect(JSON.stringify(doc)).toContain('token REDACTED refused');
    expect(renderStatusPage(doc, '"e"').html).not.toContain(secret);
  });
});

describe('status page: ages and durations', () => {
  it.each([
    [0, 'just now'],
    [1_000, 'just now'],
    [2_000, '2s ago'],
    [59_000, '59s ago'],
    [60_000, '1m ago'],
    [61_000, '1m 1s ago'],
    [45 * 60_000, '45m ago'],
    [3_600_000, '1h ago'],
    [3_660_000, '1h 1m ago'],
    [86_400_000, '1d ago'],
    [90_000_000, '1d 1h ago'],
    [40 * 86_400_000, '40d ago'],
    [-150_000, 'in 2m 30s'],
  ])('%i ms before now reads "%s"', (ms, text) => {
    expect(formatAge(new Date(NOW - ms).toISOString(), NOW)).toBe(text);
  });

  it('a missing or unreadable time has no age', () => {
    expect(formatAge(null, NOW)).toBe('');
    expect(formatAge('yesterday', NOW)).toBe('');
  });

  it.each([
    [12, '12 ms'],
    [1234, '1.2 s'],
    [125_000, '2m 5s'],
    [null, ''],
  ])('duration %s reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('the tags table shows ages of the import and of the failure, and the scheduler its next run', () => {
    const html = sectionsHtml(
      documentOf([
        stream('ns', 's', [
          { name: 'ok', digest: DIGEST_A, created: '2026-11-22T11:57:00Z' },
          { name: 'bad', failure: { reason: 'NotFound', message: 'gone' } },
        ]),
      ]),
    );
    expect(html).toContain('<time datetime="2026-11-22T11:57:00Z" title="2026-11-22T11:57:00Z" data-age>3m ago</time>');
    expect(html).toContain(
      '(since <time datetime="2026-11-22T11:00:00Z" title="2026-11-22T11:00:00Z" data-age>1h ago</time>)',
    );
    expect(html).toMatch(/<dt>Next run<\/dt><dd><time [^>]*>in 1m 40s<\/time> \(bucket 3 of 4\)/);
  });
});

describe('status page: order, links and held-back tags', () => {
  it('held-back and failing tags come first, and a tag row links to the workloads that follow it', () => {
    const activity = new ActivityLog(() => NOW);
    activity.recordRefresh(
      result([
        {
          namespace: 'b',
          stream: 'pinned',
          tag: '2.0',
          from: 'x',
          status: 'unchanged',
          reason: 'HeldBack',
          heldBack: { reason: 'MajorVersion', message: '3.0 is available; the policy allows 2.x' },
        },
      ]),
    );
    const doc = documentOf(
      [
        stream('a', 'app', [{ name: 'fine', digest: DIGEST_A }]),
        stream('b', 'pinned', [{ name: '2.0', digest: DIGEST_B }]),
        stream('c', 'zz', [{ name: 'broken', failure: { reason: 'NotFound', message: 'no such tag' } }]),
        deployment('a', 'web', 'app:fine'),
      ],
      { activity },
    );
    expect(doc.streams.map((s) => `${s.namespace}/${s.name}`)).toEqual(['b/pinned', 'c/zz', 'a/app']);
    expect(doc.summary).toMatchObject({ tags: 3, failed: 1, heldBack: 1 });
    const tags = renderSections(doc).find((s) => s.id === 'tags')!.html;
    const rows = [...tags.matchAll(/<th scope="row" role="rowheader" class="tagname">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(rows).toEqual(['2.0', 'broken', 'fine']);
    expect(tags).toContain('Held back</span> <span class="why"><strong>MajorVersion</strong>: 3.0 is available');
    const fine = doc.streams[2].tags[0];
    expect(fine.followers).toEqual([
      // Several namespaces: the graph qualifies names (as `isctl graph -A`).
      { id: 'wl:a/Deployment/web', label: 'a/deployment/web', trigger: 'trigger (web)', active: true },
    ]);
    // The tag row links to the workload's row, and the workload's row links back.
    const workloadAnchor = /<li><a href="#(w-[0-9a-f]{16})">a\/deployment\/web<\/a><\/li>/.exec(tags)?.[1];
    expect(workloadAnchor).toBeDefined();
    const triggers = renderSections(doc).find((s) => s.id === 'triggers')!.html;
    expect(triggers).toContain(
      `<tr id="${workloadAnchor}" role="row"><th scope="row" role="rowheader">a/deployment/web</th>`,
    );
    const tagAnchor = /<tr id="(t-[0-9a-f]{16})" class="row-ok" role="row">.{0,200}>fine<\/th>/.exec(tags)?.[1];
    expect(triggers).toContain(`<a href="#${tagAnchor}">a/app:fine</a>`);
    // The graph draws the tag and the workload as links to the same rows.
    expect(triggers).toContain(`<a href="#${tagAnchor}" class="node node-tag"`);
    expect(triggers).toContain(`<a href="#${workloadAnchor}" class="node node-workload"`);
  });
});

describe('status page: markers follow tags too', () => {
  it('a marker comment (a node of isctl graph) follows its tag in the tags and workloads tables, linked both ways', () => {
    const entries = [stream('ns', 'app', [{ name: '1.0', digest: DIGEST_A }])].map(
      (o) => new Entry(null, null, o, 'ns'),
    );
    const snapshot = new SnapshotImpl(
      'ns',
      entries,
      [],
      [
        { file: 'values.yaml', index: 0, line: 3, raw: 'app:1.0:digest', current: 'x', namespace: 'ns' },
        { file: 'values.yaml', index: 1, line: 7, raw: 'app:2.0', current: 'y', namespace: 'ns' },
        { file: 'bad.yaml', index: 0, line: 1, error: 'malformed marker', current: '', namespace: 'ns' },
      ],
    );
    const folder = folderView(snapshot, 'ns');
    expect(folder.graph.edges.filter((e) => e.to.startsWith('marker:'))).toEqual([
      { from: 'tag:ns/app:1.0', to: 'marker:values.yaml:3', kind: 'marker', label: 'marker digest' },
      { from: 'tag:ns/app:2.0', to: 'marker:values.yaml:7', kind: 'marker', label: 'marker image' },
    ]);
    expect(folder.graph.nodes.find((n) => n.id === 'tag:ns/app:2.0')).toMatchObject({ missing: true });
    const doc = buildStatus({
      now: NOW,
      folder,
      namespace: 'ns',
      activity: new ActivityLog(() => NOW),
      scheduler: { intervalMs: 60_000, buckets: 2, tickMs: 30_000, nextRun: undefined },
      serve: {
        listen: '127.0.0.1:1',
        startedAt: '2026-11-22T11:00:00Z',
        webhooks: false,
        access: 'loopback',
        queueDepth: 0,
        importing: false,
      },
      refreshSeconds: 5,
      secrets: [],
    });
    expect(doc.streams[0].tags[0].followers).toEqual([
      { id: 'marker:values.yaml:3', label: 'values.yaml:3', trigger: 'marker digest', active: true },
    ]);
    const html = renderSections(doc).find((x) => x.id === 'triggers')!.html;
    strictTokens(html);
    expect(html).toMatch(/<tr id="w-[0-9a-f]{16}" role="row"><th scope="row" role="rowheader">values\.yaml:3<\/th>/);
    expect(html).toContain('app:2.0 <span class="muted">(not in the folder)</span>');
    expect(html).toMatch(/<a href="#w-[0-9a-f]{16}" class="node node-marker"/);
  });
});

describe('status page: held-back tags from the stream', () => {
  it("a policy tag's held-back record in the stream shows without any outcome of this serve", () => {
    const s = stream('ns', 'app', [{ name: 'stable', digest: DIGEST_A }]) as {
      metadata: { annotations?: Record<string, string> };
    };
    s.metadata.annotations = {};
    writeHeldBack(s.metadata.annotations, 'stable', {
      tag: '2.1.0',
      reason: 'MinAge',
      message: 'pushed 2h ago; the policy waits 24h',
      until: '2026-11-23T10:00:00Z',
    });
    const doc = documentOf([s as never]);
    expect(doc.streams[0].tags[0]).toMatchObject({
      state: 'heldBack',
      heldBack: {
        reason: 'MinAge',
        message: '2.1.0: pushed 2h ago; the policy waits 24h (held until 2026-11-23T10:00:00Z)',
      },
    });
    expect(doc.summary.heldBack).toBe(1);
    const html = renderSections(doc).find((x) => x.id === 'tags')!.html;
    expect(html).toContain(
      '<span class="badge state-heldBack">Held back</span> <span class="why"><strong>MinAge</strong>: 2.1.0: pushed 2h ago',
    );
  });
});

describe('status page: the script carries the renderers the server used', () => {
  const doc = hostileDocument();

  it('the shipped functions, run on their own, render exactly what the server renders', () => {
    const code = `${SHIPPED_RENDERERS.map((f) => f.toString()).join('\n')}\nJSON.stringify(renderSections(doc));`;
    const out = vm.runInNewContext(code, { doc: structuredClone(doc) }) as string;
    expect(JSON.parse(out)).toEqual(renderSections(doc));
  });

  it('the page script is allowed by its Content-Security-Policy hash and nothing else is', () => {
    const page = renderStatusPage(doc, '"abc"');
    const scripts = [...page.html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    const styles = [...page.html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(styles).toHaveLength(1);
    const sha = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(page.contentSecurityPolicy).toBe(
      `default-src 'none'; script-src ${sha(scripts[0])}; style-src ${sha(styles[0])}; img-src ` +
        `data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    const markup = page.html.replace(/<script>[\s\S]*?<\/script>/, '');
    // No inline event handler attribute on any element (the CSP would block it anyway).
    const attributes = [...markup.matchAll(/<[a-zA-Z][^\s>]*((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*\/?>/g)].flatMap((m) =>
      [...m[1].matchAll(/\s([a-zA-Z-]+)(?:="[^"]*")?/g)].map((a) => a[1]),
    );
    expect(attributes.length).toBeGreaterThan(100);
    expect(attributes.filter((a) => /^on/i.test(a))).toEqual([]);
    expect(markup).not.toMatch(/<(?:link|script|img)[^>]+(?:src|href)="(?:https?:)?\/\//); // no external asset
  });

  it('the page script, on a poll answered 200, puts the rendered sections into the page', async () => {
    const page = renderStatusPage(doc, '"old"');
    const script = /<script>([\s\S]*?)<\/script>/.exec(page.html)![1];
    const elements = new Map<string, { innerHTML: string; textContent: string; hidden: boolean }>();
    const element = (id: string) => {
      if (!elements.has(id)) elements.set(id, { innerHTML: '', textContent: '', hidden: true });
      const e = elements.get(id)!;
      return Object.assign(e, {
        tagName: 'SECTION',
        getAttribute: () => null,
        setAttribute: () => undefined,
        contains: () => false,
        querySelectorAll: () => [],
        focus: () => undefined,
        addEventListener: () => undefined,
      });
    };
    const timers: (() => Promise<void>)[] = [];
    const requests: Record<string, unknown>[] = [];
    const newer = { ...doc, generatedAt: new Date(NOW + 5000).toISOString() };
    const context = {
      document: {
        title: '',
        hidden: false,
        activeElement: null,
        getElementById: element,
        querySelector: () => ({ getAttribute: (n: string) => (n === 'content' ? '"old"' : doc.generatedAt) }),
        querySelectorAll: () => [],
        addEventListener: () => undefined,
      },
      fetch: async (url: string, init: Record<string, unknown>) => {
        requests.push({ url, ...init });
        return { status: 200, headers: { get: () => '"new"' }, json: async () => newer };
      },
      setTimeout: (fn: () => Promise<void>) => timers.push(fn),
      clearTimeout: () => undefined,
    };
    vm.runInNewContext(script, context);
    expect(timers).toHaveLength(1);
    await timers[0]();
    expect(requests).toEqual([
      { url: 'api/v1/status', headers: { 'If-None-Match': '"old"' }, cache: 'no-store', credentials: 'same-origin' },
    ]);
    expect(elements.get('live')?.textContent).toBe('Live: updated every 5 s.');
    for (const s of renderSections(newer)) expect(elements.get(s.id)?.innerHTML).toBe(s.html);
    expect(context.document.title).toBe('(1 failing) isctl serve status');
    expect(elements.get('live')?.textContent).toBe('Live: updated every 5 s.');
    expect(elements.get('pause')?.hidden).toBe(false);
    expect(timers).toHaveLength(2); // the next poll is scheduled
  });
});
