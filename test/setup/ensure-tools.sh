#!/usr/bin/env bash
# Installs the real components the integration tests use (Distribution registry, skopeo, umoci,
# htpasswd, GnuPG, Chromium for the status page tests) when missing. Fails loudly — tests never skip because a tool is absent.
set -euo pipefail
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v umoci >/dev/null 2>&1 || need+=(umoci)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# gpg, gpg-agent and gpgconf: throwaway keys and `skopeo copy --sign-by` in the GPG signature tests
{ command -v gpg >/dev/null 2>&1 && command -v gpgconf >/dev/null 2>&1 && command -v gpg-agent >/dev/null 2>&1; } || need+=(gnupg)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
command -v script >/dev/null 2>&1 || need+=(util-linux)
# git, and its daemon for the network path of the --commit/--push and serve --git-push tests
{ command -v git >/dev/null 2>&1 && [ -x "$(git --exec-path)/git-daemon" ]; } || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-tools: installing ${need[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  if ! { $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}"; } >&2; then
    echo "ensure-tools: FAILED to install ${need[*]} — the integration tests need them; install them and run again" >&2
    exit 1
  fi
fi
for t in docker-registry skopeo umoci htpasswd openssl gpg gpgconf gpg-agent chromium zsh fish script git; do
  command -v "$t" >/dev/null 2>&1 || { echo "ensure-tools: $t is still missing" >&2; exit 1; }
done
