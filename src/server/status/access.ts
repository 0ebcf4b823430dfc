/**
 * Who may read the status page and `/api/v1/status`. A loopback listener needs no login, but
 * answers only to a loopback `Host` (a web page elsewhere cannot read it through DNS rebinding).
 * Any other listener needs a token: the `--ui-token-file` token when given (then also on
 * loopback), else the webhook secret; without either the page stays closed. Browsers present the
 * token through their Basic login prompt (any user name, the token as password); scripts send
 * `Authorization: Bearer TOKEN`. Comparisons are constant-time and no token is ever echoed.
 */
import { safeEqual } from '../auth.js';

/** How the page is protected. */
export type UiAccess =
  | { mode: 'loopback' }
  | { mode: 'token'; token: string; source: 'ui-token' | 'webhook-secret' }
  | { mode: 'closed'; listen: string };

/** True for 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/** The access rule for a listener. */
export function uiAccess(listenHost: string, uiToken: string | undefined, webhookSecret: string | undefined): UiAccess {
  if (uiToken !== undefined) return { mode: 'token', token: uiToken, source: 'ui-token' };
  if (isLoopbackHost(listenHost)) return { mode: 'loopback' };
  if (webhookSecret !== undefined) return { mode: 'token', token: webhookSecret, source: 'webhook-secret' };
  return { mode: 'closed', listen: listenHost };
}

/** What to answer instead of the page. */
export interface AccessRefusal {
  status: number;
  message: string;
  headers: Record<string, string>;
}

/** The host part of a Host header (`[::1]:8080` → `::1`, `localhost:8080` → `localhost`). */
function hostOf(header: string): string {
  const t = header.trim();
  const v6 = /^\[([^\]]*)\]/.exec(t);
  return v6 ? v6[1] : t.replace(/:\d*$/, '');
}

/** The token a request presents: Bearer, or the password of Basic. */
function presented(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (bearer) return bearer[1].trim();
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/** Undefined when the request may read the page; otherwise the answer to give. */
export function checkAccess(
  access: UiAccess,
  headers: { host?: string | undefined; authorization?: string | undefined },
): AccessRefusal | undefined {
  if (access.mode === 'loopback') {
    if (headers.host === undefined || isLoopbackHost(hostOf(headers.host))) return undefined;
    return {
      status: 403,
      message:
        'the status page of a loopback listener answers only to a loopback Host (127.0.0.1, [::1] or localhost); ' +
        'open it as http://127.0.0.1:PORT/, or start serve with --ui-token-file to allow other host names',
      headers: {},
    };
  }
  if (access.mode === 'closed') {
    return {
      status: 403,
      message:
        `the status page is closed: serve listens on ${access.listen}, which is not loopback, and has neither a UI token ` +
        'nor a webhook secret; start serve with --ui-token-file FILE (or ISCTL_UI_TOKEN)',
      headers: {},
    };
  }
  const token = presented(headers.authorization);
  if (token !== undefined && safeEqual(token, access.token)) return undefined;
  const what = access.source === 'ui-token' ? 'the UI token (--ui-token-file)' : 'the webhook secret';
  return {
    status: 401,
    message:
      `${token === undefined ? 'the status page needs' : 'wrong token: the status page needs'} ` +
      `${what}: sign in with any user name and the token as password, or send "Authorization: ` +
      `Bearer TOKEN"`,
    headers: { 'WWW-Authenticate': 'Basic realm="isctl serve", charset="UTF-8"' },
  };
}
