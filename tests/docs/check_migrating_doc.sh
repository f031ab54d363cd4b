#!/usr/bin/env bash
# docs/migrating.md goes through mig's command line option by option: every option in
# compiler/options.c's table must appear in it (in backquotes).
#   check_migrating_doc.sh <machgen source dir>
set -u
src=$1
opts=$(grep -oE '\{"-[^"]+", OPT_' "$src/compiler/options.c" | sed -E 's/\{"(-[^"]+)".*/\1/' | sort -u)
n=$(printf '%s\n' "$opts" | grep -c .)
if [ "$n" -lt 40 ]; then
  echo "found only $n options in compiler/options.c: the pattern is stale" >&2
  exit 1
fi
fail=0
for o in $opts; do
  grep -qE -- "\`$o([\` /]|$)" "$src/docs/migrating.md" ||
    { echo "docs/migrating.md does not cover $o" >&2; fail=1; }
done
[ "$fail" = 0 ] && echo "docs/migrating.md: all $n options covered"
exit "$fail"
