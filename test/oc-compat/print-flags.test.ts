/**
 * The `-o` of commands whose printer is k8s.io/cli-runtime pkg/genericclioptions PrintFlags
 * (NewPrintFlags): openshift/oc pkg/cli/importimage/importimage.go (NewPrintFlags("imported")) and
 * pkg/cli/create/create.go (NewCreateSubcommandOptions, NewPrintFlags("created")). PrintFlags
 * composes the JSON/YAML, name and template printers only: there is no table, so no `wide`, and
 * ToPrinter answers NoCompatiblePrinterError, `unable to match a printer suitable for the output
 * format "wide", allowed formats are: …`, which checkErr prints with `error: ` (exit 1). oc lists
 * its go-template printers too; isctl names the formats it has (json, jsonpath, name, yaml).
 * importimage.go asks for the printer only after the import was posted; isctl refuses the flag
 * before anything is imported or written, so a typo never leaves a half-wanted import behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, runCli, tempDir } from '../helpers/index.js';

const refused = (format: string) =>
  `error: unable to match a printer suitable for the output format "${format}", allowed formats are: json, jsonpath, name, yaml\n`;

function folder(): string {
  const dir = tempDir('oc-print-flags');
  fs.cpSync(EXAMPLE_LAYOUT, path.join(dir, 'hello-oci'), { recursive: true });
  return dir;
}

describe('import-image -o', () => {
  it('-o wide is refused before anything is imported: no stream file, exit 1', async () => {
    const dir = folder();
    const r = await runCli(['import-image', 'app:1.0', '--from', 'oci:./hello-oci:1.0', '--confirm', '-o', 'wide'], {
      dir,
    });
    expect(r).toEqual({ code: 1, stdout: '', stderr: refused('wide') });
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });

  it('-o name is the name printer: the stream as RESOURCE/NAME', async () => {
    const dir = folder();
    const r = await runCli(['import-image', 'app:1.0', '--from', 'oci:./hello-oci:1.0', '--confirm', '-o', 'name'], {
      dir,
    });
    expect(r).toEqual({ code: 0, stdout: 'imagestream.image.openshift.io/app\n', stderr: '' });
  });
});

describe('create imagestream -o', () => {
  it('-o wide is refused in Complete, before the Create: nothing written, exit 1', async () => {
    const dir = folder();
    expect(await runCli(['create', 'imagestream', 'app', '-o', 'wide'], { dir })).toEqual({
      code: 1,
      stdout: '',
      stderr: refused('wide'),
    });
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });

  it('-o jsonpath=… prints the created stream through the template (KubeTemplatePrintFlags)', async () => {
    const dir = folder();
    const r = await runCli(['create', 'imagestream', 'app', '-o', 'jsonpath={.kind}/{.metadata.name}'], { dir });
    expect(r).toEqual({ code: 0, stdout: 'ImageStream/app', stderr: '' });
  });
});

describe('delete -o: only name (k8s.io/kubectl pkg/cmd/delete/delete.go)', () => {
  const stream = (name: string) =>
    `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\nspec:\n  tags:\n  - name: "1"\n`;

  it('-o wide is refused by Validate, before anything is deleted', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream('app'));
    expect(await runCli(['delete', 'is', 'app', '-o', 'wide'], { dir })).toEqual({
      code: 1,
      stdout: '',
      stderr: "error: unexpected -o output mode: wide. We only support '-o name'\n",
    });
    expect(fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8')).toBe(stream('app'));
  });

  it('-o name prints RESOURCE/NAME for each deleted object (PrintObj), also on a dry run', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream('app'));
    expect(await runCli(['delete', 'istag', 'app:1', '-o', 'name', '--dry-run'], { dir })).toEqual({
      code: 0,
      stdout: 'imagestreamtag.image.openshift.io/app:1\n',
      stderr: '',
    });
    expect(await runCli(['delete', 'is', 'app', '-o', 'name'], { dir })).toEqual({
      code: 0,
      stdout: 'imagestream.image.openshift.io/app\n',
      stderr: '',
    });
    expect(fs.existsSync(path.join(dir, 'app.yaml'))).toBe(false);
  });
});
