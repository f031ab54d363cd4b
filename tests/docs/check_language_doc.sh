#!/usr/bin/env bash
# docs/language.md covers every construct the parser accepts:
#  1. every keyword of grammar/lexer.re, every word of the parser's keyword tables
#     (compiler/parse.c) and every basic type name (compiler/sema_types.c) appears in the
#     reference in backquotes (case-insensitive keywords in any case, the others exactly);
#  2. every name in the reference's keyword index is one of those words (no stale entry);
#  3. every ```defs example is a complete interface that `machgen --check` accepts.
#   check_language_doc.sh <machgen source dir> <machgen executable>
set -u
src=$1 machgen=$2
doc="$src/docs/language.md"
fail=0
work=$(mktemp -d "${TMPDIR:-/tmp}/machgen-docs.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# Case-insensitive keywords: 'word' in re2c. Case-sensitive: "Word".
ci=$(grep -E "^ *'[A-Za-z_]+' +\{ return simple" "$src/grammar/lexer.re" | sed -E "s/^ *'([A-Za-z_]+)'.*/\1/")
cs=$(grep -E '^ *"[A-Za-z_]+" +\{ return simple' "$src/grammar/lexer.re" | sed -E 's/^ *"([A-Za-z_]+)".*/\1/')
# The parser's word tables (statement, argument kind, type, translation, flag,
# ConsumeOnSendError operands): the quoted words of `static const char *const x_words[]`.
tables=$(awk '/static const char \*const [a-z]+_words\[\]/,/};/' "$src/compiler/parse.c" |
         grep -oE '"[A-Za-z_]+"' | tr -d '"')
types=$(grep -oE '"MACH_MSG_TYPE_[A-Z0-9_]+"' "$src/compiler/sema_types.c" | tr -d '"' | sort -u)
extra=$(grep -oE 'strcasecmp\(name, "[a-z]+"\)' "$src/compiler/sema_types.c" | sed -E 's/.*"([a-z]+)".*/\1/')

count() { printf '%s\n' "$1" | grep -c .; }
if [ "$(count "$ci")" -lt 60 ] || [ "$(count "$cs")" -lt 5 ] || [ "$(count "$tables")" -lt 60 ] ||
   [ "$(count "$types")" -lt 20 ] || [ "$(count "$extra")" -lt 1 ]; then
  echo "keyword extraction found too little ($(count "$ci") $(count "$cs") $(count "$tables")" \
       "$(count "$types") $(count "$extra")): the patterns are stale" >&2
  exit 1
fi

lower_doc=$(tr 'A-Z' 'a-z' <"$doc")
documented_ci() { grep -qF "\`$(printf '%s' "$1" | tr 'A-Z' 'a-z')\`" <<<"$lower_doc"; }
documented_cs() { grep -qF "\`$1\`" "$doc"; }

missing=()
for w in $ci $extra; do documented_ci "$w" || missing+=("$w"); done
for w in $cs $types; do documented_cs "$w" || missing+=("$w"); done
for w in $tables; do
  # Table words of case-sensitive keywords must match exactly, the others in any case.
  if grep -qx -- "$w" <<<"$cs"; then documented_cs "$w" || missing+=("$w")
  else documented_ci "$w" || missing+=("$w"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "docs/language.md does not document: $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')" >&2
  fail=1
fi

# 2. The keyword index: first column of the table after "## Keyword index".
known=$(printf '%s\n' $ci $cs $tables $types $extra | tr 'A-Z' 'a-z' | sort -u)
index=$(awk '/^## Keyword index/{on=1} on && /^\| `/' "$doc" | cut -d'|' -f2 | grep -oE '`[^`]+`' | tr -d '`')
[ "$(count "$index")" -ge 60 ] || { echo "keyword index not found or too short" >&2; fail=1; }
for w in $index; do
  case "$w" in *'*'*) continue ;; esac
  grep -qx -- "$(printf '%s' "$w" | tr 'A-Z' 'a-z')" <<<"$known" ||
    { echo "keyword index lists '$w', which the parser does not have" >&2; fail=1; }
done

# 3. The ```defs examples.
awk -v dir="$work" '
  /^```defs$/ { n++; file = sprintf("%s/example%02d.defs", dir, n); inblock = 1; next }
  /^```/ && inblock { inblock = 0; close(file); next }
  inblock { print > file }' "$doc"
examples=("$work"/example*.defs)
[ -e "${examples[0]}" ] || { echo "no \`\`\`defs examples in docs/language.md" >&2; exit 1; }
for f in "${examples[@]}"; do
  if ! out=$("$machgen" --check -Werror "$f" 2>&1); then
    echo "docs/language.md example $(basename "$f") is rejected:" >&2
    sed 's/^/    /' "$f" >&2
    echo "$out" | sed 's/^/  /' >&2
    fail=1
  fi
done

[ "$fail" = 0 ] && echo "docs/language.md: $(printf '%s\n' $ci $cs $tables $types $extra | sort -uf | grep -c .) words documented, ${#examples[@]} examples accepted"
exit "$fail"
