/**
 * Where a pull is sent: registries.conf v2 (containers-registries.conf(5); containers/image
 * pkg/sysregistriesv2/system_registries_v2.go `refMatchingPrefix`, `FindRegistry`,
 * `PullSourcesFromReference`, `rewriteReference`, `postProcessRegistries`) and the state folder's
 * ImageDigestMirrorSet / ImageTagMirrorSet objects (config.openshift.io/v1, turned into registry
 * entries as openshift/runtime-utils pkg/registries does: digest mirrors are used for digest
 * pulls only, tag mirrors for tag pulls only, NeverContactSource leaves the source out).
 * Everything here is pure: reading files happens in the caller.
 */
import { RegistryError } from '../domain/errors.js';
import { TomlError, parseToml, type TomlTable, type TomlValue } from './toml.js';

/** `pull-from-mirror`: which pulls a mirror serves. */
export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';

/** One `[[registry.mirror]]`. */
export interface MirrorEndpoint {
  location: string;
  insecure: boolean;
  pullFromMirror: PullFromMirror;
}

/** One `[[registry]]` (or one mirror-set source). */
export interface RegistryRule {
  prefix: string;
  /** Empty only for a `*.` wildcard prefix: the reference's own host is used. */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: MirrorEndpoint[];
  /** The source is never contacted (mirrorSourcePolicy: NeverContactSource). */
  neverContactSource: boolean;
  /** Where the rule comes from, for messages: a file, or `ImageDigestMirrorSet/NAME`. */
  origin: string;
}

/** One place a pull may be sent, in the order to try. */
export interface PullSource {
  host: string;
  repository: string;
  insecure: boolean;
  /** True for a mirror, false for the source itself. */
  mirror: boolean;
}

/** The sources to try for `host/repository`, or why it is refused. */
export type PullPlan =
  | { blocked: false; sources: PullSource[]; rule?: RegistryRule }
  | { blocked: true; message: string };

/** A configuration that cannot be used. */
export class MirrorConfigError extends RegistryError {
  constructor(message: string, hint?: string) {
    super(message, { reason: 'InternalError', hint });
  }
}

/**
 * Length of the part of `ref` matched by `prefix`, or -1 (refMatchingPrefix): a prefix matches at
 * a `/`, `:` or `@` boundary (so `example.com` also matches `example.com:5000`, as upstream warns);
 * `*.example.com` matches any subdomain host.
 */
export function refMatchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const sub = prefix.slice(1);
    const index = ref.indexOf(sub);
    if (index === -1 || ref.slice(0, index).includes('/')) return -1;
    const end = index + sub.length;
    if (end === ref.length) return end;
    return ':/@'.includes(ref[end]) ? end : -1;
  }
  if (ref.length < prefix.length || !ref.startsWith(prefix)) return -1;
  if (ref.length === prefix.length) return prefix.length;
  return ':/@'.includes(ref[prefix.length]) ? prefix.length : -1;
}

/** The rule with the longest matching prefix (FindRegistry); the first one wins a tie. */
export function findRegistry(
  rules: readonly RegistryRule[],
  ref: string,
): { rule: RegistryRule; length: number } | undefined {
  let best: { rule: RegistryRule; length: number } | undefined;
  for (const rule of rules) {
    const length = refMatchingPrefix(ref, rule.prefix);
    if (length > 0 && (!best || length > best.length)) best = { rule, length };
  }
  return best;
}

/**
 * The sources for a pull of `host/repository` (by digest when `byDigest`): the matching rule's
 * mirrors that serve this kind of pull, in order, then the source at its `location` (unless the
 * source is never contacted). A blocked registry is refused (docker_image_src.go newImageSource).
 */
export function planPull(
  rules: readonly RegistryRule[],
  ref: { host: string; repository: string; byDigest: boolean; insecure: boolean },
): PullPlan {
  const name = `${ref.host}/${ref.repository}`;
  const found = findRegistry(rules, name);
  const self: PullSource = { host: ref.host, repository: ref.repository, insecure: ref.insecure, mirror: false };
  if (!found) return { blocked: false, sources: [self] };
  const { rule, length } = found;
  if (rule.blocked) return { blocked: true, message: `registry ${rule.prefix} is blocked in ${rule.origin}` };
  const rest = name.slice(length);
  const sources: PullSource[] = [];
  const mirrors = rule.mirrorByDigestOnly
    ? ref.byDigest
      ? rule.mirrors
      : []
    : rule.mirrors.filter(
        (m) => m.pullFromMirror === 'all' || (m.pullFromMirror === 'digest-only' ? ref.byDigest : !ref.byDigest),
      );
  for (const m of mirrors) {
    const s = split(m.location + rest, true);
    // A mirror set has no insecure field: a registries.conf entry for the mirror's own name decides.
    const own = s ? findRegistry(rules, `${s.host}/${s.repository}`) : undefined;
    if (s) sources.push({ ...s, insecure: m.insecure || own?.rule.insecure === true });
  }
  if (!rule.neverContactSource) {
    const s = rule.location
      ? split(rule.location + rest, false)
      : { host: ref.host, repository: ref.repository, mirror: false };
    if (s) sources.push({ ...s, insecure: ref.insecure || rule.insecure });
  }
  if (sources.length === 0)
    return {
      blocked: true,
      message: `${name} is never pulled from its source (${rule.origin}: NeverContactSource) and no mirror serves a ${ref.byDigest ? 'digest' : 'tag'} pull`,
    };
  return { blocked: false, sources, rule };
}

function split(location: string, mirror: boolean): Omit<PullSource, 'insecure'> | undefined {
  const slash = location.indexOf('/');
  if (slash <= 0 || slash === location.length - 1) return undefined;
  return { host: location.slice(0, slash), repository: location.slice(slash + 1), mirror };
}

/** Parses a registries.conf v2 file into rules; errors name `file:line` or the entry. */
export function parseRegistriesConf(text: string, file: string): RegistryRule[] {
  let doc: TomlTable;
  try {
    doc = parseToml(text, file);
  } catch (e) {
    if (e instanceof TomlError) throw new MirrorConfigError(`invalid registries.conf ${e.message}`);
    throw e;
  }
  if (doc.registries !== undefined)
    throw new MirrorConfigError(
      `${file}: the [registries.search]/[registries.insecure]/[registries.block] form (version 1) is not supported`,
      'rewrite it as [[registry]] entries (containers-registries.conf(5) version 2)',
    );
  const list = doc.registry;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new MirrorConfigError(`${file}: "registry" must be [[registry]] entries`);
  const rules: RegistryRule[] = [];
  list.forEach((entry, index) => {
    const where = `${file}: [[registry]] #${index + 1}`;
    if (!isTable(entry)) throw new MirrorConfigError(`${where} is not a table`);
    const location = parseLocation(str(entry, 'location', where) ?? '', where, 'location');
    const rawPrefix = str(entry, 'prefix', where);
    const prefix = rawPrefix ? parseLocation(rawPrefix, where, 'prefix') : location;
    if (!prefix) throw new MirrorConfigError(`${where}: invalid location: cannot be empty`);
    const wildcard = prefix.startsWith('*.');
    if (wildcard && location)
      throw new MirrorConfigError(`${where}: location must be empty for the wildcard prefix ${prefix}`);
    if (!wildcard && !location) throw new MirrorConfigError(`${where}: invalid location: cannot be empty`);
    if (prefix.includes('*') && !/^\*\.[^*]+$/.test(prefix))
      throw new MirrorConfigError(`${where}: invalid prefix ${prefix}: a wildcard is only allowed as "*.domain"`);
    const mirrorByDigestOnly = bool(entry, 'mirror-by-digest-only', where);
    const mirrorList = entry.mirror ?? [];
    if (!Array.isArray(mirrorList))
      throw new MirrorConfigError(`${where}: "mirror" must be [[registry.mirror]] entries`);
    const mirrors = mirrorList.map((m, mi): MirrorEndpoint => {
      const mw = `${where} mirror #${mi + 1}`;
      if (!isTable(m)) throw new MirrorConfigError(`${mw} is not a table`);
      const pfm = str(m, 'pull-from-mirror', mw) ?? '';
      if (pfm && !['all', 'digest-only', 'tag-only'].includes(pfm))
        throw new MirrorConfigError(`${mw}: unsupported pull-from-mirror "${pfm}": use all, digest-only or tag-only`);
      if (pfm && mirrorByDigestOnly)
        throw new MirrorConfigError(
          `${mw}: pull-from-mirror cannot be set together with mirror-by-digest-only = true on its registry`,
        );
      return {
        location: parseLocation(str(m, 'location', mw) ?? '', mw, 'location'),
        insecure: bool(m, 'insecure', mw),
        pullFromMirror: (pfm || 'all') as PullFromMirror,
      };
    });
    for (const m of mirrors)
      if (!m.location) throw new MirrorConfigError(`${where}: invalid mirror location: cannot be empty`);
    rules.push({
      prefix,
      location,
      insecure: bool(entry, 'insecure', where),
      blocked: bool(entry, 'blocked', where),
      mirrorByDigestOnly,
      mirrors,
      neverContactSource: false,
      origin: file,
    });
  });
  // postProcessRegistries: one location given different insecure/blocked settings is refused.
  for (const a of rules)
    for (const b of rules)
      if (a !== b && a.location && a.location === b.location) {
        for (const [key, field] of [
          ['insecure', 'insecure'],
          ['blocked', 'blocked'],
        ] as const)
          if (a[field] !== b[field])
            throw new MirrorConfigError(
              `${file}: registry '${a.location}' is defined multiple times with conflicting '${key}' setting`,
            );
      }
  return rules;
}

/** An ImageDigestMirrorSet or ImageTagMirrorSet object (config.openshift.io/v1). */
export interface MirrorSetObject {
  kind: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
}

/**
 * Rules from mirror sets: one per `source` (several sets naming one source are merged in order,
 * as runtime-utils mergedMirrorSets does; NeverContactSource on any of them wins). Digest mirror
 * sets serve digest pulls only, tag mirror sets tag pulls only.
 */
export function rulesFromMirrorSets(objects: readonly MirrorSetObject[]): RegistryRule[] {
  const bySource = new Map<string, RegistryRule>();
  for (const o of objects) {
    const digest = o.kind === 'ImageDigestMirrorSet';
    const field = digest ? 'imageDigestMirrors' : 'imageTagMirrors';
    const origin = `${o.kind}/${o.metadata?.name ?? ''}`;
    const entries = o.spec?.[field];
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) throw new MirrorConfigError(`${origin}: spec.${field} must be a list`);
    entries.forEach((e: unknown, i) => {
      const where = `${origin}: spec.${field}[${i}]`;
      if (!e || typeof e !== 'object') throw new MirrorConfigError(`${where} must be an object`);
      const entry = e as Record<string, unknown>;
      const source = typeof entry.source === 'string' ? entry.source.replace(/\/+$/, '') : '';
      if (!source || /^https?:\/\//.test(source))
        throw new MirrorConfigError(`${where}.source must be a host[/repository], e.g. registry.example.com/team`);
      const mirrors = entry.mirrors ?? [];
      if (!Array.isArray(mirrors) || mirrors.some((m) => typeof m !== 'string' || !m || /^https?:\/\//.test(m)))
        throw new MirrorConfigError(`${where}.mirrors must be a list of host[/repository] names`);
      const policy = entry.mirrorSourcePolicy ?? 'AllowContactingSource';
      if (policy !== 'AllowContactingSource' && policy !== 'NeverContactSource')
        throw new MirrorConfigError(`${where}.mirrorSourcePolicy must be AllowContactingSource or NeverContactSource`);
      let rule = bySource.get(source);
      if (!rule) {
        rule = {
          prefix: source,
          location: source,
          insecure: false,
          blocked: false,
          mirrorByDigestOnly: false,
          mirrors: [],
          neverContactSource: false,
          origin,
        };
        bySource.set(source, rule);
      }
      if (policy === 'NeverContactSource') rule.neverContactSource = true;
      for (const m of mirrors as string[]) {
        const location = m.replace(/\/+$/, '');
        const pullFromMirror: PullFromMirror = digest ? 'digest-only' : 'tag-only';
        if (!rule.mirrors.some((x) => x.location === location && x.pullFromMirror === pullFromMirror))
          rule.mirrors.push({ location, insecure: false, pullFromMirror });
      }
    });
  }
  return [...bySource.values()];
}

function isTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(t: TomlTable, key: string, where: string): string | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new MirrorConfigError(`${where}: "${key}" must be a string`);
  return v;
}

function bool(t: TomlTable, key: string, where: string): boolean {
  const v = t[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new MirrorConfigError(`${where}: "${key}" must be true or false`);
  return v;
}

// parseLocation: trailing slashes dropped; URI schemes refused.
function parseLocation(input: string, where: string, key: string): string {
  const trimmed = input.replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed))
    throw new MirrorConfigError(`${where}: invalid ${key} '${input}': URI schemes are not supported`);
  return trimmed;
}
