#!/bin/sh
# Generates the client and server of every subsystem in an XNU source tree's .defs
# with machgen and compiles each file against machgen's runtime headers at strict
# warnings (C11), as a Darwin user-space build would: -D__MACH30__, the XNU include
# roots on machgen's path for imports, and only machgen's runtime headers (plus libc)
# on the compiler's path. The GNU Mach headers some Linux systems ship in the
# multiarch include directory are hidden: the compile runs with -nostdinc and a copy
# of the system include path without them, and any file that still reaches one fails.
# XNU is not part of this repository: pass a local checkout.
#   tests/codegen/xnu_compile.sh XNU_SRC MACHGEN_BIN RUNTIME_INCLUDE [OUTDIR]
# Prints one line per file (OK / GEN-FAIL / CC-FAIL with the first error, KNOWN-FAIL
# for the exceptions docs/xnu.md explains) and a summary; exits 0 only when every
# other file compiled.
set -u
xnu=$1 machgen=$2 rtinc=$3 out=${4:-$(mktemp -d)}
cc=${CC:-cc}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Absolute paths: the include tree below links to them.
xnu=$(cd "$xnu" && pwd) rtinc=$(cd "$rtinc" && pwd)
case $machgen in */*) machgen=$(cd "$(dirname "$machgen")" && pwd)/$(basename "$machgen") ;; esac

# System include path without the GNU Mach folders (mach, mach_debug, device, ...).
sysinc="$out/.sysinc"
rm -rf "$sysinc"
mkdir -p "$sysinc"
isolate=""
for dir in $("$cc" -xc -E -v /dev/null 2>&1 | sed -n '/#include <...>/,/End of search/p' | grep '^ /'); do
    copy="$sysinc/$(echo "$dir" | tr '/' '_')"
    mkdir -p "$copy"
    for entry in "$dir"/*; do
        case $(basename "$entry") in
        mach | mach_debug | device | servers | hurd | mach-*) continue ;;
        esac
        ln -s "$entry" "$copy/$(basename "$entry")"
    done
    isolate="$isolate -isystem $copy"
done

# Headers of the projects owning some interfaces (device/, UserNotification/, gssd/,
# lockd/, kern/, servers/) come from the XNU tree, searched after everything else, as
# a Darwin SDK provides them; System/ (private framework headers) maps the same way.
# The Mach API itself (mach/, mach_debug/) must never come from there: checked below.
fw="$out/.frameworks"
rm -rf "$fw"
mkdir -p "$fw/System"
ln -s "$rtinc/mach" "$fw/System/mach"
ln -s "$xnu/osfmk/gssd" "$fw/System/gssd"
# Those project headers also lean on two things of Darwin's libc headers that glibc
# lacks: <sys/appleapiopts.h> (the API-visibility markers, all defined as in a
# default Darwin build) and the __options_decl/__enum_decl macros of <sys/cdefs.h>.
mkdir -p "$fw/sys"
for api in STANDARD STABLE EVOLVING UNSTABLE PRIVATE OBSOLETE; do
    echo "#define __APPLE_API_$api"
done > "$fw/sys/appleapiopts.h"
printf '%s\n' '#define __options_decl(name, type, ...) typedef type name; enum __VA_ARGS__' \
    '#define __enum_decl(name, type, ...) typedef type name; enum __VA_ARGS__' > "$fw/darwin_cdefs.h"
projects="-idirafter $xnu/osfmk -idirafter $xnu/libsyscall/mach -idirafter $fw -include $fw/darwin_cdefs.h"

forbidden="^\\.+ (/usr/include/.*/(mach|mach_debug|device)/|$xnu/osfmk/(mach|mach_debug)/)"
# The exceptions docs/xnu.md explains (file names, or .defs names for GEN-FAIL).
known=" doubleagent_migUser doubleagent_migServer taskUser taskServer profUser profServer upl vm32_mapUser "
is_known() { case $known in *" $1 "*) return 0 ;; esac; return 1; }

ok=0 fail=0 expected=0
for defs in $(find "$xnu" -name '*.defs' | sort); do
    grep -qi '^[[:space:]]*subsystem' "$defs" || continue # type-only .defs
    name=$(basename "$defs" .defs)
    d="$out/$name"
    mkdir -p "$d"
    if ! "$machgen" -I"$xnu/osfmk" -I"$xnu/bsd" -I"$xnu/libsyscall" -I"$(dirname "$defs")" \
        -header "$d/$name.h" -user "$d/${name}User.c" \
        -server "$d/${name}Server.c" -sheader "$d/${name}Server.h" "$defs" > "$d/gen.log" 2>&1; then
        if is_known "$name"; then
            echo "KNOWN-FAIL $name: $(grep -m1 error "$d/gen.log")"
            expected=$((expected + 2))
        else
            echo "GEN-FAIL $name: $(grep -m1 error "$d/gen.log")"
            fail=$((fail + 2))
        fi
        continue
    fi
    for part in User Server; do
        # shellcheck disable=SC2086 # $isolate is a list of options
        if "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -D__MACH30__ \
            -nostdinc $isolate -I"$d" -I"$rtinc" $projects -idirafter "$(dirname "$defs")" \
            -H "$d/$name$part.c" > "$d/cc$part.log" 2>&1 &&
            ! grep -qE "$forbidden" "$d/cc$part.log"; then
            echo "OK $name$part"
            ok=$((ok + 1))
        else
            why=$(grep -m1 -E "error:|$forbidden" "$d/cc$part.log")
            if is_known "$name$part"; then
                echo "KNOWN-FAIL $name$part: $why"
                expected=$((expected + 1))
            else
                echo "CC-FAIL $name$part: $why"
                fail=$((fail + 1))
            fi
        fi
    done
done
echo "compiled: $ok, failed: $fail, documented exceptions: $expected (outputs in $out)"
[ "$fail" -eq 0 ]
