/**
 * Shell completion as a user meets it: the generated bash script is sourced in a real bash and
 * asked for candidates with COMP_LINE/COMP_WORDS/COMP_CWORD, the fish script is asked through
 * `complete -C`, and the zsh script is syntax-checked with `zsh -n`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shimBin, spawnCli, tempDir } from '../helpers/index.js';

const STREAMS = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: myapp
  namespace: default
spec:
  tags:
  - name: latest
    from: {kind: DockerImage, name: quay.io/acme/myapp:latest}
  - name: stable
    from: {kind: DockerImage, name: quay.io/acme/myapp:1.0}
status:
  dockerImageRepository: ""
  tags:
  - tag: latest
    items:
    - created: "2026-11-22T10:00:00Z"
      dockerImageReference: quay.io/acme/myapp@sha256:${'a'.repeat(64)}
      image: sha256:${'a'.repeat(64)}
      generation: 1
---
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: mydb
  namespace: default
spec: {}
---
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: elsewhere
  namespace: team-b
spec: {}
`;

let bin: string;
let state: string;
let scripts: Record<'bash' | 'zsh' | 'fish', string>;

beforeAll(async () => {
  for (const shell of ['bash', 'zsh', 'fish'])
    if (spawnSync('sh', ['-c', `command -v ${shell}`]).status !== 0)
      throw new Error(`${shell} is missing: test/setup/ensure-tools.sh installs it (npm test runs it)`);
  bin = shimBin();
  state = tempDir();
  fs.writeFileSync(path.join(state, 'streams.yaml'), STREAMS);
  fs.mkdirSync(path.join(state, 'apps'));
  scripts = { bash: '', zsh: '', fish: '' };
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const r = await spawnCli(['completion', shell]).done;
    expect(r.code).toBe(0);
    scripts[shell] = path.join(bin, `isctl.${shell}`);
    fs.writeFileSync(scripts[shell], r.stdout);
  }
});

afterAll(() => {
  fs.rmSync(bin, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

/** What bash offers for `line` (the cursor at its end), through the generated script. */
function bashComplete(line: string, wordbreaks?: string): string[] {
  const program = `
source "$SCRIPT"
${wordbreaks === undefined ? '' : `COMP_WORDBREAKS=${JSON.stringify(wordbreaks)}`}
COMP_LINE="$LINE"; COMP_POINT=\${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" =~ [[:space:]]$ ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
spec=$(complete -p isctl)
fn=\${spec#*-F }; fn=\${fn%% *}
"$fn" isctl "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const r = spawnSync('bash', ['--noprofile', '--norc', '-c', program], {
    cwd: state,
    env: { PATH: `${bin}:${process.env.PATH}`, SCRIPT: scripts.bash, LINE: line, HOME: state },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

/** What fish offers for `line`, through `complete -C`. */
function fishComplete(line: string): string[] {
  const r = spawnSync('fish', ['--no-config', '-c', `source $SCRIPT; complete -C "$LINE"`], {
    cwd: state,
    env: { PATH: `${bin}:${process.env.PATH}`, SCRIPT: scripts.fish, LINE: line, HOME: state },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]);
}

describe('bash completion (real bash, the generated script)', () => {
  it('completes command names', () => {
    expect(bashComplete('isctl re')).toEqual(['refresh']);
    expect(bashComplete('isctl com')).toEqual(['completion']);
    const all = bashComplete('isctl ');
    expect(all).toEqual(expect.arrayContaining(['import-image', 'tag', 'refresh', 'completion', 'graph', 'explain']));
    expect(all).not.toContain('__complete');
  });

  it('completes resource kinds after get and describe', () => {
    expect(bashComplete('isctl get ')).toEqual(expect.arrayContaining(['is', 'istag', 'isimage', 'imagestream']));
    expect(bashComplete('isctl describe ist')).toEqual(['istag']);
  });

  it('completes stream names and istags from the state folder', () => {
    expect(bashComplete('isctl describe is ')).toEqual(['myapp', 'mydb']);
    expect(bashComplete('isctl describe is mya')).toEqual(['myapp']);
    // bash breaks words at ':', so the script offers only the part after it.
    expect(bashComplete('isctl describe istag myapp:')).toEqual(['latest', 'stable']);
    expect(bashComplete('isctl import-image myapp:st')).toEqual(['stable']);
    expect(bashComplete('isctl refresh ')).toEqual(['myapp', 'mydb']);
    expect(bashComplete('isctl get isimage my')).toEqual([`myapp@sha256:${'a'.repeat(64)}`]);
    expect(bashComplete('isctl get isimage myapp@sha')).toEqual([`sha256:${'a'.repeat(64)}`]);
    expect(bashComplete('isctl get isimage myapp@sha256:a')).toEqual(['a'.repeat(64)]);
  });

  it('offers whole words when COMP_WORDBREAKS does not split at ":"', () => {
    expect(bashComplete('isctl describe istag myapp:', ' \t\n"\'><;|&(')).toEqual(['myapp:latest', 'myapp:stable']);
  });

  it('reads names from the namespace and folder typed on the line', () => {
    expect(bashComplete('isctl -n team-b refresh ')).toEqual(['elsewhere']);
    expect(bashComplete('isctl -n ')).toEqual(['default', 'team-b']);
    const other = tempDir();
    try {
      fs.writeFileSync(
        path.join(other, 'x.yaml'),
        'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: zeta}\nspec: {}\n',
      );
      expect(bashComplete(`isctl --dir ${other} import-image `)).toEqual(['zeta']);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it("completes a command's flags, global ones included", () => {
    const flags = bashComplete('isctl import-image --');
    expect(flags).toEqual(
      expect.arrayContaining([
        '--from',
        '--confirm',
        '--all',
        '--scheduled',
        '--insecure',
        '--reference-policy',
        '--import-mode',
        '--dry-run',
        '--dir',
        '--namespace',
        '--output',
      ]),
    );
    expect(bashComplete('isctl import-image --con')).toEqual(['--confirm']);
    expect(bashComplete('isctl refresh --ex')).toEqual(['--exit-code']);
  });

  it('completes flag values', () => {
    expect(bashComplete('isctl import-image --import-mode ')).toEqual(['Legacy', 'PreserveOriginal']);
    expect(bashComplete('isctl import-image --reference-policy=l')).toEqual(['local']);
    expect(bashComplete('isctl get is -o y')).toEqual(['yaml']);
    expect(bashComplete('isctl completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(bashComplete('isctl --dir ap')).toEqual(['apps']);
  });

  it('answers quickly enough to use at a prompt', () => {
    const t = Date.now();
    bashComplete('isctl describe is ');
    expect(Date.now() - t).toBeLessThan(3000);
  });
});

describe('fish completion (real fish, complete -C)', () => {
  it('completes commands, kinds, names and flags', () => {
    expect(fishComplete('isctl re')).toEqual(['refresh']);
    expect(fishComplete('isctl get ')).toEqual(expect.arrayContaining(['is', 'istag', 'isimage']));
    expect(fishComplete('isctl describe istag myapp:')).toEqual(['myapp:latest', 'myapp:stable']);
    expect(fishComplete('isctl import-image --con')).toEqual(['--confirm']);
  });

  it('passes fish -n', () => {
    const r = spawnSync('fish', ['-n', scripts.fish], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

/** What the zsh function hands to compadd for `words` (the cursor on the last one), with compadd stubbed. */
function zshComplete(words: string[]): string[] {
  const program = `
compdef() { :; }
compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; [[ $1 == '' ]] && shift; done; [[ $1 == -- ]] && shift; print -rl -- "$@"; }
source "$SCRIPT"
words=(\${(z)LINE} '')
CURRENT=\${#words}
__isctl_complete
`;
  const r = spawnSync('zsh', ['-f', '-c', program], {
    cwd: state,
    env: { PATH: `${bin}:${process.env.PATH}`, SCRIPT: scripts.zsh, LINE: words.join(' '), HOME: state },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('zsh completion', () => {
  it('hands the candidates to compadd (real zsh, compadd stubbed)', () => {
    expect(zshComplete(['isctl', 'describe', 'is'])).toEqual(['myapp', 'mydb']);
    expect(zshComplete(['isctl', 'get'])).toEqual(expect.arrayContaining(['is', 'istag', 'isimage']));
  });

  it('passes zsh -n and registers with compdef', () => {
    const r = spawnSync('zsh', ['-n', scripts.zsh], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = fs.readFileSync(scripts.zsh, 'utf8');
    expect(text.split('\n')[0]).toBe('#compdef isctl');
    expect(text).toContain('compdef __isctl_complete isctl');
    expect(text).toContain('__complete --');
  });
});

describe('isctl completion', () => {
  it('rejects an unknown shell with a usage error naming the choices', async () => {
    const r = await spawnCli(['completion', 'powershell']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Unsupported shell type "powershell".');
    expect(r.stderr).toContain('bash, zsh, fish');
  });
});
