/**
 * What `import-image` prints when a repository cannot be listed, and what `-o yaml|json` prints,
 * as openshift/oc pkg/cli/importimage/importimage.go Run does: Run writes stderr lines only for the
 * entries of result.Status.Repository.Images and result.Status.Images, returns "imported completed
 * with errors" when wasError, and prints with the -o printer the `stream` createImageImport built
 * (newImageStream, importAll, importTag), not result.Status.Import.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE_LAYOUT, runCli, tempDir } from '../helpers/index.js';

const layout = (dir: string) => {
  fs.cpSync(EXAMPLE_LAYOUT, path.join(dir, 'hello-oci'), { recursive: true });
  return 'oci:./hello-oci';
};

describe('import-image --all when the repository cannot be listed', () => {
  it('prints "imported with errors", the stream, and only "error: imported completed with errors" on stderr', async () => {
    const dir = tempDir('oc-import-out');
    const r = await runCli(['import-image', 'app', '--all', '--from', 'oci:./missing', '--confirm'], { dir });
    expect(r.code).toBe(1);
    // applyErrorToRepository (openshift-apiserver importer.go) leaves Repository.Images empty:
    // Run prints no line for the repository, only CheckErr's line for the error Run returns.
    expect(r.stderr).toBe('error: imported completed with errors\n');
    expect(r.stdout).toMatch(/^imagestream\.image\.openshift\.io\/app imported with errors\n\nName:\t\t\tapp\n/);
    expect(r.stdout).toContain('Tags:\t\t\t<none>\n');
  });
});

describe('import-image -o yaml|json prints the stream the client built for the import', () => {
  it('a new stream: newImageStream’s bare object — name only, a spec tag without a name, empty status', async () => {
    const dir = tempDir('oc-import-out');
    const from = layout(dir);
    const r = await runCli(['import-image', 'app:1.0', '--from', `${from}:1.0`, '--confirm', '-o', 'yaml'], { dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // json.Marshal of imagev1.ImageStream (creationTimestamp omitzero in apimachinery 0.35), keys
    // sorted by sigs.k8s.io/yaml.
    expect(r.stdout).toBe(
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app\nspec:\n' +
        '  lookupPolicy:\n    local: false\n  tags:\n  - annotations: null\n    from:\n      kind: DockerImage\n' +
        `      name: ${from}:1.0\n    generation: null\n    importPolicy: {}\n    name: ""\n    referencePolicy:\n` +
        '      type: ""\nstatus:\n  dockerImageRepository: ""\n',
    );
    // The import itself happened and was recorded as without -o.
    const stored = parse(fs.readFileSync(path.join(dir, 'imagestreams/default/app.yaml'), 'utf8'));
    expect(stored.status.tags[0].tag).toBe('1.0');
    expect(stored.status.tags[0].items).toHaveLength(1);
  });

  it('-o json: the typed ImageStream as json.MarshalIndent writes it — struct field order, 4 spaces', async () => {
    const dir = tempDir('oc-import-out');
    const from = layout(dir);
    const r = await runCli(['import-image', 'app:1.0', '--from', `${from}:1.0`, '--confirm', '-o', 'json'], { dir });
    expect(r.code).toBe(0);
    // cli-runtime printers/json.go JSONPrinter: TypeMeta inline (kind, apiVersion), then the fields of
    // openshift/api image/v1 types.go in declaration order.
    expect(r.stdout).toBe(
      `${[
        '{',
        '    "kind": "ImageStream",',
        '    "apiVersion": "image.openshift.io/v1",',
        '    "metadata": {',
        '        "name": "app"',
        '    },',
        '    "spec": {',
        '        "lookupPolicy": {',
        '            "local": false',
        '        },',
        '        "tags": [',
        '            {',
        '                "name": "",',
        '                "annotations": null,',
        '                "from": {',
        '                    "kind": "DockerImage",',
        `                    "name": "${from}:1.0"`,
        '                },',
        '                "generation": null,',
        '                "importPolicy": {},',
        '                "referencePolicy": {',
        '                    "type": ""',
        '                }',
        '            }',
        '        ]',
        '    },',
        '    "status": {',
        '        "dockerImageRepository": ""',
        '    }',
        '}',
      ].join('\n')}\n`,
    );
  });

  it('--reference-policy given: getReferencePolicy sets the new tag’s policy', async () => {
    const dir = tempDir('oc-import-out');
    const from = layout(dir);
    const r = await runCli(
      ['import-image', 'app:1.0', '--from', `${from}:1.0`, '--confirm', '--reference-policy', 'local', '-o', 'json'],
      { dir },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.spec.tags).toEqual([
      {
        annotations: null,
        from: { kind: 'DockerImage', name: `${from}:1.0` },
        generation: null,
        importPolicy: {},
        name: '',
        referencePolicy: { type: 'Local' },
      },
    ]);
    expect(doc.metadata).toEqual({ name: 'app' });
  });

  it('an existing stream: as read before the import, the re-imported tag at generation 0', async () => {
    const dir = tempDir('oc-import-out');
    const from = layout(dir);
    expect((await runCli(['import-image', 'app:1.0', '--from', `${from}:1.0`, '--confirm'], { dir })).code).toBe(0);
    const before = parse(fs.readFileSync(path.join(dir, 'imagestreams/default/app.yaml'), 'utf8'));
    const r = await runCli(['import-image', 'app:1.0', '-o', 'yaml'], { dir });
    expect(r.code).toBe(0);
    const printed = parse(r.stdout);
    // importTag: the followed tag is sent with generation 0 (the stored one keeps its generation);
    // status and metadata are the stream's before the import.
    expect(before.spec.tags[0].generation).toBeGreaterThan(0);
    expect(printed.spec.tags).toEqual([{ ...before.spec.tags[0], generation: 0 }]);
    expect(printed.metadata).toEqual({ ...before.metadata, namespace: 'default' });
    expect(printed.status).toEqual(before.status);
  });

  it('an existing stream and a tag it lacks: importTag appends a tag with only `from`', async () => {
    const dir = tempDir('oc-import-out');
    const from = layout(dir);
    expect((await runCli(['import-image', 'app:1.0', '--from', `${from}:1.0`, '--confirm'], { dir })).code).toBe(0);
    const r = await runCli(['import-image', 'app:multi', '--from', `${from}:multi`, '-o', 'json'], { dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    // The stream as read, in the typed struct's field order (types.go TagEvent, ObjectMeta).
    expect(Object.keys(doc.status.tags[0].items[0])).toEqual([
      'created',
      'dockerImageReference',
      'image',
      'generation',
    ]);
    expect(Object.keys(doc.metadata)).toEqual(['name', 'namespace', 'generation', 'creationTimestamp', 'annotations']);
    const tags = doc.spec.tags;
    expect(tags.map((t: { name: string }) => t.name)).toEqual(['1.0', '']);
    expect(tags[1]).toEqual({
      annotations: null,
      from: { kind: 'DockerImage', name: `${from}:multi` },
      generation: null,
      importPolicy: {},
      name: '',
      referencePolicy: { type: '' },
    });
    // The stored stream has the tag under its name.
    const after = parse(fs.readFileSync(path.join(dir, 'imagestreams/default/app.yaml'), 'utf8'));
    expect(after.spec.tags.map((t: { name: string }) => t.name)).toEqual(['1.0', 'multi']);
  });

  it('a dry run prints the same stream (oc prints it whether or not the import is kept)', async () => {
    const dir = tempDir('oc-import-out');
    const from = layout(dir);
    const r = await runCli(['import-image', 'app', '--all', '--from', from, '--confirm', '--dry-run', '-o', 'yaml'], {
      dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app\nspec:\n' +
        `  dockerImageRepository: ${from}\n  lookupPolicy:\n    local: false\nstatus:\n  dockerImageRepository: ""\n`,
    );
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });
});
