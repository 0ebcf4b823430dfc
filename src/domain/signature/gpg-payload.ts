/**
 * The payload of a simple signing ("atomic container signature") GPG signature, as
 * containers/image signature/simple.go reads it: a JSON object
 *
 *   {"critical": {"type": "atomic container signature",
 *                 "image": {"docker-manifest-digest": "sha256:…"},
 *                 "identity": {"docker-reference": "host/repo:tag"}},
 *    "optional": {"creator": "…", "timestamp": 1700000000, …}}
 *
 * read "paranoidly" (signature/internal/json.go `ParanoidUnmarshalJSONObjectExactFields`): a
 * repeated key, an unknown key in any object but `optional`, a missing key or a value of the wrong
 * type rejects the signature. Pure: no I/O.
 */
import { digestProblem } from '../reference.js';

/** What a signature claims, once its payload has been read (still to be checked against the image). */
export interface SimpleSigningPayload {
  /** critical.image.docker-manifest-digest */
  manifestDigest: string;
  /** critical.identity.docker-reference */
  dockerReference: string;
  /** optional.creator, when given */
  creator?: string;
  /** optional.timestamp (seconds since the epoch), when given */
  timestamp?: number;
}

/** The signature type every simple signing payload names (simple.go `signatureType`). */
export const SIMPLE_SIGNING_TYPE = 'atomic container signature';

export type PayloadResult = { ok: true; payload: SimpleSigningPayload } | { ok: false; reason: string };

/** Reads a payload as simple.go `strictUnmarshalJSON` does; the reason says what is wrong. */
export function parseSimpleSigningPayload(bytes: Uint8Array): PayloadResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'invalid signature payload: not UTF-8' };
  }
  try {
    const top = fields(parseJson(text), ['critical', 'optional'], true);
    const optional = fields(top.optional, [], false);
    const payload: Partial<SimpleSigningPayload> = {};
    if ('creator' in optional) payload.creator = string(optional.creator, 'optional.creator');
    if ('timestamp' in optional) {
      const t = optional.timestamp;
      if (typeof t !== 'number') throw new PayloadError('optional.timestamp is not a number');
      if (!Number.isInteger(t)) throw new PayloadError('Field optional.timestamp is not an integer');
      payload.timestamp = t;
    }
    const critical = fields(top.critical, ['type', 'image', 'identity'], true);
    const type = string(critical.type, 'critical.type');
    if (type !== SIMPLE_SIGNING_TYPE) throw new PayloadError(`Unrecognized signature type ${type}`);
    const image = fields(critical.image, ['docker-manifest-digest'], true);
    const digest = string(image['docker-manifest-digest'], 'critical.image.docker-manifest-digest');
    const problem = digestProblem(digest);
    if (problem) throw new PayloadError(`invalid docker-manifest-digest value ${JSON.stringify(digest)}: ${problem}`);
    const identity = fields(critical.identity, ['docker-reference'], true);
    const reference = string(identity['docker-reference'], 'critical.identity.docker-reference');
    return { ok: true, payload: { ...payload, manifestDigest: digest, dockerReference: reference } };
  } catch (e) {
    if (e instanceof PayloadError) return { ok: false, reason: `invalid signature payload: ${e.message}` };
    throw e;
  }
}

/**
 * The payload's digest check (policy_eval_signedby.go `validateSignedDockerManifestDigest`, through
 * manifest.MatchesDigest): the signed digest must be the digest of the image's manifest. A digest
 * in another algorithm than the image's is compared by hashing the manifest bytes with it, when the
 * caller has them (`digestOf`); otherwise it does not match.
 */
export function checkSignedDigest(
  payload: SimpleSigningPayload,
  image: { digest: string; digestOf?: (algorithm: string) => string | undefined },
): { ok: true } | { ok: false; reason: string } {
  const signed = payload.manifestDigest;
  if (signed === image.digest) return { ok: true };
  const algorithm = signed.slice(0, signed.indexOf(':'));
  if (algorithm !== image.digest.slice(0, image.digest.indexOf(':'))) {
    const other = image.digestOf?.(algorithm);
    if (other !== undefined && other === signed) return { ok: true };
  }
  return { ok: false, reason: `Signature for digest ${signed} does not match` };
}

class PayloadError extends Error {}

/** A JSON object with its members in order, repeated keys kept (so they can be refused). */
class JsonObject {
  constructor(readonly members: [string, unknown][]) {}
}

/** The members of `v` as a record: every key in `exact` present once, no other (unless `!strict`). */
function fields(v: unknown, exact: string[], strict: boolean): Record<string, unknown> {
  if (!(v instanceof JsonObject)) throw new PayloadError(`JSON object expected, got ${describe(v)}`);
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, value] of v.members) {
    if (Object.hasOwn(out, k)) throw new PayloadError(`Duplicate key ${JSON.stringify(k)}`);
    if (strict && !exact.includes(k)) throw new PayloadError(`Unknown key ${JSON.stringify(k)}`);
    out[k] = value;
  }
  for (const k of exact)
    if (!Object.hasOwn(out, k)) throw new PayloadError(`Key ${JSON.stringify(k)} missing in a JSON object`);
  return out;
}

function string(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new PayloadError(`${field} is not a string (got ${describe(v)})`);
  return v;
}

function describe(v: unknown): string {
  if (v instanceof JsonObject) return 'an object';
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : typeof v;
}

/** A JSON text as values; objects become JsonObject so repeated keys are seen. Bounded nesting. */
function parseJson(text: string): unknown {
  let i = 0;
  const MAX_DEPTH = 64;
  const fail = (what: string): never => {
    throw new PayloadError(`${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail('JSON nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const members: [string, unknown][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return new JsonObject(members);
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('key string literal expected');
        const k = str();
        ws();
        if (text[i] !== ':') fail("':' expected");
        i++;
        members.push([k, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return new JsonObject(members);
        }
        fail("',' or '}' expected");
      }
    }
    if (c === '[') {
      i++;
      const items: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return items;
        }
        fail("',' or ']' expected");
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('invalid JSON value');
    i += (m as RegExpExecArray)[0].length;
    return Number((m as RegExpExecArray)[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail('control character in string');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('invalid \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('invalid escape');
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('Unexpected data after JSON object');
  return v;
}

/**
 * What a stored signature blob is (containers/image internal/signature/signature.go `FromBlob`):
 * an OpenPGP message as it stands (compressed data, one-pass signature or signature packet
 * first: simple signing, the historical format), or `\0FORMAT\n` followed by the signature
 * (`simple-signing` or `sigstore-json`).
 */
export function classifySignatureBlob(
  blob: Uint8Array,
): { format: 'simple-signing' | 'sigstore-json'; bytes: Uint8Array } | { format: 'invalid'; reason: string } {
  if (blob.length === 0) return { format: 'invalid', reason: 'empty signature blob' };
  if (OPENPGP_FIRST_BYTES.has(blob[0])) return { format: 'simple-signing', bytes: blob };
  if (blob[0] !== 0)
    return {
      format: 'invalid',
      reason: `unrecognized signature format, starting with binary 0x${blob[0].toString(16)}`,
    };
  const nl = blob.indexOf(0x0a, 1);
  if (nl === -1) return { format: 'invalid', reason: 'invalid signature format, missing newline' };
  const name = blob.subarray(1, nl);
  for (const b of name)
    if (b < 32 || b >= 0x7f)
      return { format: 'invalid', reason: `invalid signature format, non-ASCII byte 0x${b.toString(16)}` };
  const format = new TextDecoder().decode(name);
  if (format === 'simple-signing' || format === 'sigstore-json') return { format, bytes: blob.subarray(nl + 1) };
  return { format: 'invalid', reason: `unrecognized signature format ${JSON.stringify(format)}` };
}

// signature.go FromBlob: compressed data (old format 0xA0–0xA3, new 0xC8), one-pass signature
// (0x90–0x92, 0x3d as upstream lists it, new 0xC4), signature packet (0x88–0x8B, new 0xC2).
const OPENPGP_FIRST_BYTES = new Set([
  0xa0, 0xa1, 0xa2, 0xa3, 0xc8, 0x90, 0x91, 0x92, 0x3d, 0xc4, 0x88, 0x89, 0x8a, 0x8b, 0xc2,
]);
