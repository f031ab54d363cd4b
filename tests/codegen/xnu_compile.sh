#!/bin/sh
# Generates the client and server of every subsystem in an XNU source tree's
# osfmk/mach/*.defs with machgen and compiles each file against machgen's runtime
# headers at strict warnings (C11), as a Darwin user-space build would
# (-D__MACH30__, the .defs directory's parent on the include path for imports).
# XNU is not part of this repository: pass a local checkout.
#   tests/codegen/xnu_compile.sh XNU_SRC MACHGEN_BIN RUNTIME_INCLUDE [OUTDIR]
# Prints one line per file (OK / GEN-FAIL / CC-FAIL with the first error) and a summary.
set -u
xnu=$1 machgen=$2 rtinc=$3 out=${4:-$(mktemp -d)}
cc=${CC:-cc}
stub="$out/.stub"
mkdir -p "$stub"
: > "$stub/Availability.h" # Darwin SDK header the .defs import; empty is enough here
ok=0 fail=0
for defs in "$xnu"/osfmk/mach/*.defs; do
    name=$(basename "$defs" .defs)
    grep -qi '^[[:space:]]*subsystem' "$defs" || continue # type-only .defs
    d="$out/$name"
    mkdir -p "$d"
    if ! "$machgen" -I"$xnu/osfmk" -header "$d/$name.h" -user "$d/${name}User.c" \
        -server "$d/${name}Server.c" -sheader "$d/${name}Server.h" "$defs" > "$d/gen.log" 2>&1; then
        echo "GEN-FAIL $name: $(grep -m1 error "$d/gen.log")"
        fail=$((fail + 2))
        continue
    fi
    for part in User Server; do
        if "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -D__MACH30__ \
            -I"$d" -I"$rtinc" -I"$stub" "$d/$name$part.c" > "$d/cc$part.log" 2>&1; then
            echo "OK $name$part"
            ok=$((ok + 1))
        else
            echo "CC-FAIL $name$part: $(grep -m1 'error' "$d/cc$part.log")"
            fail=$((fail + 1))
        fi
    done
done
echo "compiled: $ok, failed: $fail (outputs in $out)"
