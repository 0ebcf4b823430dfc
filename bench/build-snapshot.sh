#!/bin/bash
# Builds isctl from a commit (default HEAD) into /tmp/isctl-bench-build-<sha>, away from the
# shared working tree (other people's half-saved files must not break a benchmark), and prints
# the path of its bin/isctl.js. Use it as: export BENCH_ISCTL=$(bash bench/build-snapshot.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REV=${1:-HEAD}
SHA=$(git -C "$ROOT" rev-parse --short "$REV")
OUT=/tmp/isctl-bench-build-$SHA
rm -rf "$OUT"; mkdir -p "$OUT"
git -C "$ROOT" archive "$REV" | tar -x -C "$OUT"
ln -s "$ROOT/node_modules" "$OUT/node_modules"
if [ -f "$OUT/scripts/build.mjs" ]; then
  # The bundle (npm run build), with this checkout's esbuild through the linked node_modules.
  (cd "$OUT" && node scripts/build.mjs >&2)
else
  # Commits before the bundle: tsc emits even when some file has type errors; report them and carry on.
  (cd "$OUT" && node "$ROOT/node_modules/typescript/bin/tsc" -p . >&2) || echo "build-snapshot: tsc reported errors at $SHA (see above)" >&2
fi
echo "$OUT/bin/isctl.js"
