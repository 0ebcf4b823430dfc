/**
 * The shell scripts printed by `isctl completion bash|zsh|fish`. Each is a thin shim that calls
 * back into `isctl __complete -- WORDS…` (as cobra-generated `oc completion` scripts call
 * `oc __complete`), so commands, flags and state-folder names are never hard-coded in the script.
 * Protocol: one candidate a line, then `:N` — 0 default, 1 complete files, 2 directories,
 * 3 do not add a space.
 */

/** Shells `isctl completion` supports. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** A supported shell name. */
export type Shell = (typeof SHELLS)[number];

/** The completion script for `shell`, completing the command `prog`. */
export function completionScript(shell: Shell, prog = 'isctl'): string {
  const fn = `__${prog.replace(/[^A-Za-z0-9_]/g, '_')}`;
  if (shell === 'bash') return bashScript(prog, fn);
  if (shell === 'zsh') return zshScript(prog, fn);
  return fishScript(prog, fn);
}

function bashScript(prog: string, fn: string): string {
  return `# bash completion for ${prog}
#
# Load it in the current shell:     source <(${prog} completion bash)
# Load it for every new shell:      ${prog} completion bash > ~/.local/share/bash-completion/completions/${prog}

${fn}_complete() {
    # Re-split the line ourselves: COMP_WORDS breaks words at ':' and '=' (COMP_WORDBREAKS),
    # which would cut "stream:tag" and "--output=json" in pieces.
    local line="\${COMP_LINE:0:COMP_POINT}"
    local -a words
    read -ra words <<< "$line"
    if [[ -z "$line" || "$line" =~ [[:space:]]$ ]]; then words+=(""); fi
    local cur="\${words[\${#words[@]}-1]}"
    local out
    out=$("\${words[0]}" __complete -- "\${words[@]:1}" 2>/dev/null) || return 0
    local -a lines
    mapfile -t lines <<< "$out"
    local last="\${lines[\${#lines[@]}-1]}" directive=0
    if [[ "$last" == :* ]]; then
        directive="\${last#:}"
        unset 'lines[\${#lines[@]}-1]'
    fi
    COMPREPLY=()
    case "$directive" in
        1) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
        2) compopt -o dirnames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return 0 ;;
        3) compopt -o nospace 2>/dev/null ;;
    esac
    local c
    for c in "\${lines[@]}"; do
        [[ -n "$c" && "$c" == "$cur"* ]] && COMPREPLY+=("$c")
    done
    # bash replaces only the text after the last word-break character (':', '=' and '@' by
    # default, see COMP_WORDBREAKS); drop the part it keeps from every candidate.
    local breaks="" ch
    for ch in : = @; do [[ "$COMP_WORDBREAKS" == *"$ch"* ]] && breaks+="$ch"; done
    if [[ -n "$breaks" && "$cur" == *["$breaks"]* ]]; then
        local keep="\${cur%"\${cur##*["$breaks"]}"}"
        COMPREPLY=("\${COMPREPLY[@]#"$keep"}")
    fi
    return 0
}
complete -F ${fn}_complete ${prog}
`;
}

function zshScript(prog: string, fn: string): string {
  return `#compdef ${prog}
# zsh completion for ${prog}
#
# Load it in the current shell:     source <(${prog} completion zsh)
# Load it for every new shell:      ${prog} completion zsh > "\${fpath[1]}/_${prog}"

${fn}_complete() {
    local out directive
    local -a lines
    out=$(\${words[1]} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=0
    if [[ "\${lines[-1]}" == :* ]]; then
        directive="\${lines[-1]#:}"
        lines=("\${(@)lines[1,-2]}")
    fi
    case "$directive" in
        1) _files; return ;;
        2) _files -/; return ;;
        3) compadd -S '' -- "\${(@)lines:#}"; return ;;
    esac
    compadd -- "\${(@)lines:#}"
}

if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
    ${fn}_complete "$@"
else
    compdef ${fn}_complete ${prog}
fi
`;
}

function fishScript(prog: string, fn: string): string {
  return `# fish completion for ${prog}
#
# Load it in the current shell:     ${prog} completion fish | source
# Load it for every new shell:      ${prog} completion fish > ~/.config/fish/completions/${prog}.fish

function ${fn}_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l program $tokens[1]
    set -e tokens[1]
    set -l out ($program __complete -- $tokens $current 2>/dev/null)
    or return
    set -l directive 0
    if string match -q -- ':*' $out[-1]
        set directive (string sub -s 2 -- $out[-1])
        set -e out[-1]
    end
    switch $directive
        case 1
            __fish_complete_path $current
        case 2
            __fish_complete_directories $current
        case '*'
            for c in $out
                test -n "$c"; and echo $c
            end
    end
end

complete -c ${prog} -f -a '(${fn}_complete)'
`;
}
