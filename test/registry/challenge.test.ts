import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate, pickChallenge, parseScopes, normalizeScope } from '../../src/registry/challenge.js';
import { nextLink } from '../../src/registry/client.js';
import { retryDelay } from '../../src/registry/http.js';
import { redactUrl, errorForStatus, parseOciErrors } from '../../src/registry/errors.js';
import { parseTokenResponse } from '../../src/registry/auth.js';

describe('WWW-Authenticate', () => {
  it.each([
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/nginx:pull',
          },
        },
      ],
    ],
    [
      'Bearer realm="http://127.0.0.1:5098/token",service="reg",scope="repository:a/b:push,pull",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'http://127.0.0.1:5098/token',
            service: 'reg',
            scope: 'repository:a/b:push,pull',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    [
      'Negotiate, Basic realm="a, b \\"c\\"", charset="UTF-8"',
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'a, b "c"', charset: 'UTF-8' } },
      ],
    ],
    [
      'Negotiate YIIB4wYGKwYBBQUCoIIB1zCCAdOgMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHgYKKwYBBAGCNwICCqKCAZ0=, Basic realm=x',
      [
        {
          scheme: 'negotiate',
          params: {
            token68:
              'YIIB4wYGKwYBBQUCoIIB1zCCAdOgMDAuBgkqhkiC9xIBAgIGCSqGSIb3EgECAgYKKwYBBAGCNwICHgYKKwYBBAGCNwICCqKCAZ0=',
          },
        },
        { scheme: 'basic', params: { realm: 'x' } },
      ],
    ],
    ['BEARER Realm=unquoted , Service = "s"', [{ scheme: 'bearer', params: { realm: 'unquoted', service: 's' } }]],
    ['', []],
  ])('%s', (header, want) => {
    expect(parseWwwAuthenticate(header)).toEqual(want);
  });

  it('picks Bearer, then Basic, ignoring schemes isctl cannot do', () => {
    expect(pickChallenge(parseWwwAuthenticate('Negotiate, Basic realm=x'))?.scheme).toBe('basic');
    expect(pickChallenge(parseWwwAuthenticate('Basic realm=x, Bearer realm="y"'))?.scheme).toBe('bearer');
    expect(pickChallenge(parseWwwAuthenticate('Negotiate'))).toBeUndefined();
  });
});

describe('scopes', () => {
  it('splits type at the first colon and actions at the last (names may hold host:port)', () => {
    expect(parseScopes('repository:127.0.0.1:5000/a/b:pull,push registry:catalog:*')).toEqual([
      { type: 'repository', name: '127.0.0.1:5000/a/b', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
  });
  it('normalises action order and scope order for cache keys', () => {
    expect(normalizeScope('repository:b:push,pull repository:a:pull')).toBe(
      normalizeScope('repository:a:pull repository:b:pull,push'),
    );
  });
});

describe('Link pagination', () => {
  const base = new URL('https://r.example/v2/a/tags/list?n=2');
  it.each([
    ['</v2/a/tags/list?last=x&n=2>; rel="next"', '/v2/a/tags/list?last=x&n=2'],
    ['<https://r.example/v2/a/tags/list?last=y>; rel=next', '/v2/a/tags/list?last=y'],
    ['<https://other.example/v2/a/tags/list?last=y>; rel="next"', undefined],
    ['</prev>; rel="prev", </v2/a/tags/list?last=z>; rel="next"', '/v2/a/tags/list?last=z'],
    [undefined, undefined],
  ])('%s', (link, want) => {
    expect(nextLink(link, base)).toBe(want);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, caps them, and falls back to backoff', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(retryDelay('3', 0, 30_000, now)).toBe(3000);
    expect(retryDelay('120', 0, 30_000, now)).toBe(30_000);
    expect(retryDelay('Sun, 22 Nov 2026 12:00:05 GMT', 0, 30_000, now)).toBe(5000);
    const backoff = retryDelay(undefined, 2, 30_000, now);
    expect(backoff).toBeGreaterThanOrEqual(800);
    expect(backoff).toBeLessThanOrEqual(1200);
  });
});

describe('errors', () => {
  it('redacts user info and signed query values', () => {
    expect(redactUrl('https://user:pw@s3.example/b/k?X-Amz-Signature=abc&X-Amz-Credential=def&partNumber=1')).toBe(
      'https://s3.example/b/k?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&partNumber=1',
    );
  });
  it('reads OCI error codes and maps statuses to OpenShift reasons', () => {
    const body = Buffer.from(
      JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }),
    );
    expect(parseOciErrors(body)).toEqual([{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }]);
    const s = { method: 'GET', url: 'https://r.example/v2/a/manifests/1', what: 'r.example/a:1', host: 'r.example' };
    const nf = errorForStatus(404, body, s, '');
    expect([nf.reason, nf.message, nf.ociCodes]).toEqual([
      'NotFound',
      'repository name not known to registry: r.example/a:1',
      ['NAME_UNKNOWN'],
    ]);
    const unauth = errorForStatus(401, undefined, s, 'in /home/u/.docker/config.json');
    expect([unauth.reason, unauth.message]).toEqual([
      'Unauthorized',
      'unauthorized: check the credentials for r.example in /home/u/.docker/config.json (r.example/a:1)',
    ]);
    const busy = errorForStatus(503, undefined, s, '');
    expect([busy.reason, busy.transient]).toEqual(['InternalError', true]);
    expect(errorForStatus(400, undefined, s, '').transient).toBe(false);
  });
});

describe('token responses', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  it('uses token or access_token, clamps expires_in to 60 s, counts from issued_at', () => {
    expect(parseTokenResponse(Buffer.from('{"access_token":"a","expires_in":10}'), now)).toEqual({
      token: 'a',
      expiresAt: now + 50_000,
    });
    expect(
      parseTokenResponse(Buffer.from('{"token":"t","expires_in":300,"issued_at":"2026-11-22T11:59:00Z"}'), now),
    ).toEqual({ token: 't', expiresAt: now - 60_000 + 290_000 });
  });
  it('ignores an issued_at our clock disagrees with', () => {
    expect(
      parseTokenResponse(Buffer.from('{"token":"t","expires_in":300,"issued_at":"2020-01-01T00:00:00Z"}'), now),
    ).toEqual({ token: 't', expiresAt: now + 290_000 });
  });
  it('rejects a response without a token', () => {
    expect(() => parseTokenResponse(Buffer.from('{}'), now)).toThrow(/without a token/);
  });
});
