#!/usr/bin/env bash
# The Debian 12 (bookworm) packages assistd needs, in three groups, and their
# installation. One list for every consumer: `make deps` (and so `make run` /
# `make test`) installs `dev`, the container image's build stage installs
# `build` and its runtime stage `runtime` (deploy/docker/Dockerfile).
#
#   scripts/deps.sh list GROUP...      print the packages of the groups, one per line
#   scripts/deps.sh install [--no-toolchain] GROUP...
#                                      install the missing ones (idempotent, quiet)
#
# Groups:
#   build    compile and configure the tree (CMake's find_package calls need the
#            test and benchmark libraries too, so they are here)
#   runtime  what the four binaries need at run time: shared libraries, poppler's
#            character maps, the sandbox's Python packages, CA certificates (https
#            model endpoints) and tini (PID 1 in the image: reaps orphans)
#   test     what `make test` and the benchmarks run besides the binaries; Debian's
#            nodejs and npm (the conformance suite, tests/conformance) only when no
#            `node` / `npm` is on PATH (a nodesource nodejs bundles its own npm and
#            conflicts with Debian's npm package)
#   dev      build + runtime + test (what `make deps` installs)
#
# `install` does nothing when every package is present, and runs
# `apt-get update` at most once, only when something is missing.
#
# --no-toolchain (the image's runtime stage): Debian 12's python3-scipy depends
# on python3-pythran, a compiler for building extensions, which pulls in g++,
# Boost, OpenBLAS and Python headers (~400 MB) although scipy never imports it
# at run time (its pythran-built modules are compiled already). An empty
# stand-in package named python3-pythran is installed first (and held), so
# the runtime holds no compiler.
set -euo pipefail

BUILD=(
  # toolchain
  build-essential cmake make pkg-config git
  # gRPC / Protobuf / Abseil
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc grpc-proto
  libabsl-dev
  # storage, retrieval, extraction, HTTP, JSON, the jail
  libsqlite3-dev libfaiss-dev libpoppler-cpp-dev libcurl4-openssl-dev
  nlohmann-json3-dev libcpp-httplib-dev libseccomp-dev
  # the /metrics endpoint (Prometheus client; its HTTP server is civetweb)
  prometheus-cpp-dev
  libssl-dev libzip-dev libxml2-dev zlib1g-dev
  # the sandbox zygote embeds CPython
  python3-dev
  # required by the top-level CMakeLists (test fixtures, tests, benchmarks)
  libcairo2-dev libgtest-dev libgmock-dev libbenchmark-dev
)

RUNTIME=(
  # shared libraries of assistd, assistctl, assistd-extract-worker and
  # assistd-sandbox-zygote (FAISS is linked statically; it needs BLAS/LAPACK
  # and OpenMP); the test in tests/deploy checks this list against `ldd`
  libabsl20220623 libgrpc++1.51 libgrpc29 libprotobuf32
  libsqlite3-0 libssl3 libcurl4 libzip4 libxml2 zlib1g libseccomp2
  libpoppler-cpp0v5 libpython3.11 libgomp1 libblas3 liblapack3
  libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libcpp-httplib0.11
  # extraction: CJK character maps for PDFs
  poppler-data
  # the libraries sandbox sessions get (docs/sandbox.md)
  python3-numpy python3-pandas python3-matplotlib python3-scipy
  python3-sympy python3-openpyxl python3-pil
  # https to model servers; an init that reaps orphans when assistd is PID 1
  ca-certificates tini
)

TEST=(
  # test fixtures and the extraction baseline (PDFs drawn with cairo, poppler-data above)
  poppler-utils qpdf
  # the cold-start baseline in bench/sandbox_bench
  bubblewrap
  # tests/deploy: the Kubernetes manifest validator
  python3-yaml
  # the REST gateway's HTTP benchmark (docs/benchmarks.md)
  wrk
)

# Node.js and npm for the openai-node conformance suite, unless already on PATH.
node_packages() {
  command -v node >/dev/null 2>&1 || echo nodejs
  command -v npm >/dev/null 2>&1 || echo npm
}

usage() {
  echo "usage: $0 list|install [--no-toolchain] build|runtime|test|dev ..." >&2
  exit 2
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

# The empty python3-pythran (see --no-toolchain above).
install_pythran_stand_in() {
  if installed python3-pythran; then
    return 0
  fi
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/pkg/DEBIAN"
  cat > "$dir/pkg/DEBIAN/control" <<'CONTROL'
Package: python3-pythran
Version: 0~assistd1
Architecture: all
Maintainer: assistd <assistd@localhost>
Section: python
Priority: optional
Description: empty stand-in for python3-pythran
 Satisfies python3-scipy's dependency without a compiler toolchain: scipy
 does not import pythran at run time. Installed by assistd's scripts/deps.sh.
CONTROL
  dpkg-deb --build "$dir/pkg" "$dir/python3-pythran.deb" >/dev/null
  $SUDO dpkg -i "$dir/python3-pythran.deb" >/dev/null
  $SUDO apt-mark hold python3-pythran >/dev/null
  rm -rf "$dir"
  echo "deps: installed an empty python3-pythran (no compiler toolchain)"
}

packages_of() {
  case "$1" in
    build) printf '%s\n' "${BUILD[@]}" ;;
    runtime) printf '%s\n' "${RUNTIME[@]}" ;;
    test) printf '%s\n' "${TEST[@]}"; node_packages ;;
    dev) printf '%s\n' "${BUILD[@]}" "${RUNTIME[@]}" "${TEST[@]}"; node_packages ;;
  esac
}

[[ $# -ge 2 ]] || usage
action="$1"
shift
no_toolchain=0
if [[ "$action" == install && "${1:-}" == --no-toolchain ]]; then
  no_toolchain=1
  shift
fi
[[ $# -ge 1 ]] || usage
for group in "$@"; do
  case "$group" in
    build|runtime|test|dev) ;;
    *) echo "deps: unknown group '$group'" >&2; usage ;;
  esac
done
# Unique, in first-seen order.
selected=()
declare -A seen=()
for group in "$@"; do
  for pkg in $(packages_of "$group"); do
    if [[ -z "${seen[$pkg]:-}" ]]; then
      seen[$pkg]=1
      selected+=("$pkg")
    fi
  done
done

case "$action" in
  list)
    printf '%s\n' "${selected[@]}"
    ;;
  install)
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then
      SUDO="sudo"
    fi
    if [[ $no_toolchain -eq 1 ]]; then
      install_pythran_stand_in
    fi
    missing=()
    for pkg in "${selected[@]}"; do
      if ! installed "$pkg"; then
        missing+=("$pkg")
      fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
      exit 0
    fi
    echo "deps: installing ${#missing[@]} package(s): ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "deps: done"
    ;;
  *)
    usage
    ;;
esac
