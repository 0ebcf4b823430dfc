// Turns raw import-benchmark results into per-tag costs, ratios against the targets below and a
// Markdown table (the same table bench/README.md quotes).
const TAGS = { multi: 1000, big: 1000 };
const r2 = (x) => (x === undefined || Number.isNaN(x) ? undefined : +x.toFixed(2));

function perTag(a, b) {
  if (!a || !b || a.wallMs === undefined || b.wallMs === undefined) return undefined;
  return (a.wallMs + b.wallMs) / (TAGS.multi + TAGS.big);
}

function reqs(a, b) {
  if (!a?.counts || !b?.counts) return undefined;
  const byKind = {};
  for (const c of [a.counts, b.counts]) for (const [k, v] of Object.entries(c.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
  // Sampled runs (skopeo) made requests for their sample only.
  const tags = (a.sampled ?? a.tags ?? TAGS.multi) + (b.sampled ?? b.tags ?? TAGS.big);
  return {
    perTag: r2((a.counts.requests + b.counts.requests) / tags),
    connections: a.counts.connections + b.counts.connections,
    tlsProbes: a.counts.tlsProbes + b.counts.tlsProbes,
    byKindPerTag: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, r2(v / tags)])),
  };
}

function failed(...rs) {
  return rs.some((r) => r && (r.codes ?? [r.code]).some((c) => c !== undefined && c !== 0));
}

/** Per-network, per-phase summary: ms per tag for each client, ratios, requests per tag. */
export function summarizeNetwork(res) {
  const { isctl = {}, floor, skopeo } = res;
  const phase = (p) => {
    const bad = failed(isctl[`${p}Multi`], isctl[`${p}Big`]);
    // A failed isctl run is no measurement: it gets no time, so no target can look met.
    const i = bad ? undefined : perTag(isctl[`${p}Multi`], isctl[`${p}Big`]);
    const f = perTag(floor[`${p}Multi`], floor[`${p}Big`]);
    const s = perTag(skopeo[p].multi, skopeo[p].big);
    return {
      isctlMsPerTag: r2(i),
      floorMsPerTag: r2(f),
      skopeoMsPerTag: r2(s),
      isctlOverFloor: r2(i / f),
      skopeoOverIsctl: r2(s / i),
      isctlFailed: bad,
      requests: {
        isctl: reqs(isctl[`${p}Multi`], isctl[`${p}Big`]),
        floor: reqs(floor[`${p}Multi`], floor[`${p}Big`]),
        skopeo: reqs(skopeo[p].multi, skopeo[p].big),
      },
    };
  };
  const g = perTag(floor.coldGetMulti, floor.coldGetBig);
  const cold = phase('cold');
  return {
    cold,
    warm: phase('warm'),
    coldGet: {
      floorGetMsPerTag: r2(g),
      isctlOverFloorGet: r2(cold.isctlMsPerTag / g),
      requests: reqs(floor.coldGetMulti, floor.coldGetBig),
    },
    bigImportMaxRssMB: failed(isctl.coldBig) ? undefined : isctl.coldBig?.maxRssMB,
  };
}

const check = (value, ok, target) => ({ value, target, met: value === undefined ? undefined : ok(value) });

/** Evaluates the import benchmarks' targets (ratios to skopeo and the floor, requests, memory). */
export function targets(sum) {
  const p = sum.proxy;
  const l = sum.loopback;
  return {
    proxyColdVsSkopeo: p && check(p.cold.skopeoOverIsctl, (v) => v >= 20, 'skopeo/isctl >= 20'),
    proxyColdVsFloor: p && check(p.cold.isctlOverFloor, (v) => v <= 1.5, 'isctl/floor <= 1.5'),
    proxyWarmVsFloor: p && check(p.warm.isctlOverFloor, (v) => v <= 1.3, 'isctl/floor <= 1.3'),
    loopbackColdVsFloor: l && check(l.cold.isctlOverFloor, (v) => v <= 1.5, 'isctl/floor <= 1.5'),
    warmRequestsPerTag:
      p && check(p.warm.isctlFailed ? undefined : p.warm.requests.isctl?.perTag, (v) => v <= 1.0, 'requests/tag = 1'),
    bigImportMemory: l && check(l.bigImportMaxRssMB, (v) => v <= 200, 'peak RSS <= 200 MB'),
  };
}

const fmt = (v) => (v === undefined ? '—' : String(v));
const mark = (t) => (!t || t.met === undefined ? '—' : t.met ? 'met' : 'MISSED');

/** Builds { summary, targets, text } for a results object. */
export function importReport(data) {
  const summary = Object.fromEntries(Object.entries(data.results).map(([n, r]) => [n, summarizeNetwork(r)]));
  const t = targets(summary);
  const lines = [
    '| network | phase | isctl ms/tag | floor ms/tag | skopeo ms/tag | isctl ÷ floor | skopeo ÷ isctl | req/tag isctl · floor · skopeo |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [net, s] of Object.entries(summary)) {
    for (const ph of ['cold', 'warm']) {
      const x = s[ph];
      const rq = x.requests;
      lines.push(
        `| ${net} | ${ph} | ${x.isctlFailed ? 'failed (exit≠0)' : fmt(x.isctlMsPerTag)} | ` +
          `${fmt(x.floorMsPerTag)} | ${fmt(x.skopeoMsPerTag)} | ${fmt(x.isctlOverFloor)} | ` +
          `${fmt(x.skopeoOverIsctl)} | ${fmt(rq.isctl?.perTag)} · ${fmt(rq.floor?.perTag)} · ` +
          `${fmt(rq.skopeo?.perTag)} |`,
      );
    }
  }
  const p = summary.proxy;
  if (p) {
    lines.push(
      '',
      'Requests per tag, counted at the proxy (connections and TLS probes per run pair):',
      '',
      '| client | phase | requests/tag | by kind | connections | TLS probes |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const ph of ['cold', 'warm']) {
      for (const c of ['isctl', 'floor', 'skopeo']) {
        const q = p[ph].requests[c];
        if (q)
          lines.push(
            `| ${c} | ${ph} | ${q.perTag} | ${Object.entries(q.byKindPerTag)
              .filter(([, v]) => v > 0)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')} | ${q.connections} | ${q.tlsProbes} |`,
          );
      }
    }
  }
  lines.push(
    '',
    '2-request floor (GET manifest by tag, GET config), cold, informational:',
    '',
    '| network | floor-get ms/tag | isctl ÷ floor-get | skopeo ÷ floor-get |',
    '| --- | --- | --- | --- |',
  );
  for (const [net, s] of Object.entries(summary)) {
    lines.push(
      `| ${net} | ${fmt(s.coldGet.floorGetMsPerTag)} | ${fmt(s.coldGet.isctlOverFloorGet)} | ${fmt(r2(s.cold.skopeoMsPerTag / s.coldGet.floorGetMsPerTag))} |`,
    );
  }
  lines.push('', '| target | value | result |', '| --- | --- | --- |');
  for (const [k, v] of Object.entries(t)) if (v) lines.push(`| ${k}: ${v.target} | ${fmt(v.value)} | ${mark(v)} |`);
  return { summary, targets: t, text: lines.join('\n') };
}
