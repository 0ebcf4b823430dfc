import { describe, expect, it } from 'vitest';
import {
  readFirstSeen,
  readHeldBack,
  writeFirstSeen,
  writeHeldBack,
  readPolicyInput,
  withoutPolicyAnnotations,
  withPolicyAnnotations,
} from '../../../src/domain/policy/annotations.js';

describe('policy annotations on a spec tag', () => {
  it('round-trips the policy and leaves other annotations alone', () => {
    const a = withPolicyAnnotations({ 'openshift.io/imported-from': 'x' }, { policy: 'semver:~1.2', minAge: '72h' });
    expect(a).toEqual({
      'openshift.io/imported-from': 'x',
      'isctl.io/policy': 'semver:~1.2',
      'isctl.io/min-age': '72h',
    });
    expect(readPolicyInput(a)).toEqual({ policy: 'semver:~1.2', minAge: '72h' });
    expect(withoutPolicyAnnotations(a)).toEqual({ 'openshift.io/imported-from': 'x' });
    expect(withoutPolicyAnnotations({ 'isctl.io/policy': 'semver:*' })).toBeUndefined();
    expect(readPolicyInput(null)).toBeUndefined();
  });

  it('keeps first-seen records per spec tag on the stream, sorted, and reads a damaged value as none', () => {
    const meta: Record<string, string> = { other: 'x' };
    writeFirstSeen(meta, 'stable', {
      b: { digest: 'sha256:b', firstSeen: '2026-01-02T00:00:00Z' },
      a: { digest: 'sha256:a', firstSeen: '2026-01-01T00:00:00Z' },
    });
    expect(meta['isctl.io/first-seen']).toBe(
      '{"stable":{"a":{"digest":"sha256:a","firstSeen":"2026-01-01T00:00:00Z"},"b":{"digest":"sha256:b","firstSeen":"2026-01-02T00:00:00Z"}}}',
    );
    expect(readFirstSeen(meta, 'stable').a.digest).toBe('sha256:a');
    expect(readFirstSeen(meta, 'other')).toEqual({});
    writeFirstSeen(meta, 'stable', {});
    expect(meta).toEqual({ other: 'x' });
    expect(readFirstSeen({ 'isctl.io/first-seen': '{not json' }, 'stable')).toEqual({});
    expect(readFirstSeen({ 'isctl.io/first-seen': '{"s":{"a":{"digest":"d","firstSeen":"yesterday"}}}' }, 's')).toEqual(
      {},
    );
  });

  it('keeps held-back records per spec tag', () => {
    const meta: Record<string, string> = {};
    writeHeldBack(meta, 'stable', { tag: '1.2.7', reason: 'MinAge', message: 'm', until: '2026-01-01T01:00:00Z' });
    expect(readHeldBack(meta, 'stable')).toEqual({
      tag: '1.2.7',
      reason: 'MinAge',
      message: 'm',
      until: '2026-01-01T01:00:00Z',
    });
    writeHeldBack(meta, 'stable', undefined);
    expect(meta).toEqual({});
  });
});
