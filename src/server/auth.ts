/**
 * Webhook authentication, as each sender can do it: GitHub signs the raw body with
 * HMAC-SHA256 (`X-Hub-Signature-256: sha256=<hex>`); Distribution and Harbor send a static
 * `Authorization` header; Docker Hub and Quay can only be given a URL, so they carry `?token=`.
 * Every comparison is constant-time, and the secret never appears in what is returned.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Sender } from './events.js';

/** Why a delivery was refused (logged and counted; the secret is never part of it). */
export type AuthFailure = 'missing credentials' | 'wrong credentials' | 'missing signature' | 'bad signature';

/** The request parts authentication looks at. */
export interface AuthInput {
  sender: Sender;
  rawBody: Buffer;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** The `token` query parameter, if any. */
  token?: string | undefined;
}

/** Compares two strings in constant time (both are hashed first so their lengths do not leak). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The `X-Hub-Signature-256` value GitHub sends for `body` signed with `secret`. */
export function githubSignature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks a GitHub HMAC-SHA256 signature over the exact raw bytes. */
export function verifyGitHubSignature(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
): AuthFailure | undefined {
  if (!header) return 'missing signature';
  const expected = githubSignature(secret, rawBody);
  return safeEqual(header.trim().toLowerCase(), expected) ? undefined : 'bad signature';
}

/** Checks `Authorization: Bearer <secret>` (or the raw secret, as Harbor sends its "Auth Header" verbatim) or `?token=<secret>`. */
export function verifySharedSecret(
  secret: string,
  authorization: string | undefined,
  token: string | undefined,
): AuthFailure | undefined {
  if (authorization === undefined && token === undefined) return 'missing credentials';
  let ok = false;
  if (authorization !== undefined) {
    const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    const presented = m ? m[1].trim() : authorization.trim();
    ok = safeEqual(presented, secret);
  }
  if (!ok && token !== undefined) ok = safeEqual(token, secret);
  return ok ? undefined : 'wrong credentials';
}

/** Authenticates one delivery; undefined when it may proceed. GitHub must sign; others use the shared secret. */
export function authenticate(secret: string, input: AuthInput): AuthFailure | undefined {
  if (input.sender === 'github') {
    const sig = input.headers['x-hub-signature-256'];
    // A GitHub endpoint reached through a URL token alone is still accepted only with a valid signature.
    return verifyGitHubSignature(secret, input.rawBody, sig);
  }
  return verifySharedSecret(secret, input.headers.authorization, input.token);
}
