import { describe, expect, it } from 'vitest';
import {
  authenticate,
  githubSignature,
  safeEqual,
  verifyGitHubSignature,
  verifySharedSecret,
} from '../../src/server/auth.js';

describe('GitHub X-Hub-Signature-256', () => {
  it("matches GitHub's documented test vector", () => {
    // github/docs validating-webhook-deliveries.md
    expect(githubSignature("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('accepts the right signature over the raw bytes and refuses anything else', () => {
    const body = Buffer.from('{"action":"published"}');
    const good = githubSignature('s3cret', body);
    expect(verifyGitHubSignature('s3cret', body, good)).toBeUndefined();
    expect(verifyGitHubSignature('s3cret', body, good.toUpperCase().replace('SHA256=', 'sha256='))).toBeUndefined();
    expect(verifyGitHubSignature('s3cret', Buffer.from('{"action": "published"}'), good)).toBe('bad signature');
    expect(verifyGitHubSignature('other', body, good)).toBe('bad signature');
    expect(verifyGitHubSignature('s3cret', body, undefined)).toBe('missing signature');
    expect(verifyGitHubSignature('s3cret', body, 'sha256=')).toBe('bad signature');
  });

  it('a GitHub delivery needs the signature even with a ?token=', () => {
    const rawBody = Buffer.from('{}');
    expect(authenticate('s3cret', { sender: 'github', rawBody, headers: {}, token: 's3cret' })).toBe(
      'missing signature',
    );
  });
});

describe('shared secret (Bearer header or ?token=)', () => {
  it.each([
    ['Bearer s3cret', undefined, undefined],
    ['bearer   s3cret ', undefined, undefined],
    ['s3cret', undefined, undefined], // Harbor sends its "Auth Header" verbatim
    [undefined, 's3cret', undefined],
    ['Bearer wrong', 's3cret', undefined],
    ['Bearer wrong', undefined, 'wrong credentials'],
    ['Basic czNjcmV0', undefined, 'wrong credentials'],
    [undefined, 's3cret2', 'wrong credentials'],
    [undefined, '', 'wrong credentials'],
    [undefined, undefined, 'missing credentials'],
  ])('authorization %j token %j -> %j', (authorization, token, want) => {
    expect(verifySharedSecret('s3cret', authorization, token)).toBe(want);
    expect(
      authenticate('s3cret', { sender: 'distribution', rawBody: Buffer.alloc(0), headers: { authorization }, token }),
    ).toBe(want);
  });

  it('safeEqual compares values of different lengths without throwing', () => {
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'ab')).toBe(false);
  });
});
