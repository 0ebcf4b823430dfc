/**
 * A namespace that cannot be one segment of a URL path (`-n ..`, `-n .`, `-n a/b`, `-n a%b`) never
 * reaches the server: k8s.io/client-go rest/request.go `Request.Namespace` refuses it
 * (k8s.io/apimachinery pkg/api/validation/path IsValidPathSegmentName) and every request built on it
 * returns `invalid namespace %q: %v` before it is sent. A plain error, so kubectl's checkErr
 * (k8s.io/kubectl pkg/cmd/util/helpers.go) prints it with `error: ` and exits 1 (DefaultErrorExitCode).
 * Whatever the command, nothing is read or written: the folder is left byte for byte as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, folderContents, ROOT, runCli, tempDir } from '../helpers/index.js';

const invalid = (ns: string, why: string) => `error: invalid namespace ${JSON.stringify(ns)}: [${why}]\n`;
const DOTDOT = invalid('..', "may not be '..'");

/** examples/state (ImageStream hello with tag 1.0, DeploymentConfig hello) and the OCI layout beside it. */
function folder(): string {
  const dir = tempDir('oc-ns-segment');
  fs.cpSync(path.join(ROOT, 'examples', 'state'), path.join(dir, 'state'), { recursive: true });
  fs.cpSync(EXAMPLE_LAYOUT, path.join(dir, 'hello-oci'), { recursive: true });
  return path.join(dir, 'state');
}

/** Every file below `dir` (relative path → content), hidden folders included. */
const files = (dir: string) => folderContents(dir);

/** Each run is refused with `stderr` (exit 1, nothing on stdout), and the folder is left byte for byte. */
async function expectRefused(dir: string, runs: string[][], stderr = DOTDOT): Promise<void> {
  const before = files(dir);
  for (const argv of runs) expect(await runCli(argv, { dir })).toEqual({ code: 1, stdout: '', stderr });
  expect(files(dir)).toEqual(before);
}

describe('every command that sends -n to the server refuses a namespace that is not a path segment', () => {
  // kubectl get/describe/delete (resource.Builder → Helper.Get/List/Delete), oc create imagestream,
  // oc set image-lookup, oc rollout latest, oc set triggers: each request is built with
  // NamespaceIfScoped(namespace, true), so the first request fails. refresh, lint and graph read
  // the namespace as `get` does. import-image: importimage.go createImageImport's ImageStreams Get
  // fails before the --confirm check. One error reaches checkErr (a single name, or a listing the
  // command returns as the builder hands it over), so it is printed with `error: `.
  it.each([
    [['get', 'is', '-o', 'name']],
    [['get', 'is', '-o', 'yaml']],
    [['get', 'is', 'hello']],
    [['get', 'is', 'hello', '-o', 'yaml']],
    [['get', 'istag', 'hello:1.0']],
    [['describe', 'is', 'hello']],
    [['delete', 'is', 'hello']],
    [['delete', 'is', '--all']],
    [['delete', 'istag', 'hello:1.0']],
    [['create', 'imagestream', 'foo']],
    [['set', 'image-lookup', 'hello']],
    [['rollout', 'latest', 'dc/hello']],
    [['set', 'triggers', 'dc/hello']],
    [['refresh']],
    [['refresh', 'hello', '--dry-run']],
    [['lint']],
    [['graph']],
    [['import-image', 'hello']],
  ])('%j -n ..: error: invalid namespace "..", exit 1, nothing written', async (argv) => {
    await expectRefused(folder(), [['-n', '..', ...argv]]);
  });

  // checkErr unwraps one aggregate of a single error; an aggregate left after that is printed by
  // MultipleErrors, one error per line and without `error: `. get's table path (get.go Run) and
  // describe (describe.go Run) put the builder's error into allErrs and return
  // utilerrors.NewAggregate(allErrs); for a listing the builder's error is already an aggregate
  // (EagerVisitorList over the Selector visitors, cli-runtime pkg/resource/builder.go
  // visitBySelector), so one level remains. With several names ContinueOnErrorVisitor aggregates
  // one error per name (get, describe, delete alike).
  const bare = `invalid namespace "..": [may not be '..']\n`;
  it.each([
    [['get', 'is'], bare],
    [['get', 'istag', '-o', 'wide'], bare],
    [['describe', 'is'], bare],
    [['get', 'is', 'a', 'b'], bare.repeat(2)],
    [['get', 'is', 'a', 'b', '-o', 'json'], bare.repeat(2)],
    [['describe', 'is', 'a', 'b', 'c'], bare.repeat(3)],
    [['delete', 'is', 'a', 'b'], bare.repeat(2)],
  ])('%j -n ..: the aggregate checkErr prints without `error: `', async (argv, stderr) => {
    await expectRefused(folder(), [['-n', '..', ...argv]], stderr);
  });

  it('names every problem IsValidPathSegmentName finds, as Go prints a []string', async () => {
    const dir = folder();
    for (const [ns, why] of [
      ['.', "may not be '.'"],
      ['a/b', "may not contain '/'"],
      ['a%b', "may not contain '%'"],
      ['a/%', "may not contain '/' may not contain '%'"],
    ]) {
      expect(await runCli(['describe', 'is', 'hello', '-n', ns], { dir })).toEqual({
        code: 1,
        stdout: '',
        stderr: invalid(ns, why),
      });
    }
  });

  it('ISCTL_NAMESPACE is the namespace of the command like -n, and is refused the same way', async () => {
    const dir = folder();
    expect(await runCli(['describe', 'is', 'hello'], { dir, env: { ISCTL_NAMESPACE: '..' } })).toEqual({
      code: 1,
      stdout: '',
      stderr: DOTDOT,
    });
  });

  it('-A sends no namespace (the builder lists across all of them), so -n is not looked at', async () => {
    const dir = folder();
    const r = await runCli(['get', 'is', '-A', '-n', '..', '-o', 'name'], { dir });
    expect(r).toEqual({ code: 0, stdout: 'imagestream.image.openshift.io/hello\n', stderr: '' });
  });

  it('apply: the Get of each object fails, wrapped by kubectl apply as "error when retrieving current configuration"', async () => {
    // k8s.io/kubectl pkg/cmd/apply/apply.go applyOneObject: info.Get() fails with something other than
    // NotFound, so cmdutil.AddSourceToErr("retrieving current configuration of:\n" + info.String() +
    // "\nfrom server for:", info.Source, err); Info.String (cli-runtime pkg/resource/visitor.go) names
    // the mapping (GroupVersionResource and GroupVersionKind String) and the name and namespace.
    const dir = folder();
    const before = files(dir);
    const r = await runCli(['apply', '-f', 'hello.yaml', '-n', '..'], { dir });
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: error when retrieving current configuration of:\n' +
        'Resource: "image.openshift.io/v1, Resource=imagestreams", GroupVersionKind: "image.openshift.io/v1, Kind=ImageStream"\n' +
        'Name: "hello", Namespace: ".."\n' +
        `from server for: "hello.yaml": invalid namespace "..": [may not be '..']\n`,
    });
    // An object naming its own namespace is sent there: from stdin, the source is STDIN.
    const doc = 'apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata:\n  name: web\n  namespace: a%b\n';
    const { Readable } = await import('node:stream');
    const s = await runCli(['apply', '-f', '-'], { dir, stdin: Readable.from([doc]) });
    expect(s).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: error when retrieving current configuration of:\n' +
        'Resource: "apps.openshift.io/v1, Resource=deploymentconfigs", GroupVersionKind: "apps.openshift.io/v1, Kind=DeploymentConfig"\n' +
        'Name: "web", Namespace: "a%b"\n' +
        `from server for: "STDIN": invalid namespace "a%b": [may not contain '%']\n`,
    });
    expect(files(dir)).toEqual(before);
  });
});

describe('tag: only the namespaces tag.go sends a request to are checked', () => {
  it('tag -d: the ImageStreamTags Delete of the destination is refused, whether -n or NAMESPACE/ names it', async () => {
    // openshift/oc pkg/cli/tag/tag.go Run: ImageStreamTags(o.destNamespace[i]).Delete.
    await expectRefused(folder(), [
      ['-n', '..', 'tag', '-d', 'hello:1.0'],
      ['tag', '-d', '../hello:1.0'],
    ]);
  });

  it('an ImageStreamTag source is read in -n (Complete: ImageStreams(srcNamespace).Get), so it is refused', async () => {
    await expectRefused(folder(), [['-n', '..', 'tag', 'hello:1.0', 'app:1']]);
  });

  it('a pull spec tagged into NAMESPACE/STREAM:TAG never sends -n, so -n .. does not matter', async () => {
    const dir = folder();
    const r = await runCli(['-n', '..', 'tag', 'oci:../hello-oci:1.0', 'other/app:1'], { dir });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Tag other/app:1 set to oci:../hello-oci:1.0.');
    expect(r.code).toBe(0);
  });
});
