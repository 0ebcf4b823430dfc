/** The one error → message/exit-code mapping, worded as oc words it (oc-cli.md §1.8). */
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/cli/errors.js';
import {
  IsctlError,
  NotFoundError,
  InvalidReferenceError,
  RegistryError,
  UsageError,
  ValidationError,
} from '../../src/domain/errors.js';

describe('renderError', () => {
  const cases: [string, unknown, string, number][] = [
    [
      'usage',
      new UsageError('at least a destination is required'),
      "error: at least a destination is required\nSee 'isctl tag -h' for help and examples\n",
      2,
    ],
    [
      'not found',
      new NotFoundError('imagestreams.image.openshift.io', 'x'),
      'Error from server (NotFound): imagestreams.image.openshift.io "x" not found\n',
      1,
    ],
    [
      'already exists',
      new IsctlError('AlreadyExists', 'imagestreams.image.openshift.io "a" already exists'),
      'Error from server (AlreadyExists): imagestreams.image.openshift.io "a" already exists\n',
      1,
    ],
    [
      'bad request',
      new InvalidReferenceError('a', 'ImageStreamTags must be retrieved with <name>:<tag>'),
      'Error from server (BadRequest): ImageStreamTags must be retrieved with <name>:<tag>\n',
      1,
    ],
    [
      'invalid',
      new ValidationError('ImageStream', 'a', [{ field: 'spec.tags[0].name', message: 'Required value' }]),
      'The ImageStream "a" is invalid: spec.tags[0].name: Required value\n',
      1,
    ],
    [
      'registry with hint',
      new RegistryError('x509: certificate signed by unknown authority', {
        hint: 'use --insecure only if you trust this registry',
      }),
      'error: x509: certificate signed by unknown authority\nhint: use --insecure only if you trust this registry\n',
      1,
    ],
    ['plain error', new Error('boom'), 'error: boom\n', 1],
  ];
  it.each(cases)('%s', (_name, err, text, code) => {
    expect(renderError(err, 'isctl tag')).toEqual({ text, exitCode: code });
  });
  it('a command can raise the exit code of an error (refresh --exit-code: >1 is an error)', () => {
    expect(renderError(Object.assign(new Error('disk full'), { exitCode: 2 })).exitCode).toBe(2);
  });
});
