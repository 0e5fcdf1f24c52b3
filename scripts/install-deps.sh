#!/usr/bin/env bash
# Installs every Debian 12 package that assistd's build, tests and tools need.
# Idempotent and quiet: does nothing when all packages are present, and runs
# `apt-get update` at most once, only when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake make pkg-config git
  # gRPC / Protobuf / Abseil
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc grpc-proto
  libabsl-dev
  # storage, retrieval, extraction (poppler-data: CJK character maps), HTTP, JSON, jail
  libsqlite3-dev libfaiss-dev libpoppler-cpp-dev libcurl4-openssl-dev
  nlohmann-json3-dev libcpp-httplib-dev libseccomp-dev
  libssl-dev libzip-dev libxml2-dev zlib1g-dev
  # test fixtures (PDFs drawn with cairo) and the extraction baseline
  poppler-data
  libcairo2-dev poppler-utils qpdf
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the sandbox: CPython embedded in its zygote, the libraries sessions get,
  # and bubblewrap for the cold-start baseline in bench/sandbox_bench
  python3-dev python3-numpy python3-pandas python3-matplotlib python3-scipy
  python3-sympy python3-openpyxl python3-pil bubblewrap
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
