/**
 * `set triggers` edits only the trigger fields it changes: a value it does not change keeps its
 * exact text (flow lists, quotes, comments), as `oc set triggers` only changes what the flags
 * name (openshift/oc pkg/cli/set/triggers.go updateTriggers). `--manual` removes the ConfigChange
 * trigger and flips `automatic`; `--auto` brings both back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../../helpers/index.js';

const DC = `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: quay.io/acme/app:1
  triggers:
  - type: ConfigChange
  - type: "ImageChange"   # follows app:latest
    imageChangeParams:
      automatic: true
      containerNames: [web]
      from: {kind: "ImageStreamTag", name: "app:latest"}
`;

function folder(): string {
  const dir = tempDir('set-triggers-text');
  fs.writeFileSync(path.join(dir, 'web.yaml'), DC);
  return dir;
}
const read = (dir: string) => fs.readFileSync(path.join(dir, 'web.yaml'), 'utf8');

describe('set triggers keeps the text of what it does not change', () => {
  it('--manual: the ConfigChange line goes, automatic flips, containerNames: [web] and the quotes stay as written', async () => {
    const dir = folder();
    const r = await runCli(['set', 'triggers', 'dc/web', '--manual'], { dir });
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir)).toBe(
      DC.replace('  - type: ConfigChange\n', '').replace('      automatic: true\n', '      automatic: false\n'),
    );
  });

  it('--auto afterwards brings both back, still with the quotes and the flow list', async () => {
    const dir = folder();
    expect((await runCli(['set', 'triggers', 'dc/web', '--manual'], { dir })).code).toBe(0);
    const r = await runCli(['set', 'triggers', 'dc/web', '--auto'], { dir });
    expect(r.code, r.stderr).toBe(0);
    expect(read(dir)).toBe(DC);
  });
});
