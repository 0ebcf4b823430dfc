#!/bin/bash
# Runs every benchmark of issue 7 once, in order, after building isctl; each writes its own
# bench/results/<name>-<time>.json and prints its table. usage: bash bench/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docker-registry >/dev/null || { echo "docker-registry missing: apt-get install -y docker-registry" >&2; exit 1; }
command -v skopeo >/dev/null || { echo "skopeo missing: apt-get install -y skopeo" >&2; exit 1; }
npx tsc -p .
echo "== start-up";  node bench/startup.mjs
echo "== scale";     node bench/scale.mjs
echo "== import";    node bench/import.mjs
