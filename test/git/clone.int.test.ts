/**
 * serve's clone (src/git/clone.ts) over real Git: cloned when missing, lock files of a killed run
 * removed, an unreadable index rebuilt, a clone git cannot open any more cloned again, and a
 * developer's work tree with uncommitted changes refused rather than reset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareClone } from '../../src/git/clone.js';
import { GitError } from '../../src/git/errors.js';
import { gitSandbox, type GitSandbox } from '../helpers/git/git.js';

let sb: GitSandbox;
let bare: string;
let n = 0;
beforeAll(() => {
  sb = gitSandbox();
  bare = sb.bare('served', { 'state/a.yaml': 'a: 1\n' });
});
afterAll(() => sb.cleanup());

const events: string[] = [];
const opts = () => ({ env: sb.env, url: bare, log: (e: string) => void events.push(e) });

describe('prepareClone', () => {
  it('clones into a missing folder and marks the clone as serve’s', async () => {
    const dir = path.join(sb.root, `fresh-${n++}`);
    const c = await prepareClone(dir, opts());
    expect(c.cloned).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'state/a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(sb.git(dir, 'config', 'isctl.serve').trim()).toBe('true');
    expect(await c.tree.branch()).toBe('main');
  });

  it('refuses a clone of someone else that has uncommitted changes; takes a clean one', async () => {
    const dir = sb.clone(bare, `dev-${n++}`);
    sb.write(dir, { 'state/a.yaml': 'a: work in progress\n' });
    const err = await prepareClone(path.join(dir, 'state'), { env: sb.env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toContain('has uncommitted changes (state/a.yaml)');
    expect(fs.readFileSync(path.join(dir, 'state/a.yaml'), 'utf8')).toBe('a: work in progress\n');
    sb.git(dir, 'checkout', '--', '.');
    const c = await prepareClone(path.join(dir, 'state'), { env: sb.env });
    expect(c.cloned).toBe(false);
    expect(c.tree.prefix).toBe('state/');
    expect(sb.git(dir, 'config', 'isctl.serve').trim()).toBe('true');
  });

  it('removes the lock files a killed git left, and rebuilds an unreadable index', async () => {
    const dir = path.join(sb.root, `locked-${n++}`);
    await prepareClone(dir, opts());
    for (const f of ['.git/index.lock', '.git/HEAD.lock', '.git/refs/heads/main.lock', '.git/isctl-index-1-ab'])
      fs.writeFileSync(path.join(dir, f), '');
    expect(sb.tryGit(dir, 'commit', '--allow-empty', '-m', 'x').stderr).toContain('index.lock');
    const c = await prepareClone(dir, opts());
    expect(c.removed.sort()).toEqual([
      '.git/HEAD.lock',
      '.git/index.lock',
      '.git/isctl-index-1-ab',
      '.git/refs/heads/main.lock',
    ]);
    expect(sb.tryGit(dir, 'commit', '--allow-empty', '-m', 'x').code).toBe(0);
    fs.writeFileSync(path.join(dir, '.git/index'), 'DIRC garbage');
    expect(sb.tryGit(dir, 'status').code).not.toBe(0);
    const again = await prepareClone(dir, opts());
    expect(again.cloned).toBe(false);
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
  });

  it('clones again when git cannot open the clone any more', async () => {
    const dir = path.join(sb.root, `damaged-${n++}`);
    await prepareClone(dir, opts());
    fs.rmSync(path.join(dir, '.git/HEAD'));
    const c = await prepareClone(path.join(dir, 'state'), { env: sb.env, log: (e: string) => void events.push(e) });
    expect(c.cloned).toBe(true);
    expect(events).toContain('git-reclone');
    expect(sb.git(dir, 'fsck', '--no-progress').trim()).toBe('');
    expect(fs.readFileSync(path.join(dir, 'state/a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(fs.readdirSync(sb.root).filter((f) => f.includes('.damaged-'))).toEqual([]);
  });
});
