#!/usr/bin/env bash
# Runs `machgen --check` over every .defs file of an XNU source tree (not part of this
# repository: pass the path of a local checkout) with the include paths and defines an
# XNU build uses, in the user, KernelUser and KernelServer configurations. Files that
# declare no subsystem are types-only and are covered by being included.
#   tests/corpus/check-xnu.sh XNU_SRC [path/to/machgen]
set -uo pipefail
xnu=${1:?usage: check-xnu.sh XNU_SRC [machgen]}
machgen=${2:-build/test/compiler/machgen}
inc=(-I"$xnu/osfmk" -I"$xnu/bsd" -I"$xnu/EXTERNAL_HEADERS" -I"$xnu/libsyscall" -I"$xnu/libsyscall/mach"
     -I"$xnu/iokit" -I"$xnu/libkern")
# XNU's makefiles run mig with the kernel's DEFINES for every header it exports, plus
# KERNEL_USER or KERNEL_SERVER for the stubs; libsyscall and the tests build user stubs.
kdefs="-DAPPLE -DKERNEL -DKERNEL_PRIVATE -DXNU_KERNEL_PRIVATE -DPRIVATE -DMACH_KERNEL_PRIVATE"
configs_for() {
  case "$1" in
    */libsyscall/*) echo "libsyscall|-DLIBSYSCALL_INTERFACE=1 -DPRIVATE" ;;
    */tests/*) echo "user|" ;;
    *) printf '%s\n' "headers|$kdefs" "kernel-user|$kdefs -DKERNEL_USER=1" \
                     "kernel-server|$kdefs -DKERNEL_SERVER=1" ;;
  esac
}
pass=0 fail=0 skipped=0
while IFS= read -r f; do
  if ! grep -qiE '^[[:space:]]*subsystem' "$f"; then
    skipped=$((skipped + 1))
    continue
  fi
  while IFS= read -r c; do
    name=${c%%|*}
    read -r -a defs <<<"${c#*|}"
    # Files under a folder are built with that folder on the include path.
    if out=$("$machgen" --check -q "${inc[@]}" -I"$(dirname "$f")" "${defs[@]}" "$f" 2>&1); then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL [$name] ${f#"$xnu"/}"
      echo "$out" | grep -m3 'error' | sed 's/^/    /'
    fi
  done < <(configs_for "$f")
done < <(find "$xnu" -name '*.defs' | sort)
echo "xnu corpus: $pass passed, $fail failed ($skipped types-only files skipped)"
[ "$fail" -eq 0 ]
