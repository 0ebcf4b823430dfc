/**
 * A namespace that is not a DNS-1123 label (`-n Bad_NS`): kubectl does not check the flag
 * (client-go rest Request.Namespace only refuses what IsValidPathSegmentName refuses), so reads go
 * to the server: a listing finds nothing, a named read through the resource builder ends in the
 * NotFound of the namespace, and a write is answered by NamespaceLifecycle admission
 * (k8s.io/apiserver pkg/admission/plugin/namespace/lifecycle/admission.go Admit) with the NotFound of
 * the namespace, before the server validates or imports anything: openshift/oc
 * pkg/cli/tag/tag.go Run (ImageStreamTags Update, then Create) and
 * pkg/cli/importimage/importimage.go Run (ImageStreamImports Create) return that error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, runCli, tempDir } from '../helpers/index.js';

const notFound = 'Error from server (NotFound): namespaces "Bad_NS" not found\n';

/** Runs `isctl -n Bad_NS ARGV` in `dir` and checks all it shows: the exit code, stdout and stderr (empty unless given). */
async function expectInBadNs(
  dir: string,
  argv: string[],
  want: { code: number; stdout?: string; stderr?: string },
): Promise<void> {
  expect(await runCli(['-n', 'Bad_NS', ...argv], { dir })).toEqual({ stdout: '', stderr: '', ...want });
}

function folder(): { dir: string; from: string } {
  const dir = tempDir('oc-ns');
  fs.cpSync(EXAMPLE_LAYOUT, path.join(dir, 'hello-oci'), { recursive: true });
  return { dir, from: 'oci:./hello-oci' };
}

describe('reads in a namespace that cannot exist (no client-side check)', () => {
  it('get is: "No resources found in Bad_NS namespace.", exit 0', async () => {
    const { dir } = folder();
    await expectInBadNs(dir, ['get', 'is'], { code: 0, stderr: 'No resources found in Bad_NS namespace.\n' });
  });

  it('a named read through the resource builder is the NotFound of the namespace (Info.Get asks for it)', async () => {
    // k8s.io/cli-runtime pkg/resource/visitor.go Info.Get: after a NotFound in a namespace other
    // than default it gets the namespace, and returns that NotFound when the namespace is missing
    // too. kubectl get/describe NAME (RetrieveLazy), oc set image-lookup, oc rollout latest and
    // oc set triggers read their objects that way; describe.go's DescribeMatchingResources then
    // finds no prefix match and returns the same error.
    const { dir } = folder();
    fs.writeFileSync(
      path.join(dir, 'dc.yaml'),
      'apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata:\n  name: app\n',
    );
    for (const argv of [
      ['get', 'is', 'app'],
      ['get', 'istag', 'app:1', '-o', 'yaml'],
      ['describe', 'is', 'app'],
      ['set', 'image-lookup', 'app'],
      ['rollout', 'latest', 'dc/app'],
      ['set', 'triggers', 'dc/app'],
    ]) {
      await expectInBadNs(dir, argv, { code: 1, stderr: notFound });
    }
    // One error per name, as StandardErrorMessage prints each in the aggregate.
    await expectInBadNs(dir, ['get', 'is', 'a', 'b'], { code: 1, stderr: notFound.repeat(2) });
  });

  it('delete is NAME sends no Get (RequireObject(false)): the DELETE is the NotFound of the stream', async () => {
    // k8s.io/kubectl pkg/cmd/delete/delete.go Complete: RequireObject(false), so no Info.Get; NamespaceLifecycle
    // admits every delete, and the store answers NotFound for the object.
    const { dir } = folder();
    await expectInBadNs(dir, ['delete', 'is', 'app'], {
      code: 1,
      stderr: 'Error from server (NotFound): imagestreams.image.openshift.io "app" not found\n',
    });
  });
});

describe('deletes there find nothing too (NamespaceLifecycle admits every delete)', () => {
  it('delete is --all: the list is empty, so kubectl delete DeleteResult prints "No resources found" on stdout, exit 0', async () => {
    // k8s.io/kubectl pkg/cmd/delete/delete.go DeleteResult: `if found == 0 { fmt.Fprintf(o.Out, "No resources found\n") }`.
    const { dir } = folder();
    await expectInBadNs(dir, ['delete', 'is', '--all'], { code: 0, stdout: 'No resources found\n' });
  });
});

describe('writes into it are the namespace NotFound, and nothing is written or imported', () => {
  it('create imagestream app -n Bad_NS: the Create is answered by admission, not validation', async () => {
    // openshift/oc pkg/cli/create/imagestream.go Run: ImageStreams(namespace).Create.
    const { dir } = folder();
    await expectInBadNs(dir, ['create', 'imagestream', 'app'], { code: 1, stderr: notFound });
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });

  it('apply -f FILE -n Bad_NS: the Get finds nothing, the Create is the NotFound, wrapped with the file', async () => {
    // k8s.io/kubectl pkg/cmd/apply/apply.go applyOneObject: info.Get() is NotFound, so the object is
    // created; the Create's error goes through cmdutil.AddSourceToErr("creating", info.Source, err),
    // which puts `error when creating "FILE": ` before the status message.
    const { dir } = folder();
    const manifest = path.join(tempDir('oc-ns-manifest'), 'app.yaml');
    fs.writeFileSync(manifest, 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app\n');
    expect(await runCli(['apply', '-f', manifest, '-n', 'Bad_NS'], { dir })).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error from server (NotFound): error when creating ${JSON.stringify(manifest)}: namespaces "Bad_NS" not found\n`,
    });
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });

  it('tag SOURCE app:1 -n Bad_NS', async () => {
    const { dir, from } = folder();
    const r = await runCli(['-n', 'Bad_NS', 'tag', `${from}:1.0`, 'app:1'], { dir });
    expect(r).toEqual({ code: 1, stdout: '', stderr: notFound });
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });

  it('tag SOURCE ok:1 Bad_NS/app:1: the first destination is set, the second is the NotFound', async () => {
    const { dir, from } = folder();
    const r = await runCli(['tag', `${from}:1.0`, 'ok:1', 'Bad_NS/app:1'], { dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Tag ok:1 set to /);
    expect(r.stderr).toBe(notFound);
    expect(fs.readdirSync(path.join(dir, 'imagestreams'))).toEqual(['default']);
  });

  it('a namespace that cannot be a URL path segment is refused by the client, as client-go Request.Namespace does', async () => {
    // k8s.io/client-go rest/request.go Namespace: IsValidPathSegmentName, `invalid namespace %q: %v`.
    const { dir, from } = folder();
    const dotdot = await runCli(['tag', `${from}:1.0`, '../evil:1'], { dir });
    expect(dotdot).toEqual({ code: 1, stdout: '', stderr: `error: invalid namespace "..": [may not be '..']\n` });
    const pct = await runCli(['-n', 'a%b', 'import-image', 'app', `--from=${from}:1.0`, '--confirm'], { dir });
    expect(pct).toEqual({ code: 1, stdout: '', stderr: `error: invalid namespace "a%b": [may not contain '%']\n` });
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });

  it('import-image app --from SOURCE --confirm -n Bad_NS (also --all and --dry-run)', async () => {
    const { dir, from } = folder();
    for (const extra of [
      ['--from', `${from}:1.0`],
      ['--all', '--from', from, '--dry-run'],
    ]) {
      const r = await runCli(['-n', 'Bad_NS', 'import-image', 'app', ...extra, '--confirm'], { dir });
      expect(r).toEqual({ code: 1, stdout: '', stderr: notFound });
    }
    expect(fs.existsSync(path.join(dir, 'imagestreams'))).toBe(false);
  });

  it('import-image without --confirm: the Get found no stream, so oc asks for --confirm first', async () => {
    const { dir, from } = folder();
    const r = await runCli(['-n', 'Bad_NS', 'import-image', 'app', '--from', `${from}:1.0`], { dir });
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no image stream named "app" exists, pass --confirm to create and import\n',
    });
  });
});

describe('an empty -n is no -n', () => {
  // k8s.io/client-go tools/clientcmd/client_config.go DirectClientConfig.Namespace: only a non-empty
  // override is taken (and only that one is explicit); otherwise the context's namespace is used.
  const stream = (name: string, ns?: string) =>
    `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}`;

  it('get is -n "", --namespace= and ISCTL_NAMESPACE="" work in the folder\'s namespace', async () => {
    const { dir } = folder();
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream('app'));
    const names = { code: 0, stdout: 'imagestream.image.openshift.io/app\n', stderr: '' };
    expect(await runCli(['get', 'is', '-o', 'name', '-n', ''], { dir })).toEqual(names);
    expect(await runCli(['get', 'is', '-o', 'name', '--namespace='], { dir })).toEqual(names);
    expect(await runCli(['get', 'is', '-o', 'name'], { dir, env: { ISCTL_NAMESPACE: '' } })).toEqual(names);
  });

  it('apply -n "": not an explicit namespace, so an object naming its own is not refused', async () => {
    const { dir } = folder();
    const manifest = path.join(tempDir('oc-ns-manifest'), 'web.yaml');
    fs.writeFileSync(manifest, stream('web', 'team'));
    expect(await runCli(['apply', '-f', manifest, '-n', ''], { dir })).toEqual({
      code: 0,
      stdout: 'imagestream.image.openshift.io/web created\n',
      stderr: '',
    });
  });
});
