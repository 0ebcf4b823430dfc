/** `isctl explain`: the field documentation a user reads instead of the OpenShift API reference. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/index.js';
import { wrap } from '../../src/output/explain.js';

/** The text with line wrapping undone. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('isctl explain', () => {
  it('explains an ImageStream as oc explain does', async () => {
    const r = await runCli(['explain', 'is']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'GROUP:      image.openshift.io',
      'KIND:       ImageStream',
      'VERSION:    v1',
      '',
      'DESCRIPTION:',
    ]);
    expect(r.stdout).toContain('    An ImageStream stores a mapping of tags to images');
    expect(r.stdout).toContain(
      '  spec\t<ImageStreamSpec> -required-\n    Spec describes the desired state of this stream.',
    );
    expect(r.stdout).toContain('  status\t<ImageStreamStatus>\n');
    for (const l of lines) expect(l.replace('\t', ' ').length).toBeLessThanOrEqual(80);
  });

  it('explains a field path with the API doc comments', async () => {
    const r = await runCli(['explain', 'imagestream.spec.tags.reference']);
    expect(r.stdout).toContain('FIELD: reference <boolean>');
    expect(flat(r.stdout)).toContain(
      'Reference states if the tag will be imported. Default value is false, which means the tag will be imported.',
    );
    const history = await runCli(['explain', 'is.status.tags.items']);
    expect(flat(history.stdout)).toContain('items[0] is the current image');
    expect(history.stdout).toContain('  dockerImageReference\t<string> -required-');
  });

  it('explains istag and isimage, and lists the tree with --recursive', async () => {
    const istag = await runCli(['explain', 'istag']);
    expect(istag.stdout).toContain('KIND:       ImageStreamTag');
    expect(flat(istag.stdout)).toContain('Its name is <stream>:<tag>.');
    expect((await runCli(['explain', 'isimage'])).stdout).toContain('KIND:       ImageStreamImage');
    const tree = await runCli(['explain', 'is', '--recursive']);
    expect(tree.stdout).toContain(
      '  spec\t<ImageStreamSpec> -required-\n    lookupPolicy\t<ImageLookupPolicy>\n      local\t<boolean> -required-\n',
    );
    expect(tree.stdout).toContain(
      '      importPolicy\t<TagImportPolicy>\n        insecure\t<boolean>\n        scheduled\t<boolean>\n        importMode\t<string>\n',
    );
  });

  it('names the unknown resource or field and says what to do', async () => {
    const kind = await runCli(['explain', 'pods']);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toBe(
      `error: the server doesn't have a resource type "pods"\nhint: isctl explain knows: is, istag, isimage, image\n`,
    );
    const field = await runCli(['explain', 'is.spec.tagz']);
    expect(field.code).toBe(1);
    expect(field.stderr).toBe(
      'error: field "tagz" does not exist\nhint: list the fields with: isctl explain is.spec\n',
    );
  });

  it('wraps descriptions at 80 columns', () => {
    expect(wrap('a '.repeat(50), 4).every((l) => l.length <= 80 && l.startsWith('    a'))).toBe(true);
  });
});
