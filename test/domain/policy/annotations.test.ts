import { describe, expect, it } from 'vitest';
import {
  formatFirstSeen,
  readFirstSeen,
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

  it('writes first-seen records with sorted keys and reads a damaged value as none', () => {
    const text = formatFirstSeen({
      b: { digest: 'sha256:b', firstSeen: '2026-01-02T00:00:00Z' },
      a: { digest: 'sha256:a', firstSeen: '2026-01-01T00:00:00Z' },
    });
    expect(text).toBe(
      '{"a":{"digest":"sha256:a","firstSeen":"2026-01-01T00:00:00Z"},"b":{"digest":"sha256:b","firstSeen":"2026-01-02T00:00:00Z"}}',
    );
    expect(readFirstSeen({ 'isctl.io/first-seen': text! }).a.digest).toBe('sha256:a');
    expect(readFirstSeen({ 'isctl.io/first-seen': '{not json' })).toEqual({});
    expect(readFirstSeen({ 'isctl.io/first-seen': '{"a":{"digest":"d","firstSeen":"yesterday"}}' })).toEqual({});
    expect(formatFirstSeen({})).toBeUndefined();
  });
});
