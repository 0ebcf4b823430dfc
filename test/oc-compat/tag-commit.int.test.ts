/**
 * `tag --commit` with several destinations. oc tag (openshift/oc pkg/cli/tag/tag.go Run) sets the
 * destinations in turn and stops at the first that fails; with isctl's --commit a run stopped half
 * way would leave changed files nobody commits, so every destination's form is checked first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, testClock } from '../helpers/index.js';
import { gitSandbox } from '../helpers/git/git.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const SRC = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: src
  namespace: default
spec:
  tags:
  - name: "1"
    from:
      kind: DockerImage
      name: quay.io/team/src:1
status:
  tags:
  - tag: "1"
    items:
    - created: "2025-01-01T00:00:00Z"
      dockerImageReference: quay.io/team/src@${D1}
      image: ${D1}
      generation: 1
`;

const sb = gitSandbox('isctl-tag-commit-');
afterAll(() => fs.rmSync(sb.root, { recursive: true, force: true }));

describe('tag --commit with a later destination that Run would refuse', () => {
  it('writes nothing and commits nothing: the destinations are checked before the first is set', async () => {
    const repo = path.join(sb.root, 'state');
    sb.git(sb.root, 'init', '--quiet', '-b', 'main', repo);
    sb.write(repo, { 'imagestreams/default/src.yaml': SRC });
    sb.git(repo, 'add', '-A');
    sb.git(repo, 'commit', '--quiet', '-m', 'initial state');
    const head = sb.git(repo, 'rev-parse', 'HEAD');
    const r = await runCli(['--dir', repo, 'tag', '--commit', 'src:1', 'a:1', 't'], {
      env: sb.env,
      clock: testClock(),
    });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: "t" must be of the form <stream_name>:<tag>\n' });
    expect(sb.git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(sb.git(repo, 'status', '--porcelain')).toBe('');
  });
});
