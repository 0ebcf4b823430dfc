/** `oc tag` argument rules (openshift/oc pkg/cli/tag/tag.go Complete/Validate, tag_test.go, origin images.sh), table-driven. */
import { describe, expect, it } from 'vitest';
import { planTag, sourceExact, type TagOptions } from '../../src/core/tag-plan.js';

const D = `sha256:${'6b646fa6bf5e5e4c7fa41056c27910e679c03ebe7f93e361e6515a9da7e258cc'}`;

describe('SOURCE kind inference', () => {
  const cases: [string, Partial<TagOptions>, string, string][] = [
    ['quay.io/org/app:1.0', {}, 'DockerImage', 'quay.io/org/app:1.0'],
    ['nginx', {}, 'DockerImage', 'nginx'],
    ['nginx:1.25', { source: 'docker' }, 'DockerImage', 'nginx:1.25'],
    ['docker.io/nginx:latest', {}, 'DockerImage', 'docker.io/nginx:latest'],
    ['ruby:2.0', { alias: true }, 'ImageStreamTag', 'ruby:2.0'],
    ['ruby:2.0', {}, 'ImageStreamTag', 'ruby:2.0'],
    [`ruby@${D}`, {}, 'ImageStreamImage', `ruby@${D}`],
    ['openshift/ruby:2.0', { source: 'istag' }, 'ImageStreamTag', 'openshift/ruby:2.0'],
    ['oci:./layout:1.0', {}, 'DockerImage', 'oci:./layout:1.0'],
  ];
  it.each(cases)('%s %j → %s', (source, flags, kind, printed) => {
    const dest = flags.alias ? 'ruby:tip' : 'dest:tip';
    const plan = planTag({ args: [source, dest], ...flags }, 'p');
    expect(plan.kind).toBe(kind);
    expect(sourceExact(plan)).toBe(printed);
  });
});

describe('validation messages', () => {
  const cases: [string, TagOptions, string][] = [
    ['no args', { args: [] }, 'you must specify a source and at least one destination or one or more tags to delete'],
    ['one arg', { args: ['a:1'] }, 'at least a destination is required'],
    ['-d without args', { args: [], delete: true }, 'at least a destination is required'],
    [
      'alias and delete',
      { args: ['a:1'], alias: true, delete: true },
      '--alias and --delete may not be both specified',
    ],
    [
      'bad reference policy',
      { args: ['a:1', 'b:1'], referencePolicy: 'Local' },
      "reference policy must be set to 'source' or 'local'",
    ],
    [
      'bad source kind',
      { args: ['a:1', 'b:1'], source: 'foo' },
      'invalid source "foo"; valid values are docker, dockerimage, imagestreamimage, imagestreamtag, isimage, istag',
    ],
    ['bad SOURCE', { args: ['A:B:C', 'b:1'] }, 'invalid SOURCE: invalid reference format'],
    [
      'server in istag source',
      { args: ['quay.io/a/b:1', 'b:1'], source: 'istag' },
      'server in SOURCE is only allowed when providing a container image',
    ],
    [
      'istag without tag',
      { args: ['a', 'b:1'], source: 'istag' },
      '--source=ImageStreamTag requires a valid <name>:<tag> in SOURCE',
    ],
    [
      'isimage without id',
      { args: ['a:1', 'b:1'], source: 'isimage' },
      '--source=ImageStreamImage requires a valid <name>@<id> in SOURCE',
    ],
    [
      'scheduled istag',
      { args: ['is:1', 'is:2'], scheduled: true },
      'only container images can have importing flags set',
    ],
    [
      'alias across streams',
      { args: ['mysql:latest', 'tagtest:tag1'], alias: true },
      'cannot set alias across different Image Streams',
    ],
    [
      'alias across namespaces',
      { args: ['mysql:latest', 'other/mysql:tag1'], alias: true },
      'cannot set alias across different Image Streams',
    ],
    [
      'invalid tag name',
      { args: ['quay.io/a/b:1', 'rails:invalid-tagname-test#123'] },
      'invalid tag "invalid-tagname-test#123" format, tags must start with an alphanumeric ' +
        "character followed by alphanumeric, '.' or '-' characters, and have a maximum of 128 " +
        'characters',
    ],
    ['dest without colon', { args: ['quay.io/a/b:1', 'rails'] }, '"rails" must be of the form <stream_name>:<tag>'],
    ['dest with two slashes', { args: ['quay.io/a/b:1', 'a/b/c:1'] }, 'invalid image stream "a/b/c:1"'],
    [
      'flags when deleting',
      { args: ['a:1'], delete: true, scheduled: true },
      'cannot set flags for importing images when deleting a tag',
    ],
    [
      'bad import mode',
      { args: ['quay.io/a/b:1', 'b:1'], importMode: 'x' },
      'valid ImportMode values are Legacy or PreserveOriginal',
    ],
  ];
  it.each(cases)('%s', (_n, o, msg) => {
    expect(() => planTag(o, 'p')).toThrow(msg);
  });

  it('deletion is allowed for invalid tag names (tag_test.go "can delete tag with invalid name")', () => {
    expect(planTag({ args: ['rails:invalid-tagname-test#123'], delete: true }, 'p').dests).toEqual([
      {
        namespace: 'p',
        nameAndTag: 'rails:invalid-tagname-test#123',
        stream: 'rails',
        tag: 'invalid-tagname-test#123',
      },
    ]);
  });
  it('ns/name:tag is parsed; an empty tag is latest for a delete (JoinImageStreamTag)', () => {
    expect(planTag({ args: ['quay.io/a/b:1', 'other/y:z'] }, 'p').dests).toEqual([
      { namespace: 'other', nameAndTag: 'y:z', stream: 'y', tag: 'z' },
    ]);
    expect(planTag({ args: ['x:'], delete: true }, 'p').dests).toEqual([
      { namespace: 'p', nameAndTag: 'x:', stream: 'x', tag: 'latest' },
    ]);
  });
  it.each([
    // tag.go Run sends ImageStreamTag.Name = destNameAndTag; imagestreamtag/rest.go nameAndTag refuses
    // what ParseImageStreamTagName cannot split.
    ['x:'],
    [':1'],
    ['a@b:1'],
  ])('setting %s is the API server BadRequest', (dest) => {
    expect(() => planTag({ args: ['quay.io/a/b:1', dest] }, 'p')).toThrow(
      'ImageStreamTags must be retrieved with <name>:<tag>',
    );
  });
  it('a stream name the API server rejects is its ImageStream Invalid (ValidateImageStreamName)', () => {
    expect(() => planTag({ args: ['quay.io/a/b:1', 'UPPER:1'] }, 'p')).toThrow(
      'The ImageStream "UPPER" is invalid: metadata.name: Invalid value: "UPPER": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"',
    );
  });
  it('parseStreamName: an empty name after the namespace is refused in Complete', () => {
    expect(() => planTag({ args: ['quay.io/a/b:1', 'ns/'] }, 'p')).toThrow('invalid name "" for image stream "ns/"');
  });
});
