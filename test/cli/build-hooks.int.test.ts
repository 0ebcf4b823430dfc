/** `--on-build` hooks run as real shell processes: what a hook sees of the build. */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBuildHooks } from '../../src/cli/build-hooks.js';

describe('runBuildHooks', () => {
  it('passes the build only through the environment: object data cannot inject shell code', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isctl-hooks-'));
    try {
      const evil = `x$(touch ${path.join(dir, 'pwned')})\`touch ${path.join(dir, 'pwned2')}\``;
      const results = await runBuildHooks(
        [
          {
            namespace: 'ns',
            name: evil,
            file: 'apps/bc.yaml',
            image: 'quay.io/a/b@sha256:1',
            trigger: 'ns/b:latest',
            version: 4,
          },
        ],
        'printf "%s\\n%s\\n%s\\n%s\\n%s\\n" "$ISCTL_BUILD_NAME" "$ISCTL_BUILD_NAMESPACE" ' +
          '"$ISCTL_BUILD_IMAGE" "$ISCTL_BUILD_FILE" "$ISCTL_BUILD_VERSION"; exit 3',
        { PATH: process.env.PATH },
        { stateDir: '/state' },
      );
      expect(results[0]!.exitCode).toBe(3);
      expect(results[0]!.stdout).toBe(`${evil}\nns\nquay.io/a/b@sha256:1\n/state/apps/bc.yaml\n4\n`);
      expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'pwned2'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
