#!/usr/bin/env bash
# Builds the four binaries a deployment needs (Release) and stages them in a
# directory tree that is copied as is into the container image's runtime
# stage (deploy/docker/Dockerfile runs exactly this).
#
#   scripts/build-dist.sh BUILD_DIR DEST_DIR [JOBS]
#
# Result:
#   DEST_DIR/usr/local/bin/assistd                  the server
#   DEST_DIR/usr/local/bin/assistd-extract-worker   found next to assistd
#   DEST_DIR/usr/local/bin/assistd-sandbox-zygote   found next to assistd
#   DEST_DIR/usr/local/bin/assistctl                the CLI (health checks, debugging)
#   DEST_DIR/usr/local/bin/assistd-backup           online backup of a data dir
#
# Needs the `build` packages of scripts/deps.sh. The CMake tree has no
# install rules; the binaries land in BUILD_DIR/bin, where assistd looks for
# its helpers next to itself, so they are copied together.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 BUILD_DIR DEST_DIR [JOBS]" >&2
  exit 2
fi
SRC_DIR="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="$1"
DEST_DIR="$2"
JOBS="${3:-$(nproc)}"
TARGETS=(assistd assistctl assistd-extract-worker assistd-sandbox-zygote)

cmake -S "$SRC_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target "${TARGETS[@]}"

BIN="$DEST_DIR/usr/local/bin"
install -d -m 0755 "$BIN"
for t in "${TARGETS[@]}"; do
  install -m 0755 "$BUILD_DIR/bin/$t" "$BIN/$t"
  strip --strip-unneeded "$BIN/$t"
done
install -m 0755 "$SRC_DIR/scripts/assistd-backup.py" "$BIN/assistd-backup"
echo "build-dist: staged ${TARGETS[*]} assistd-backup in $BIN"
