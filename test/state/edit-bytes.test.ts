/**
 * A rewrite changes the values it edits and no other byte: bytes that are not UTF-8 are never
 * turned into U+FFFD (such a file is refused for writing), a byte order mark stays in front of a
 * surgically edited file, and no document is re-rendered whole (which would rewrite `0x1F` as
 * `31`, `1.10` as `1.1`, round big integers and drop comments): a file the splices cannot edit
 * exactly is refused with the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EditError, editFileText } from '../../src/state/edit/file.js';
import { runCli, tempDir } from '../helpers/index.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const STREAM = `# the team's stream
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
spec:
  tags:
  - name: src   # imported by CI
    from: {kind: DockerImage, name: quay.io/acme/app:1}
    reference: true
status:
  tags:
  - tag: src
    items:
    - created: "2026-11-01T10:00:00Z"
      dockerImageReference: quay.io/acme/app@${D1}
      image: ${D1}
      generation: 1
`;

function folder(files: Record<string, string | Buffer>): string {
  const dir = tempDir('edit-bytes');
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), content);
  return dir;
}
const bytes = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel));

describe('bytes nobody edited', () => {
  it('a file that is not UTF-8 (a Latin-1 byte in a comment) is refused for writing, byte for byte unchanged', async () => {
    const latin1 = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${STREAM}`)]);
    const dir = folder({ 'app.yaml': latin1 });
    const r = await runCli(['tag', '--reference', 'quay.io/acme/app:2', 'app:2'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: app.yaml:1:6: is not valid UTF-8 (byte 0xE9); isctl reads it but never rewrites it, since that would change bytes nobody edited\n' +
        'hint: convert the file to UTF-8 (for example: iconv -f latin1 -t utf-8), then run the command again\n',
    );
    expect(bytes(dir, 'app.yaml').equals(latin1)).toBe(true);
    // Reading it is fine.
    expect((await runCli(['get', 'is', 'app', '-o', 'name'], { dir })).stdout).toBe(
      'imagestream.image.openshift.io/app\n',
    );
  });

  it('a byte order mark followed directly by content is kept, and the edit is surgical (comments stay)', async () => {
    const withBom =
      "\uFEFFapiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app   # the team's stream\n" +
      'spec:\n  tags:\n  - name: src   # imported by CI\n    from: {kind: DockerImage, name: quay.io/acme/app:1}\n';
    const dir = folder({ 'app.yaml': withBom });
    const r = await runCli(['tag', '--reference', 'quay.io/acme/app:2', 'app:2'], { dir });
    expect(r.code, r.stderr).toBe(0);
    const after = bytes(dir, 'app.yaml').toString('utf8');
    expect(
      after.startsWith(
        "\uFEFFapiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app   # the team's stream\n",
      ),
    ).toBe(true);
    expect(after).toContain(
      '  - name: src   # imported by CI\n    from: {kind: DockerImage, name: quay.io/acme/app:1}\n',
    );
    // Only lines were added: every line of the original is still there, in order.
    const kept = withBom.split('\n');
    const lines = after.split('\n');
    let j = 0;
    for (const l of lines) if (l === kept[j]) j++;
    expect(j).toBe(kept.length);
  });

  it('a JSON file with a byte order mark is read (JSON.parse refuses the mark) and edited keeping it', async () => {
    const stream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app' },
      spec: { tags: [] },
    };
    const json = `\uFEFF${JSON.stringify(stream, null, 2)}\n`;
    const dir = folder({ 'app.json': json });
    expect(await runCli(['get', 'is', '-o', 'name'], { dir })).toEqual({
      code: 0,
      stdout: 'imagestream.image.openshift.io/app\n',
      stderr: '',
    });
    const r = await runCli(['tag', '--reference', 'quay.io/acme/app:2', 'app:2'], { dir });
    expect(r.code, r.stderr).toBe(0);
    const after = bytes(dir, 'app.json').toString('utf8');
    expect(after.startsWith('\uFEFF{\n  "apiVersion": "image.openshift.io/v1",\n')).toBe(true);
    expect(JSON.parse(after.slice(1)).spec.tags[0].from.name).toBe('quay.io/acme/app:2');
  });

  it('an edit that would change values shared through a YAML anchor is refused with the reason; nothing is re-rendered', async () => {
    const dc = `# web, rolled out by its trigger
apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: web
spec:
  replicas: 0x1F   # hex, as written
  template:
    spec:
      containers:
      - name: web
        image: &img " "
        env:
        - {name: IMAGE, value: *img}
        - {name: RATIO, value: "1.10"}
        resources: {limits: {cpu: 1.10, memory: 12345678901234567890}}
  triggers:
  - type: ImageChange
    imageChangeParams:
      automatic: true
      containerNames: [web]
      from: {kind: ImageStreamTag, name: "app:latest"}
`;
    const dir = folder({ 'app.yaml': STREAM, 'web.yaml': dc });
    const r = await runCli(['tag', 'app:src', 'app:latest'], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: web.yaml: cannot edit web.yaml without changing other values: it shares values through YAML anchors and aliases (&name, *name), ' +
        'and an edited value may be one of them; isctl never re-renders a document\n',
    );
    expect(bytes(dir, 'web.yaml').toString('utf8')).toBe(dc);
    expect(bytes(dir, 'app.yaml').toString('utf8')).toBe(STREAM);
  });
});

describe('a collection the editor cannot align', () => {
  it('is not re-rendered when that would rewrite a value left in place (0x1F → 31) or drop a comment: the edit is refused', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\nmatrix:\n- - 0x1F   # hex, as written\n  - 7\n';
    const before = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, matrix: [[31, 7]] };
    const after = { ...before, matrix: [[31, 8]] };
    expect(() => editFileText('m.yaml', text, [{ document: 0, after, before }])).toThrow(
      new EditError('the edit would rewrite the block around 0x1F, an unchanged value written another way'),
    );
  });

  it('may be re-rendered when everything in it changes', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\nmatrix:\n- - 1\n  - 2\n';
    const before = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, matrix: [[1, 2]] };
    const after = { ...before, matrix: [[3, 4]] };
    expect(editFileText('m.yaml', text, [{ document: 0, after, before }])).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\nmatrix:\n- - 3\n  - 4\n',
    );
  });
});
