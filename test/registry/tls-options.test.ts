import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { defaultCertDirs, tlsOptionsFor } from '../../src/registry/tls.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isctl-certsd-'));
  mkdirSync(join(dir, 'reg.example:5000'));
  writeFileSync(join(dir, 'reg.example:5000', 'ca.crt'), 'CA-PEM');
  writeFileSync(join(dir, 'reg.example:5000', 'client.cert'), 'CLIENT-CERT');
  writeFileSync(join(dir, 'reg.example:5000', 'client.key'), 'CLIENT-KEY');
  writeFileSync(join(dir, 'extra.pem'), 'EXTRA-PEM');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS trust per host', () => {
  it('searches the containers and docker certs.d folders', () => {
    expect(defaultCertDirs({ HOME: '/home/u' })).toEqual([
      '/etc/containers/certs.d',
      '/etc/docker/certs.d',
      '/home/u/.config/containers/certs.d',
    ]);
  });

  it('adds certs.d CAs to the system roots and NODE_EXTRA_CA_CERTS, with the client pair', () => {
    const o = tlsOptionsFor('reg.example:5000', {
      certDirs: [dir],
      insecure: false,
      env: { NODE_EXTRA_CA_CERTS: join(dir, 'extra.pem') },
    });
    expect(o.rejectUnauthorized).toBe(true);
    expect(o.ca).toEqual([...rootCertificates, 'CA-PEM', 'EXTRA-PEM']);
    // What secureContextFor adds to Node's own store of system roots.
    expect(o.extraCa).toEqual(['CA-PEM', 'EXTRA-PEM']);
    expect([o.cert, o.key]).toEqual(['CLIENT-CERT', 'CLIENT-KEY']);
  });

  it('does not add again the NODE_EXTRA_CA_CERTS Node started with (its default store holds it)', async () => {
    const file = join(dir, 'extra.pem');
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = file;
    try {
      vi.resetModules();
      const fresh = await import('../../src/registry/tls.js');
      const o = fresh.tlsOptionsFor('reg.example:5000', {
        certDirs: [dir],
        insecure: false,
        env: { NODE_EXTRA_CA_CERTS: file },
      });
      // The whole list still has it (for a context built from `ca` alone); the additions do not.
      expect(o.ca).toEqual([...rootCertificates, 'CA-PEM', 'EXTRA-PEM']);
      expect(o.extraCa).toEqual(['CA-PEM']);
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
      vi.resetModules();
    }
  });

  it('leaves Node defaults alone for hosts without a folder, and verifies nothing only when insecure', () => {
    expect(tlsOptionsFor('other.example', { certDirs: [dir], insecure: false, env: {} })).toEqual({
      rejectUnauthorized: true,
    });
    expect(tlsOptionsFor('reg.example:5000', { certDirs: [dir], insecure: true, env: {} })).toEqual({
      rejectUnauthorized: false,
    });
  });
});
