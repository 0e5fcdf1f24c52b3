#!/usr/bin/env bash
# Runs the conformance suite against $ASSISTD_BIN (default /tmp/conf-bin/assistd).
# node_modules is installed beforehand (`make test` runs `npm ci` here); this
# script never installs anything.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -d node_modules/openai ]]; then
  echo "conformance: node_modules is missing; run 'npm ci --prefix tests/conformance' (make test does)" >&2
  exit 1
fi
export ASSISTD_BIN="${ASSISTD_BIN:-/tmp/conf-bin/assistd}"
if [[ ! -x "$ASSISTD_BIN" ]]; then
  echo "conformance: ASSISTD_BIN=$ASSISTD_BIN is not an executable" >&2
  exit 1
fi
# One file at a time, each in its own `node --test` (Node 18's runner has no
# --test-concurrency): every file starts its own assistd, and two sandboxes
# starting at once on a small CI machine would only slow each other down.
# Tests inside a file run concurrently. Arguments select files, e.g.
#   tests/conformance/run.sh runs.test.mjs
if [[ $# -eq 0 ]]; then
  set -- *.test.mjs
fi
failed=()
for file in "$@"; do
  node --test --test-reporter=spec "$file" || failed+=("$file")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "conformance: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "conformance: all $# file(s) passed"
