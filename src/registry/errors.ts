/**
 * Turning registry answers and transport faults into RegistryError/AuthError with messages a user
 * can act on. URLs are redacted (user info, signed query values) before they reach any message.
 */
import { AuthError, RegistryError } from '../domain/errors.js';

const SENSITIVE_QUERY = /sig|token|key|secret|password|credential|auth/i;

/** The URL without user info and with signature/token query values replaced by `REDACTED`. */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return '<invalid URL>';
  }
  u.username = '';
  u.password = '';
  for (const key of [...u.searchParams.keys()]) {
    if (SENSITIVE_QUERY.test(key)) u.searchParams.set(key, 'REDACTED');
  }
  return u.toString();
}

/** One entry of a distribution error body (`{"errors":[{code,message,detail}]}`, spec.md "Error Codes"). */
export interface OciError {
  code: string;
  message: string;
}

/** Parses an OCI error body; returns [] for anything else. */
export function parseOciErrors(body: Buffer | undefined): OciError[] {
  if (!body || body.length === 0) return [];
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
      .map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: typeof e.message === 'string' ? e.message : '' }));
  } catch {
    return [];
  }
}

/** What was being asked, for messages: `127.0.0.1:5000/app:1.0`. */
export interface RequestSubject {
  method: string;
  url: string;
  /** Human name of the thing requested, e.g. `127.0.0.1:5000/app:1.0`. */
  what: string;
  /** Registry host[:port] for auth hints. */
  host: string;
}

/** Builds the RegistryError for an unsuccessful HTTP status. */
export function errorForStatus(
  status: number,
  body: Buffer | undefined,
  s: RequestSubject,
  credentialHint: string,
  redirect?: { redirectedTo: string },
): RegistryError {
  const errors = parseOciErrors(body);
  const codes = errors.map((e) => e.code);
  const registryText = errors.map((e) => e.message || e.code.toLowerCase().replace(/_/g, ' ')).join('; ');
  const base = { status, method: s.method, url: redactUrl(s.url), ociCodes: codes };
  if (redirect && (status === 401 || status === 403)) {
    return new AuthError(
      `unauthorized: ${s.host} redirected ${s.what} to ${redirect.redirectedTo}, which asks for ` +
        `credentials; isctl sends the credentials for ${s.host} to no other host`,
      { ...base, hint: `ask the operator of ${s.host} to redirect to storage that needs no credentials of its own` },
    );
  }
  if (status === 401) {
    return new AuthError(`unauthorized: check the credentials for ${s.host} ${credentialHint} (${s.what})`, {
      ...base,
      hint: authHint(credentialHint),
    });
  }
  if (status === 403) {
    const msg = `denied: ${registryText || 'access to the resource is denied'} (${s.what}); check the credentials for ${s.host} ${credentialHint}`;
    const err = new AuthError(msg, base);
    Object.defineProperty(err, 'reason', { value: 'Forbidden' });
    return err;
  }
  if (status === 404) {
    const text = registryText || (codes.length ? '' : 'manifest unknown');
    return new RegistryError(`${text || 'not found'}: ${s.what}`, {
      ...base,
      reason: 'NotFound',
      ociCodes: codes.length ? codes : ['MANIFEST_UNKNOWN'],
    });
  }
  const transient = status === 408 || status === 429 || status >= 500;
  const text = registryText || httpStatusText(status);
  return new RegistryError(`${text}: ${s.method} ${redactUrl(s.url)} answered ${status}`, {
    ...base,
    transient,
    reason: status === 429 ? 'TooManyRequests' : 'InternalError',
  });
}

/** The hint line of an AuthError: where the credentials came from, or how to log in. */
export function authHint(source: string): string {
  if (!source || source.startsWith('('))
    return 'log in with podman login or docker login, or pass --registry-config FILE';
  return `the credentials were read ${source}; log in again with podman login or docker login if they changed`;
}

function httpStatusText(status: number): string {
  const t: Record<number, string> = {
    400: 'bad request',
    405: 'method not allowed',
    408: 'request timeout',
    429: 'too many requests',
    500: 'internal server error',
    502: 'bad gateway',
    503: 'service unavailable',
    504: 'gateway timeout',
  };
  return t[status] ?? `unexpected HTTP status ${status}`;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The error code of a transport failure (undici sometimes nests it in `cause`). */
export function networkCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return '';
}

/** True for certificate verification failures. */
export function isTlsVerifyError(err: unknown): boolean {
  return TLS_CODES.has(networkCode(err));
}

/**
 * True for an HTTP/2 stream the server reset with REFUSED_STREAM: RFC 9113 section 8.7 says it
 * was not processed and may be sent again (golang.org/x/net/http2 transport.go `canRetryError`
 * retries it, so containers/image does). A server refuses streams past its
 * SETTINGS_MAX_CONCURRENT_STREAMS that a client opened before it had read that setting.
 */
export function isRefusedStream(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  const refused = (x: { code?: unknown; message?: unknown } | undefined) =>
    x?.code === 'ERR_HTTP2_STREAM_ERROR' &&
    typeof x.message === 'string' &&
    x.message.endsWith('NGHTTP2_REFUSED_STREAM');
  return refused(e) || refused(e?.cause);
}

/** True when a retry may succeed (resets, timeouts). */
export function isTransientNetworkError(err: unknown): boolean {
  return TRANSIENT_CODES.has(networkCode(err));
}

const networkErrors = new WeakSet<RegistryError>();

/** True for errors made by errorForNetwork (no HTTP answer was received). */
export function isNetworkError(err: unknown): boolean {
  return err instanceof RegistryError && networkErrors.has(err);
}

/** Wraps a transport failure into a RegistryError; TLS failures get the --insecure hint. */
export function errorForNetwork(err: unknown, method: string, url: URL): RegistryError {
  const e = networkError(err, method, url);
  networkErrors.add(e);
  return e;
}

function networkError(err: unknown, method: string, url: URL): RegistryError {
  const code = networkCode(err);
  const raw = err instanceof Error ? err.message : String(err);
  const detail = scrub(raw, url);
  const opts = {
    method,
    url: redactUrl(url),
    transient: isTransientNetworkError(err) || code === 'ECONNREFUSED',
    reason: 'InternalError',
  };
  if (isTlsVerifyError(err)) {
    return new RegistryError(
      `x509: ${tlsText(code, detail)} for ${url.host}; use --insecure only if you trust this registry`,
      {
        ...opts,
        transient: false,
        hint: `to trust it instead, put its CA certificate in /etc/containers/certs.d/${url.host}/ca.crt (or ~/.config/containers/certs.d)`,
      },
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(raw)) {
    return new RegistryError(
      `${url.host} does not speak HTTPS (it answered like a plain HTTP server); use --insecure only if you trust this registry`,
      { ...opts, transient: false },
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new RegistryError(`timeout talking to ${url.host}: ${method} ${redactUrl(url)}`, opts);
  }
  const prefix = code && !detail.includes(code) ? `${code} ` : '';
  return new RegistryError(`cannot reach ${url.host}: ${prefix}${detail}`.trim(), {
    ...opts,
    hint: `check that the registry at ${url.host} is up and the host and port in the pull spec are right`,
  });
}

function tlsText(code: string, detail: string): string {
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN')
    return 'certificate signed by unknown authority (self-signed certificate)';
  if (code.startsWith('UNABLE_TO')) return 'certificate signed by unknown authority';
  if (code === 'CERT_HAS_EXPIRED') return 'certificate has expired';
  return detail;
}

// Messages from Node/undici may echo a URL; make sure it carries no user info.
function scrub(message: string, url: URL): string {
  let out = message;
  if (url.username || url.password) out = out.split(url.href).join(redactUrl(url));
  if (url.password) out = out.split(url.password).join('REDACTED');
  return out;
}
