/** Pull specs are read once into values; an invalid one carries the error that says why. */
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../../src/domain/errors.js';
import { pullSpecDigest, pullSpecTag, readPullSpec, tagSource, validPullSpec } from '../../src/domain/pullspec.js';

const D = 'sha256:0123456789012345678901234567890123456789012345678901234567890123';

describe('readPullSpec', () => {
  it('reads registry and OCI layout specs into values with their tag and digest', () => {
    const reg = readPullSpec(`quay.io/org/app:1.0@${D}`);
    expect(reg.transport).toBe('docker');
    expect(reg.transport !== 'invalid' && [pullSpecTag(reg), pullSpecDigest(reg)]).toEqual(['1.0', D]);
    const oci = readPullSpec('oci:./layout:2.0');
    expect(oci).toMatchObject({ transport: 'oci', path: './layout', tag: '2.0', digest: '' });
  });

  it('returns an invalid value with the parser error instead of throwing', () => {
    const bad = readPullSpec('UPPER/App:1');
    expect(bad.transport).toBe('invalid');
    if (bad.transport !== 'invalid') return;
    expect(bad.error).toBeInstanceOf(InvalidReferenceError);
    expect(bad.error.message).toBe('invalid pull spec "UPPER/App:1": repository name must be lowercase');
    expect(bad.error.reason).toBe('repository name must be lowercase');
    expect(() => validPullSpec(bad)).toThrow(bad.error);
  });

  it('parses each text once: the same frozen value comes back', () => {
    const a = readPullSpec('docker.io/library/nginx:1.27');
    expect(readPullSpec('docker.io/library/nginx:1.27')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a.transport === 'docker' && Object.isFrozen(a.ref)).toBe(true);
  });

  it('tagSource reads DockerImage spec tags only', () => {
    expect(tagSource({ from: { kind: 'DockerImage', name: 'nginx' } })?.transport).toBe('docker');
    expect(tagSource({ from: { kind: 'ImageStreamTag', name: 'app:1' } })).toBeUndefined();
    expect(tagSource({})).toBeUndefined();
  });
});
