/**
 * An object without metadata.namespace belongs to exactly one namespace, the same for every
 * command: the nearest kustomization.yaml `namespace:` above its file (what `kubectl apply -k`
 * gives it; sigs.k8s.io/kustomize api/internal/konfig RecognizedKustomizationFileNames), else the
 * folder's project (`isctl project`, as `oc project` sets the namespace later commands use:
 * openshift/oc pkg/cli/project/project.go), else `default`. `-n` only selects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/index.js';

const STREAM = (name: string, ns?: string) => `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ''}spec:
  tags:
  - name: latest
    from: {kind: DockerImage, name: quay.io/acme/${name}:latest}
`;

function folder(files: Record<string, string>): string {
  const dir = tempDir('namespaces');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
/** NAMESPACE/NAME of each row of `get is -A`, NAME of each row of `get is`. */
const names = (stdout: string) => {
  const [header = '', ...rows] = stdout.trim().split('\n');
  const width = header.startsWith('NAMESPACE') ? 2 : 1;
  return rows.map((l) => l.split(/\s+/).slice(0, width).join('/'));
};

describe('the namespace of an object without metadata.namespace', () => {
  it('is the same for -A, -n and delete: `-n scratch delete is --all` leaves the stream `get is -A` lists under default', async () => {
    const dir = folder({ 'app.yaml': STREAM('app'), 'team.yaml': STREAM('web', 'team') });
    expect(names((await runCli(['get', 'is', '-A'], { dir })).stdout)).toEqual(['default/app', 'team/web']);
    const del = await runCli(['-n', 'scratch', 'delete', 'is', '--all'], { dir });
    // k8s.io/kubectl pkg/cmd/delete/delete.go DeleteResult prints this on stdout, naming no namespace.
    expect(del.stdout).toBe('No resources found\n');
    expect(del.stderr).toBe('');
    expect(read(dir, 'app.yaml')).toBe(STREAM('app'));
    expect((await runCli(['-n', 'scratch', 'get', 'is', 'app'], { dir })).code).toBe(1);
    expect(names((await runCli(['get', 'is', '-A'], { dir })).stdout)).toEqual(['default/app', 'team/web']);
  });

  it('is the namespace of the nearest kustomization.yaml above its file, for reads, -A, writes and deletes', async () => {
    const dir = folder({
      'app.yaml': STREAM('app'),
      'prod/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: prod\nresources: [streams/app.yaml]\n',
      'prod/streams/app.yaml': STREAM('app'),
      'prod/streams/other/kustomization.yml': 'resources: [web.yaml]\n',
      'prod/streams/other/web.yaml': STREAM('web'),
    });
    expect(names((await runCli(['get', 'is', '-A'], { dir })).stdout)).toEqual(['default/app', 'prod/app', 'prod/web']);
    expect(names((await runCli(['get', 'is'], { dir })).stdout)).toEqual(['app']);
    const tag = await runCli(['-n', 'prod', 'tag', '--reference', 'quay.io/acme/app:2', 'app:2'], { dir });
    expect(tag.code, tag.stderr).toBe(0);
    expect(read(dir, 'prod/streams/app.yaml')).toContain('quay.io/acme/app:2');
    expect(read(dir, 'app.yaml')).toBe(STREAM('app'));
    const del = await runCli(['-n', 'prod', 'delete', 'is', 'web'], { dir });
    expect(del.stdout).toBe('imagestream.image.openshift.io "web" deleted\n');
    expect(fs.existsSync(path.join(dir, 'prod/streams/other/web.yaml'))).toBe(false);
  });

  it('is the project `isctl project NAME` sets (kept in .isctl/config.yaml); -n defaults to it', async () => {
    const dir = folder({ 'app.yaml': STREAM('app') });
    expect((await runCli(['project'], { dir })).stdout).toBe(
      `Using project "default" in "${dir}" (the default: no project set).\n`,
    );
    const set = await runCli(['project', 'team'], { dir });
    expect(set).toEqual({ code: 0, stdout: `Now using project "team" in "${dir}".\n`, stderr: '' });
    expect(read(dir, '.isctl/config.yaml')).toMatch(/^namespace: team$/m);
    expect((await runCli(['project', '-q'], { dir })).stdout).toBe('team\n');
    expect(names((await runCli(['get', 'is', '-A'], { dir })).stdout)).toEqual(['team/app']);
    expect((await runCli(['get', 'is', 'app', '-o', 'name'], { dir })).stdout).toBe(
      'imagestream.image.openshift.io/app\n',
    );
    expect((await runCli(['-n', 'default', 'get', 'is'], { dir })).stderr).toBe(
      'No resources found in default namespace.\n',
    );
    // A stream created now lands in the project, with its namespace written down.
    expect((await runCli(['create', 'imagestream', 'db'], { dir })).code).toBe(0);
    expect(read(dir, 'imagestreams/team/db.yaml')).toMatch(/^ {2}namespace: team$/m);
    expect((await runCli(['project', 'team'], { dir })).stdout).toBe(`Already on project "team" in "${dir}".\n`);
  });

  it('`isctl project` refuses an invalid name and a folder whose top kustomization.yaml names the namespace', async () => {
    const dir = folder({ 'kustomization.yaml': 'namespace: shop\n', 'app.yaml': STREAM('app') });
    expect((await runCli(['project'], { dir })).stdout).toBe(
      `Using project "shop" in "${dir}" (set by kustomization.yaml).\n`,
    );
    expect(names((await runCli(['get', 'is'], { dir })).stdout)).toEqual(['app']);
    const other = await runCli(['project', 'team'], { dir });
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(
      'error: kustomization.yaml sets namespace "shop" for the whole state folder\nhint: change "namespace:" in kustomization.yaml instead\n',
    );
    const bad = await runCli(['project', 'Team_1'], { dir: folder({}) });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: invalid project name "Team_1": /);
    expect(fs.existsSync(path.join(dir, '.isctl/config.yaml'))).toBe(false);
  });
});
