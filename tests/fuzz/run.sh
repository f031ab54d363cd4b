#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a bounded time.
#   tests/fuzz/run.sh [SECONDS [FUZZER...]]      default: 60 s each, every fuzzer
# Without named fuzzers, the small generated-server fuzzers (one interface of a few
# routines each, $small below) run SECONDS/4 (at least 5 s): their coverage
# saturates within seconds, and CI's budget stays about what it was.
# Environment:
#   BUILD_DIR  build directory (default build/fuzz)
#   RUNS       also stop each fuzzer after this many executions (default: no limit)
#   FUZZ_ARGS  extra libFuzzer arguments
# Each fuzzer starts from its seed corpus tests/fuzz/corpus/<name> and keeps what it
# finds in $BUILD_DIR/fuzz-corpus/<name>; crashes, leaks and timeouts land in
# $BUILD_DIR/fuzz-artifacts/ and make the script exit 1. Logs: $BUILD_DIR/fuzz-logs/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/fuzz"
. "$root/cmake/deps.sh"
machgen_require_packages "${MACHGEN_BUILD_PACKAGES[@]}" "${MACHGEN_TEST_PACKAGES[@]}" \
  clang-14 libclang-rt-14-dev

secs=${1:-60}
shift || true
small=(fuzz_hello fuzz_blobstore fuzz_ticker fuzz_ticker_events fuzz_jobs fuzz_calc fuzz_kinds)
all=(fuzz_frontend fuzz_kitchen fuzz_broker "${small[@]}")
fuzzers=("$@")
small_secs=$secs
if [ ${#fuzzers[@]} -eq 0 ]; then
  fuzzers=("${all[@]}")
  small_secs=$((secs / 4 > 5 ? secs / 4 : 5))
fi
build=${BUILD_DIR:-$root/build/fuzz}

cc=$(command -v clang-14 || command -v clang)
# -O1: a Debug (-O0) build runs the front end fuzzer at half the speed.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DMACHGEN_WERROR=ON \
  -DMACHGEN_SANITIZE=address,undefined -DMACHGEN_FUZZ=ON \
  -DMACHGEN_BUILD_EXAMPLES=OFF -DMACHGEN_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target "${fuzzers[@]}"

mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"
status=0
for f in "${fuzzers[@]}"; do
  # -reload=0: one process owns the corpus directory, so rereading it every second
  # (libFuzzer's default, for parallel jobs) only costs time: with 15,000 inputs,
  # listing and stat-ing them took a quarter of the front-end fuzzer's time.
  t=$secs
  case " ${small[*]} " in *" $f "*) t=$small_secs ;; esac
  args=(-max_total_time="$t" -jobs=1 -workers=1 -reload=0 -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$f-")
  [ -n "${RUNS:-}" ] && args+=(-runs="$RUNS")
  case $f in
    fuzz_frontend) args+=(-dict="$here/frontend.dict" -max_len=16384) ;;
    fuzz_kitchen)  args+=(-max_len=4096) ;;
    fuzz_hello | fuzz_blobstore | fuzz_ticker | fuzz_ticker_events | fuzz_jobs | fuzz_calc | fuzz_kinds)
                   args+=(-max_len=4096) ;;
    fuzz_broker)   args+=(-max_len=65536) ;;
  esac
  # shellcheck disable=SC2206
  args+=(${FUZZ_ARGS:-})
  mkdir -p "$build/fuzz-corpus/$f" "$build/fuzz-logs/$f"
  logs="$build/fuzz-logs/$f"
  rm -f "$logs"/*.log
  echo "== $f: ${t}s${RUNS:+, at most $RUNS runs} (logs: $logs)"
  # With -jobs=1 the fuzzing runs in a child whose output goes to fuzz-0.log in the cwd.
  if (cd "$logs" && "$build/tests/fuzz/$f" "${args[@]}" \
        "$build/fuzz-corpus/$f" "$here/corpus/$f" >"$logs/driver.log" 2>&1) &&
     ! grep -qE '^==[0-9]+==ERROR|runtime error:|^SUMMARY:|deadly signal|Test unit written' \
        "$logs"/*.log; then
    grep -hE '^stat::|DONE ' "$logs"/fuzz-*.log | tail -8 || true
  else
    status=1
    echo "!! $f failed; see $logs and $build/fuzz-artifacts/" >&2
    tail -n 40 "$logs"/*.log >&2 || true
  fi
done
exit $status
