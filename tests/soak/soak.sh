#!/bin/sh
# Runs the soak test at low priority: soak.sh BUILD_DIR [SECONDS (600)] [CLIENTS (4)]
# Builds machgen_soak in BUILD_DIR if needed; exit status is the soak's (0 = pass).
set -eu
build=${1:?usage: soak.sh BUILD_DIR [SECONDS] [CLIENTS]}
seconds=${2:-600}
clients=${3:-4}
cmake --build "$build" --target machgen_soak -j2 >/dev/null
exec nice -n 10 "$build/tests/soak/machgen_soak" "$seconds" "$clients"
