/** Commit messages of --commit: what moved, old → new digest, and the workloads rolled out. */
import { describe, expect, it } from 'vitest';
import { defaultCommitMessage, templateCommitMessage } from '../../src/output/commit-message.js';

const OLD = `sha256:${'a'.repeat(64)}`;
const NEW = `sha256:${'b'.repeat(64)}`;

describe('defaultCommitMessage', () => {
  it('one tag: the subject names it; the body has both digests in full', () => {
    const msg = defaultCommitMessage(
      {
        command: 'refresh',
        tags: [{ namespace: 'team', stream: 'app', tag: '1.0', oldDigest: OLD, newDigest: NEW }],
        workloads: [],
      },
      ['app.yaml'],
    );
    expect(msg).toBe(`isctl refresh: team/app:1.0 → sha256:bbbbbbbbbbbb\n\nteam/app:1.0 ${OLD} → ${NEW}\n`);
  });

  it('several tags and workloads: counted in the subject, every one listed', () => {
    const msg = defaultCommitMessage(
      {
        command: 'import-image',
        tags: [
          { namespace: 'team', stream: 'app', tag: '1.0', oldDigest: OLD, newDigest: NEW },
          { namespace: 'team', stream: 'app', tag: '2.0', newDigest: NEW },
        ],
        workloads: [
          { kind: 'DeploymentConfig', namespace: 'team', name: 'web', latestVersion: 4, images: [`web=r/app@${NEW}`] },
          { kind: 'Deployment', namespace: 'team', name: 'api', images: [`api=r/app@${NEW}`] },
        ],
      },
      ['app.yaml', 'web.yaml'],
    );
    expect(msg.split('\n')).toEqual([
      'isctl import-image: 2 image tags moved, 2 workloads rolled out',
      '',
      `team/app:1.0 ${OLD} → ${NEW}`,
      `team/app:2.0 (none) → ${NEW}`,
      `deploymentconfig team/web rollout 4: web=r/app@${NEW}`,
      `deployment team/api: api=r/app@${NEW}`,
      '',
    ]);
  });

  it('a rollout alone names the workload', () => {
    const msg = defaultCommitMessage(
      {
        command: 'rollout latest',
        tags: [],
        workloads: [{ kind: 'DeploymentConfig', namespace: 'default', name: 'web', latestVersion: 2, images: [] }],
      },
      ['dc.yaml'],
    );
    expect(msg).toBe(
      'isctl rollout latest: deploymentconfig default/web rolled out\n\ndeploymentconfig default/web rollout 2\n',
    );
  });

  it('a change with no tag or workload (a recorded import failure) lists its files', () => {
    const msg = defaultCommitMessage({ command: 'refresh', tags: [], workloads: [] }, ['a.yaml']);
    expect(msg).toBe('isctl refresh: 1 file updated\n\na.yaml updated\n');
  });
});

describe('templateCommitMessage', () => {
  it('renders a kubectl JSONPath template over the -o json document', () => {
    const data = {
      changed: true,
      outcomes: [
        { stream: 'app', tag: '1.0', status: 'changed', newDigest: NEW },
        { stream: 'db', tag: '5', status: 'unchanged', newDigest: OLD },
      ],
    };
    expect(
      templateCommitMessage(
        'chore(images): bump{"\\n\\n"}{range .outcomes[?(@.status=="changed")]}{.stream}:{.tag} {.newDigest}{"\\n"}{end}',
        data,
      ),
    ).toBe(`chore(images): bump\n\napp:1.0 ${NEW}\n`);
  });
});
