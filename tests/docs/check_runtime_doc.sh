#!/usr/bin/env bash
# docs/runtime.md names every function and variable the runtime's Darwin headers
# declare (runtime/include/**/*.h: `extern <type> name(` and `extern <type> name;`).
#   check_runtime_doc.sh <machgen source dir>
set -u
src=$1
doc="$src/docs/runtime.md"
names=$( (grep -rhoE '^extern [^;(]*[ *][a-z_][a-z0-9_]* *\(' "$src/runtime/include" |
            sed -E 's/.*[ *]([a-z_][a-z0-9_]*) *\($/\1/'
          grep -rhoE '^extern [^;(]*[ *][a-z_][a-z0-9_]*;' "$src/runtime/include" |
            sed -E 's/.*[ *]([a-z_][a-z0-9_]*);$/\1/') | sort -u)
n=$(printf '%s\n' "$names" | grep -c .)
if [ "$n" -lt 50 ]; then
  echo "found only $n declarations in runtime/include: the pattern is stale" >&2
  exit 1
fi
fail=0
for f in $names; do
  grep -qE "\`$f(\`|\()" "$doc" || { echo "docs/runtime.md does not mention $f" >&2; fail=1; }
done
[ "$fail" = 0 ] && echo "docs/runtime.md: all $n runtime declarations documented"
exit "$fail"
