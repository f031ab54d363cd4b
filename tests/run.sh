#!/usr/bin/env bash
# Builds machgen and runs the whole test suite (the command .ci/run calls).
#   tests/run.sh [extra cmake -D options...]
# Environment: BUILD_DIR (default build/test), JOBS (default: all cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/cmake/deps.sh"
machgen_require_packages "${MACHGEN_BUILD_PACKAGES[@]}" "${MACHGEN_TEST_PACKAGES[@]}"

build=${BUILD_DIR:-$root/build/test}
jobs=${JOBS:-$(nproc)}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMACHGEN_WERROR=ON "$@"
cmake --build "$build" -j "$jobs"
cd "$build"
ctest --output-on-failure -j "$jobs"
