import { describe, expect, it } from 'vitest';
import { assertValidImageStream, validateImageStream } from '../../src/domain/validation.js';

function is(
  spec: unknown = {},
  meta: Record<string, unknown> = { name: 'app' },
  status?: unknown,
): Record<string, unknown> {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: meta,
    spec,
    ...(status === undefined ? {} : { status }),
  };
}
const tag = (t: Record<string, unknown>) =>
  is({ tags: [{ name: 'ok', from: { kind: 'DockerImage', name: 'nginx:1' } }, t] });

describe('validateImageStream', () => {
  it('accepts a typical stream, oci: sources and empty specs', () => {
    expect(validateImageStream(is())).toEqual([]);
    expect(
      validateImageStream(
        is({
          lookupPolicy: { local: true },
          tags: [
            {
              name: 'a',
              from: { kind: 'DockerImage', name: 'quay.io/org/app:1.0' },
              importPolicy: { scheduled: true, importMode: 'PreserveOriginal' },
              referencePolicy: { type: 'Local' },
            },
            { name: 'b', from: { kind: 'ImageStreamTag', name: 'a' }, generation: null, annotations: null },
            { name: 'c', from: { kind: 'ImageStreamImage', name: `app@sha256:${'a'.repeat(64)}` } },
            { name: 'd', from: { kind: 'DockerImage', name: 'oci:./layout:1.0' } },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    [
      'upper-case name',
      is({}, { name: 'App' }),
      'metadata.name',
      'Invalid value: "App": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"',
    ],
    [
      'doubled separator',
      is({}, { name: 'a--b' }),
      'metadata.name',
      'Invalid value: "a--b": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"',
    ],
    ['slash in name', is({}, { name: 'a/b' }), 'metadata.name', `Invalid value: "a/b": may not contain '/'`],
    ['dot name', is({}, { name: '..' }), 'metadata.name', `Invalid value: "..": may not be '..'`],
    ['missing name', is({}, {}), 'metadata.name', 'Required value: name or generateName is required'],
    [
      'bad namespace',
      is({}, { name: 'a', namespace: 'My_NS' }),
      'metadata.namespace',
      'Invalid value: "My_NS": a lowercase RFC 1123 label',
    ],
    [
      'too long',
      is({}, { name: 'b'.repeat(192), namespace: 'a'.repeat(63) }),
      'metadata.name',
      "'namespace/name' cannot be longer than 255 characters",
    ],
    [
      'repo with tag',
      is({ dockerImageRepository: 'quay.io/a/b:1' }),
      'spec.dockerImageRepository',
      'Invalid value: "quay.io/a/b:1": the repository name may not contain a tag',
    ],
    [
      'from without name',
      tag({ name: 'x', from: { kind: 'DockerImage' } }),
      'spec.tags[1].from.name',
      'Required value',
    ],
    [
      'unknown from kind',
      tag({ name: 'x', from: { kind: 'Foo', name: 'x' } }),
      'spec.tags[1].from.kind',
      "Required value: valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'",
    ],
    [
      'bad pull spec',
      tag({ name: 'x', from: { kind: 'DockerImage', name: 'abc@badid' } }),
      'spec.tags[1].from.name',
      'Invalid value: "abc@badid": invalid reference format',
    ],
    [
      'upper-case pull spec',
      tag({ name: 'x', from: { kind: 'DockerImage', name: 'Quay/App' } }),
      'spec.tags[1].from.name',
      'repository name must be lowercase',
    ],
    [
      'scheduled digest',
      tag({
        name: 'x',
        from: { kind: 'DockerImage', name: `a@sha256:${'1'.repeat(64)}` },
        importPolicy: { scheduled: true },
      }),
      'spec.tags[1].from.name',
      'only tags can be scheduled for import',
    ],
    [
      'scheduled istag',
      tag({ name: 'x', from: { kind: 'ImageStreamTag', name: 'ok' }, importPolicy: { scheduled: true } }),
      'spec.tags[1].importPolicy.scheduled',
      'only tags pointing to Docker repositories may be scheduled for background import',
    ],
    [
      'bad reference policy',
      tag({ name: 'x', referencePolicy: { type: 'Remote' } }),
      'spec.tags[1].referencePolicy.type',
      'Invalid value: "Remote": valid values are "Source", "Local"',
    ],
    [
      'bad import mode',
      tag({ name: 'x', importPolicy: { importMode: 'All' } }),
      'spec.tags[1].importPolicy.importMode',
      "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'",
    ],
    [
      'two separators',
      tag({ name: 'x', from: { kind: 'ImageStreamTag', name: 'a:b:c' } }),
      'spec.tags[1].from.name',
      'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>',
    ],
    [
      'wrong type: from.name',
      tag({ name: 'x', from: { kind: 'DockerImage', name: 5 } }),
      'spec.tags[1].from.name',
      'Invalid value: 5: must be a string',
    ],
    ['wrong type: tags', is({ tags: { a: 1 } }), 'spec.tags', 'must be an array'],
    [
      'wrong type: scheduled',
      tag({ name: 'x', importPolicy: { scheduled: 'yes' } }),
      'spec.tags[1].importPolicy.scheduled',
      'Invalid value: "yes": must be a boolean',
    ],
    ['wrong type: generation', tag({ name: 'x', generation: '2' }), 'spec.tags[1].generation', 'must be an integer'],
    ['wrong type: label value', is({}, { name: 'a', labels: { x: 1 } }), 'metadata.labels[x]', 'must be a string'],
    ['wrong type: spec', is('nope'), 'spec', 'must be an object'],
    [
      'wrong type: lookupPolicy.local',
      is({ lookupPolicy: { local: 'true' } }),
      'spec.lookupPolicy.local',
      'must be a boolean',
    ],
    [
      'status item without reference',
      is({}, { name: 'a' }, { tags: [{ tag: 't', items: [{ created: 'x', image: '', generation: 1 }] }] }),
      'status.tags[0].items[0].dockerImageReference',
      'Required value',
    ],
    [
      'status item with bad reference',
      is(
        {},
        { name: 'a' },
        { tags: [{ tag: 't', items: [{ dockerImageReference: 'A@b', image: '', generation: 1 }] }] },
      ),
      'status.tags[0].items[0].dockerImageReference',
      'Invalid value',
    ],
    [
      'wrong kind',
      { ...is(), kind: 'Deployment' },
      'kind',
      'Unsupported value: "Deployment": supported values: "ImageStream"',
    ],
  ])('%s', (_name, obj, field, message) => {
    const problems = validateImageStream(obj);
    const hit = problems.find((p) => p.field === field);
    expect(hit, JSON.stringify(problems)).toBeDefined();
    expect(hit!.message).toContain(message);
  });

  it('applies the namespace rules to the namespace the command runs in', () => {
    expect(validateImageStream(is(), { namespace: 'Bad' })[0].field).toBe('metadata.namespace');
  });

  it('accepts any tag name, as the API does', () => {
    expect(validateImageStream(is({ tags: [{ name: 'we!rd tag' }, { name: '' }] }))).toEqual([]);
  });

  it('assertValidImageStream names the file and every problem', () => {
    expect(() =>
      assertValidImageStream(
        tag({ name: 'x', from: { kind: 'Foo', name: 'x' }, referencePolicy: { type: 'Remote' } }),
        'streams/app.yaml',
      ),
    ).toThrow(
      `streams/app.yaml: The ImageStream "app" is invalid: spec.tags[1].from.kind: Required ` +
        `value: valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag', ` +
        `spec.tags[1].referencePolicy.type: Invalid value: "Remote": valid values are "Source", ` +
        `"Local"`,
    );
  });
});
