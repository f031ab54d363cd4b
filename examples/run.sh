#!/usr/bin/env bash
# Builds machgen and its examples, then runs each example: a server process and a
# client process talking through the stubs machgen generated from the example's .defs.
#   examples/run.sh [hello|blobstore|callbacks ...]     (default: all three)
# On Debian/Ubuntu as root, missing packages are installed with apt-get; otherwise the
# exact command to install them is printed. Environment: BUILD_DIR (default
# build/examples), JOBS (default: all cores).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$root/cmake/deps.sh"
machgen_require_packages "${MACHGEN_BUILD_PACKAGES[@]}"

build=${BUILD_DIR:-$root/build/examples}
jobs=${JOBS:-$(nproc)}
examples=("$@")
[ ${#examples[@]} -gt 0 ] || examples=(hello blobstore callbacks)

echo "== Building machgen and the examples in $build"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"

describe() {
  case $1 in
    hello) echo "a first service: numbers, strings and arrays" ;;
    blobstore) echo "a file sent as out-of-line memory, one port per blob, no-senders notifications" ;;
    callbacks) echo "the client passes a send right, the server sends it one-way events" ;;
  esac
}
programs() {
  case $1 in
    hello) echo "hello/hello-server hello/hello-client" ;;
    blobstore) echo "blobstore/blobstore-server blobstore/blobstore-client" ;;
    callbacks) echo "callbacks/ticker-server callbacks/ticker-client" ;;
  esac
}

failed=()
for ex in "${examples[@]}"; do
  progs=$(programs "$ex")
  if [ -z "$progs" ]; then
    echo "unknown example '$ex' (hello, blobstore, callbacks)" >&2
    exit 2
  fi
  read -r server client <<<"$progs"
  echo
  echo "== $ex: $(describe "$ex")"
  echo "   interface: examples/$ex/*.defs; stubs machgen generated:"
  find "$build/$ex" -path '*_stubs/*' \( -name '*.h' -o -name '*.c' \) -printf '     %P\n' | sort
  echo "   running $(basename "$server") and $(basename "$client"):"
  # The blob store gets a real file of a few hundred KiB: the machgen program itself.
  [ "$ex" = blobstore ] && export CLIENT_ARGS="$build/machgen/compiler/machgen"
  if EXPECT_FILE="$here/$ex/expected.txt" "$here/run_pair.sh" "$build/$server" "$build/$client"; then
    echo "== $ex: ok"
  else
    echo "== $ex: FAILED"
    failed+=("$ex")
  fi
  unset CLIENT_ARGS
done

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "Examples that failed: ${failed[*]}"
  exit 1
fi
echo "All examples ran as expected. Their sources: $here/{hello,blobstore,callbacks}"
