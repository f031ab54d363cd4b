#!/usr/bin/env bash
# Wire interoperability with Apple's MIG (docs/interop.md). Builds Apple's migcom
# from a local bootstrap_cmds checkout, generates Apple-MIG stubs for the kitchen-sink
# interface and the examples, compiles them against machgen's runtime headers and
# library, and runs, through the Linux runtime and a private broker:
#   a) machgen client -> Apple-MIG server     b) Apple-MIG client -> machgen server
#   c) Apple-MIG client -> Apple-MIG server (the harness itself, for reference)
# The kitchen runs use the client checks of tests/codegen/test_e2e.c and the server
# routines of tests/codegen/kitchen_server_e2e.c unchanged. bootstrap_cmds is not part
# of this repository, nor is anything built or generated from it: pass a checkout.
#   tests/interop/mig_interop.sh BOOTSTRAP_CMDS_SRC MACHGEN_BIN BUILD_DIR [OUTDIR]
# BUILD_DIR is a machgen build tree (runtime library, broker). Prints one line per run
# and exits 0 only when every run passed. Needs bison, flex, cpp and Criterion.
set -u
[ $# -ge 3 ] || { sed -n '2,15p' "$0"; exit 2; }
bcmds=$(cd "$1" && pwd) machgen=$(realpath "$2") build=$(cd "$3" && pwd)
out=${4:-$build/interop}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cc=${CC:-cc}
rtinc=$root/runtime/include
rtlib=$build/runtime/libmachgen-runtime.so
export MACHGEN_BROKER_PATH=$build/libexec/machgen-broker
mkdir -p "$out"
out=$(cd "$out" && pwd)
for tool in bison flex cpp "$cc"; do
    command -v "$tool" >/dev/null || { echo "mig_interop: $tool is needed" >&2; exit 2; }
done
[ -f "$rtlib" ] && [ -x "$MACHGEN_BROKER_PATH" ] || { echo "mig_interop: build $build first" >&2; exit 2; }

# --- migcom, built as Apple's Xcode project lists it, with three local shims: BSD's
# u_int from <sys/types.h>, Apple's __private_extern__ as nothing, and a version string.
mig=$out/migcom
src=$out/migcom-src
rm -rf "$src"
mkdir -p "$src"
cp "$bcmds"/migcom.tproj/* "$src"/
(
    cd "$src" || exit 1
    bison -y -d -o y.tab.c parser.y && flex -o lexxer.c lexxer.l || exit 1
    printf '#include <sys/types.h>\n#define __private_extern__\n' > darwin_shim.h
    units=$(grep -o '[A-Za-z_]*\.c in Sources' "$bcmds/mig.xcodeproj/project.pbxproj" |
        sed 's/ in Sources//' | sort -u)
    [ -n "$units" ] || units="$(ls *.c)"
    objs=""
    for u in $units y.tab.c lexxer.c; do
        [ -f "$u" ] || continue
        case " $objs " in *" ${u%.c}.o "*) continue ;; esac
        "$cc" -std=gnu99 -w -c -I. -I"$rtinc" -include darwin_shim.h \
            -D'MIG_VERSION="bootstrap_cmds (local build)"' "$u" -o "${u%.c}.o" || exit 1
        objs="$objs ${u%.c}.o"
    done
    "$cc" $objs -o "$mig"
) > "$out/migcom-build.log" 2>&1 || { echo "mig_interop: migcom did not build (see $out/migcom-build.log)" >&2; exit 2; }

# mig.sh's job: cpp with __MACH30__, then migcom reading stdin.
apple_mig() { # DEFS OUTDIR MIGCOM-ARGS... (paths relative to OUTDIR)
    local defs=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    (cd "$dir" && cpp -D__MACH30__ -I"$(dirname "$defs")" "$defs" | "$mig" "$@")
}

pass=0 fail=0
report() { # NAME STATUS LOG
    if [ "$2" = 0 ]; then
        echo "PASS $1"
        pass=$((pass + 1))
    else
        echo "FAIL $1 (see $3)"
        fail=$((fail + 1))
    fi
}

# --- the kitchen sink
kdefs=$root/tests/codegen/kitchen/kitchen.defs
k=$out/kitchen
rm -rf "$k"
mkdir -p "$k/machgen" "$k/apple-user" "$k/apple-server"
"$machgen" -header "$k/machgen/kitchen.h" -user "$k/machgen/kitchenUser.c" \
    -server "$k/machgen/kitchenServer.c" -sheader "$k/machgen/kitchenServer.h" "$kdefs" ||
    { echo "mig_interop: machgen failed on kitchen.defs" >&2; exit 1; }
sed -f "$here/kitchen_apple.sed" "$kdefs" > "$k/apple-user/kitchen.defs"
# migcom crashes generating the server of a routine whose last request argument is a
# PointerTo/PointerToIfNot native (docs/interop.md): skipped on Apple's server only.
sed -e 's/^routine native_swap(.*);$/skip;/' -e 's/^routine native_opt(.*);$/skip;/' \
    "$k/apple-user/kitchen.defs" > "$k/apple-server/kitchen.defs"
# migcom writes and closes the client files before it writes the server, so its crash
# on the natives' server leaves a complete client (a truncated one would not compile).
apple_mig "$k/apple-user/kitchen.defs" "$k/apple-user" -user kitchenUser.c -header kitchen.h \
    -server /dev/null -sheader /dev/null > "$k/apple-user/migcom.log" 2>&1 ||
    echo "note: migcom crashed writing the server it was not asked for (client files kept)"
apple_mig "$k/apple-server/kitchen.defs" "$k/apple-server" -user /dev/null -header /dev/null \
    -server kitchenServer.c -sheader kitchenServer.h > "$k/apple-server/migcom.log" 2>&1 ||
    { echo "mig_interop: migcom failed (server), see $k/apple-server/migcom.log" >&2; exit 1; }

# The message structures both generators declare: every request and reply size equal.
sizes() { # DIR -> "routine request-size [reply-size]" lines
    local dir=$1 r
    {
        echo '#include <stdio.h>'
        echo '#include "kitchen.h"'
        echo 'int main(void) {'
        for r in $(grep -o '^\(simple\)\?routine [a-z_0-9]*' "$k/apple-user/kitchen.defs" | awk '{print $2}'); do
            echo "printf(\"$r %zu\", sizeof(__Request__${r}_t));"
            grep -q "__Reply__${r}_t" "$dir/kitchen.h" && echo "printf(\" %zu\", sizeof(__Reply__${r}_t));"
            echo 'printf("\n");'
        done
        echo 'return 0; }'
    } > "$dir/sizes.c"
    "$cc" -std=gnu11 -w -D_GNU_SOURCE -I"$dir" -I"$root/tests/codegen/kitchen" -I"$rtinc" \
        -include "$here/apple_compat.h" "$dir/sizes.c" -o "$dir/sizes" && "$dir/sizes"
}
sizes "$k/machgen" > "$k/sizes-machgen.txt" 2>&1
sizes "$k/apple-user" > "$k/sizes-apple.txt" 2>&1
rc=0
diff "$k/sizes-machgen.txt" "$k/sizes-apple.txt" > "$k/sizes.diff" 2>&1 || rc=1
report "kitchen message sizes: $(wc -l < "$k/sizes-apple.txt") routines" $rc "$k/sizes.diff"

# Each file sees one generator's headers: the client checks the client's kitchen.h
# (and, for the server loop, only the demux function's prototype), the server routines
# the server's kitchenServer.h.
kitchen_pair() { # NAME CLIENT-DIR SERVER-DIR EXTRA-CFLAGS...
    local name=$1 cdir=$2 sdir=$3 d=$k/$1
    shift 3
    mkdir -p "$d/client-include"
    ln -sf "$cdir/kitchen.h" "$d/client-include/kitchen.h"
    printf '#include <mach/mach.h>\nboolean_t kitchen_server(mach_msg_header_t *, mach_msg_header_t *);\n' \
        > "$d/client-include/kitchenServer.h"
    local common=(-D_GNU_SOURCE -I"$root/tests/codegen" -I"$root/tests/codegen/kitchen" -I"$rtinc"
        -include "$here/apple_compat.h")
    local objs=() f inc
    : > "$d/build.log"
    for f in "$cdir/kitchenUser.c" "$sdir/kitchenServer.c" "$root/tests/codegen/test_e2e.c" \
        "$root/tests/codegen/kitchen_server_e2e.c"; do
        case $f in
        */test_e2e.c) inc=$d/client-include ;;
        */kitchenUser.c) inc=$cdir ;;
        *) inc=$sdir ;;
        esac
        local o
        o=$d/$(basename "$(dirname "$f")")-$(basename "${f%.c}").o
        # Apple's output is compiled as a Darwin build would, without our warning flags
        local warn=(-Wall -Wno-missing-braces)
        case $f in "$k"/apple-*) warn=(-w) ;; esac
        "$cc" -std=gnu11 -g "${warn[@]}" "$@" -I"$inc" "${common[@]}" -c "$f" -o "$o" >> "$d/build.log" 2>&1 ||
            { report "kitchen $name: build" 1 "$d/build.log"; return; }
        objs+=("$o")
    done
    "$cc" "${objs[@]}" -o "$d/kitchen-e2e" "$rtlib" -Wl,-rpath,"$(dirname "$rtlib")" -lcriterion \
        >> "$d/build.log" 2>&1 || { report "kitchen $name: link" 1 "$d/build.log"; return; }
    local rc=0
    timeout 300 "$d/kitchen-e2e" --verbose > "$d/run.log" 2>&1 || rc=$?
    report "kitchen $name: $(grep -o 'Tested: [0-9]* | Passing: [0-9]*' "$d/run.log")" $rc "$d/run.log"
}
kitchen_pair machgen-client-apple-server "$k/machgen" "$k/apple-server" \
    -DKITCHEN_E2E_NO_NATIVE_POINTERS -DKITCHEN_E2E_NO_IMPLICIT_DATA
kitchen_pair apple-client-machgen-server "$k/apple-user" "$k/machgen" -DKITCHEN_E2E_NO_IMPLICIT_DATA
kitchen_pair apple-client-apple-server "$k/apple-user" "$k/apple-server" \
    -DKITCHEN_E2E_NO_NATIVE_POINTERS -DKITCHEN_E2E_NO_IMPLICIT_DATA

# --- the examples: each program built with one generator's stubs for all its .defs,
# run by examples/run_pair.sh against its expected output. A server built from Apple's
# stubs talks to a machgen client and back (callbacks: both programs are a client of
# one subsystem and the server of the other, so each run covers both directions).
e=$out/examples
rm -rf "$e"
example() { # NAME SERVER-PROGRAM CLIENT-PROGRAM DEFS:WHO-SERVES-IT (server|client)...
    local name=$1 sprog=$2 cprog=$3 dir=$root/examples/$1 gen spec defs base
    shift 3
    for gen in machgen apple; do
        mkdir -p "$e/$name/$gen"
        for spec in "$@"; do
            defs=${spec%%:*}
            base=$(basename "$defs" .defs)
            if [ $gen = machgen ]; then
                "$machgen" -I"$dir" -header "$e/$name/$gen/$base.h" -user "$e/$name/$gen/${base}User.c" \
                    -server "$e/$name/$gen/${base}Server.c" -sheader "$e/$name/$gen/${base}Server.h" \
                    "$dir/$defs" || return 1
            else
                (cd "$e/$name/$gen" && cpp -D__MACH30__ -I"$dir" -I"$root/compiler/defs" "$dir/$defs" |
                    "$mig" -user "${base}User.c" -header "$base.h" -server "${base}Server.c" \
                        -sheader "${base}Server.h") || return 1
            fi
        done
    done
    local sgen cgen
    for pair in "apple machgen" "machgen apple"; do
        read -r sgen cgen <<< "$pair"
        local d=$e/$name/$sgen-server-$cgen-client ok=0
        mkdir -p "$d"
        # the server program takes the server stubs of its .defs (and the client stubs
        # of the rest) from one generator, the client program from the other
        for prog in "$sprog $sgen server" "$cprog $cgen client"; do
            local p g role stubs=()
            read -r p g role <<< "$prog"
            for spec in "$@"; do
                base=$(basename "${spec%%:*}" .defs)
                if [ "${spec##*:}" = "$role" ]; then
                    stubs+=("$e/$name/$g/${base}Server.c")
                else
                    stubs+=("$e/$name/$g/${base}User.c")
                fi
            done
            local warn=(-Wall)
            [ "$g" = apple ] && warn=(-w)
            "$cc" -std=gnu11 -g -D_GNU_SOURCE "${warn[@]}" -I"$e/$name/$g" -I"$dir" -I"$rtinc" \
                -o "$d/$p" "$dir/${p//-/_}.c" "${stubs[@]}" \
                "$rtlib" -Wl,-rpath,"$(dirname "$rtlib")" -lpthread >> "$d/build.log" 2>&1 || ok=1
        done
        if [ $ok = 0 ]; then
            local args=""
            [ "$name" = blobstore ] && args=$machgen
            CLIENT_ARGS=$args EXPECT_FILE=$dir/expected.txt "$root/examples/run_pair.sh" \
                "$d/$sprog" "$d/$cprog" > "$d/run.log" 2>&1 || ok=1
            report "example $name: $sgen server, $cgen client" $ok "$d/run.log"
        else
            report "example $name: $sgen server, $cgen client: build" 1 "$d/build.log"
        fi
    done
}
example hello hello-server hello-client hello.defs:server
example blobstore blobstore-server blobstore-client blobstore.defs:server
example callbacks ticker-server ticker-client ticker.defs:server ticker_events.defs:client

echo "mig_interop: $pass passed, $fail failed (outputs in $out)"
[ "$fail" = 0 ]
