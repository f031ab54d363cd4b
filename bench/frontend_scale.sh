#!/usr/bin/env bash
# Front-end scale benchmark: generates interfaces with N routines (every argument kind
# the layout pass handles) and times `machgen --check` on each, printing wall time and
# peak memory. Time per routine should stay flat as N grows (linear front end).
#   bench/frontend_scale.sh [path/to/machgen] [N...]     (default N: 1000 10000)
set -euo pipefail
machgen=${1:-build/test/compiler/machgen}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gen() {
  local n=$1 f=$2
  {
    echo "subsystem scale 100000;"
    echo "#include <mach/std_types.defs>"
    echo "#include <mach/mach_types.defs>"
    echo "type blob_t = array[*:1024] of char;"
    echo "type ool_t = ^array[] of int;"
    for ((i = 0; i < n; i++)); do
      case $((i % 4)) in
        0) echo "routine r$i(server : mach_port_t; a : int; b : int; out c : int);" ;;
        1) echo "routine r$i(server : mach_port_t; data : blob_t; out port : mach_port_make_send_t);" ;;
        2) echo "simpleroutine r$i(server : mach_port_t; s : c_string[*:128]; p : mach_port_move_send_t);" ;;
        3) echo "routine r$i(server : mach_port_t; in v : ool_t; out w : ool_t; out n : int);" ;;
      esac
    done
  } >"$f"
}

printf '%-10s %12s %14s %16s\n' routines seconds peak_rss_kib us_per_routine
for n in "${sizes[@]}"; do
  f="$work/scale$n.defs"
  gen "$n" "$f"
  /usr/bin/time -f "%e %M" -o "$work/time" "$machgen" --check -Wno-id-collision "$f"
  read -r secs rss <"$work/time"
  printf '%-10s %12s %14s %16.2f\n' "$n" "$secs" "$rss" "$(awk -v s="$secs" -v n="$n" 'BEGIN{print s*1000000/n}')"
done
