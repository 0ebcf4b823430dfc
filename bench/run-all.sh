#!/bin/bash
# Runs every benchmark once, in order, against isctl built from a commit (default
# HEAD) away from the working tree; each writes bench/results/<name>-<time>.json and prints its
# table. usage: bash bench/run-all.sh [COMMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docker-registry >/dev/null || { echo "docker-registry missing: apt-get install -y docker-registry" >&2; exit 1; }
command -v skopeo >/dev/null || { echo "skopeo missing: apt-get install -y skopeo" >&2; exit 1; }
BENCH_ISCTL=$(bash bench/build-snapshot.sh "${1:-HEAD}")
export BENCH_ISCTL
# Two runs of every isctl/floor measurement (median): the machine is shared and noisy.
export BENCH_REPEAT=${BENCH_REPEAT:-2}
echo "== isctl: $BENCH_ISCTL ($(node "$BENCH_ISCTL" --version))"
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== start-up";  node bench/startup.mjs
echo "== scale";     node bench/scale.mjs
echo "== import";    node bench/import.mjs
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
node bench/summary.mjs
