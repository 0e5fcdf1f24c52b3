#!/usr/bin/env bash
# Runs the container image's runtime stage without a container engine, and
# smoke-tests the binaries in it. Root, Linux, network access to a Debian
# mirror, debootstrap (apt-get install debootstrap).
#
#   scripts/image-smoke-test.sh DIST_DIR [ROOTFS]
#
#   DIST_DIR  what `scripts/build-dist.sh BUILD_DIR DIST_DIR` staged
#   ROOTFS    where to build the root file system (default /tmp/assistd-rootfs;
#             reused when it exists, delete it to start over)
#
# 1. debootstrap a minimal bookworm (what debian:bookworm-slim is), with the
#    slim image's dpkg excludes;
# 2. run the runtime stage's RUN command, taken from deploy/docker/Dockerfile;
# 3. copy DIST_DIR in (COPY --from=build /dist/ /);
# 4. in private mount and PID namespaces, pivot_root into it (as a container
#    runtime does) and check: assistd as uid 10001 (files, retrieval,
#    orchestrator) answers health; assistd as root with every service starts
#    the sandbox ("sandbox: ready"), which loads the Python packages and runs a
#    session through the whole jail.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 DIST_DIR [ROOTFS]" >&2
  exit 2
fi
SRC_DIR="$(cd "$(dirname "$0")/.." && pwd)"
DIST_DIR="$(cd "$1" && pwd)"
ROOTFS="${2:-/tmp/assistd-rootfs}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [[ ! -x "$ROOTFS/usr/bin/tini" ]]; then
  rm -rf "$ROOTFS"
  echo "image-smoke-test: debootstrap bookworm (minbase) into $ROOTFS"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/dev/null
  cat > "$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
EOF
  # As in debian:bookworm-slim.
  cat > "$ROOTFS/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  # The runtime stage: its COPY of deps.sh, then its RUN command verbatim.
  cp "$SRC_DIR/scripts/deps.sh" "$ROOTFS/tmp/deps.sh"
  run_line=$(sed -n '/^FROM .* AS runtime/,/^COPY --from/p' "$SRC_DIR/deploy/docker/Dockerfile" |
             sed -n '/^RUN /,/[^\\]$/p' | sed 's/^RUN //')
  echo "image-smoke-test: RUN $run_line"
  chroot "$ROOTFS" /bin/bash -c "$run_line"
fi
cp -a "$DIST_DIR/." "$ROOTFS/"
mkdir -p "$ROOTFS/.oldroot"
echo "image-smoke-test: root file system $(du -sh "$ROOTFS" | cut -f1)"

# Runs "$@" inside ROOTFS as uid $1, like a container (no network namespace).
in_image() {
  local uid=$1
  shift
  unshare --mount --pid --fork --propagation private bash -s "$ROOTFS" "$uid" "$@" <<'INNER'
set -e
R=$1; U=$2; shift 2
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount --rbind /sys "$R/sys"
mount -t tmpfs tmpfs "$R/tmp"
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs -o mode=0755 tmpfs "$R/var/lib/assistd"
chown 10001:10001 "$R/var/lib/assistd"
cd "$R"
pivot_root . .oldroot
umount -l /.oldroot
cd /
exec setpriv --reuid="$U" --regid="$U" --clear-groups "$@"
INNER
}

check() {
  local uid=$1 port=$2 want=$3
  shift 3
  in_image "$uid" bash -c '
    port=$1; want=$2; shift 2
    /usr/bin/tini -s -- /usr/local/bin/assistd --grpc_addr=127.0.0.1:$port \
      --data_dir=/var/lib/assistd "$@" > /tmp/assistd.log 2>&1 &
    for _ in $(seq 1 60); do
      grep -q "$want" /tmp/assistd.log && break
      sleep 0.5
    done
    /usr/local/bin/assistctl --addr=127.0.0.1:$port health || true
    kill %1; wait || true
    cat /tmp/assistd.log
    grep -q "$want" /tmp/assistd.log' x "$port" "$want" "$@"
}

echo "image-smoke-test: uid 10001, --services=files,retrieval,orchestrator"
check 10001 52151 "gRPC listening" --services=files,retrieval,orchestrator
echo "image-smoke-test: uid 0, every service (the sandbox)"
check 0 52152 "sandbox: ready" --sandbox_allow_no_cgroups
echo "image-smoke-test: ok"
