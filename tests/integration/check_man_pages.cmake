# The man pages cover what the sources accept: every option in compiler/options.c's
# table appears in machgen(1), every keyword of grammar/lexer.re in machgen-defs(5),
# and both pages format without groff warnings.
#   cmake -DSOURCE_DIR=<machgen sources> -P check_man_pages.cmake
cmake_minimum_required(VERSION 3.21)

file(READ "${SOURCE_DIR}/docs/man/machgen.1" page1)
file(READ "${SOURCE_DIR}/docs/man/machgen-defs.5" page5)
string(TOLOWER "${page5}" page5_lower)

# Escapes regex metacharacters in <s>.
function(regex_quote out s)
  string(REGEX REPLACE "([][.*+?^$(){}|\\\\])" "\\\\\\1" s "${s}")
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

set(missing)
file(STRINGS "${SOURCE_DIR}/compiler/options.c" rows REGEX "{\"-[^\"]+\", OPT_")
foreach(row IN LISTS rows)
  string(REGEX MATCHALL "{\"-[^\"]+\", OPT_" opts "${row}")
  foreach(o IN LISTS opts)
    string(REGEX REPLACE "^{\"(-[^\"]+)\".*" "\\1" name "${o}")
    # In man source a hyphen is written \-.
    string(REPLACE "-" "\\-" man_name "${name}")
    regex_quote(re "${man_name}")
    if(NOT page1 MATCHES "${re}([^A-Za-z0-9_\\\\]|\\\\f|$)")
      list(APPEND missing "machgen.1: ${name}")
    endif()
  endforeach()
endforeach()
list(LENGTH rows nrows)
if(nrows LESS 20)
  message(FATAL_ERROR "found only ${nrows} option rows in options.c: the pattern is stale")
endif()

file(STRINGS "${SOURCE_DIR}/grammar/lexer.re" rows REGEX "^ *['\"][A-Za-z_]+['\"] +{ return simple")
foreach(row IN LISTS rows)
  string(REGEX REPLACE "^ *['\"]([A-Za-z_]+)['\"].*" "\\1" kw "${row}")
  string(TOLOWER "${kw}" kw)
  if(NOT page5_lower MATCHES "(^|[^a-z_])${kw}([^a-z_]|$)")
    list(APPEND missing "machgen-defs.5: ${kw}")
  endif()
endforeach()
list(LENGTH rows nrows)
if(nrows LESS 50)
  message(FATAL_ERROR "found only ${nrows} keywords in lexer.re: the pattern is stale")
endif()

if(missing)
  string(REPLACE ";" "\n  " missing "${missing}")
  message(FATAL_ERROR "not documented:\n  ${missing}")
endif()

find_program(GROFF groff)
if(GROFF)
  foreach(p machgen.1 machgen-defs.5)
    execute_process(COMMAND "${GROFF}" -man -ww -z "${SOURCE_DIR}/docs/man/${p}"
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR err)
      message(FATAL_ERROR "groff warnings in ${p}:\n${err}")
    endif()
  endforeach()
  message(STATUS "options and keywords documented; groff: no warnings")
else()
  message(STATUS "options and keywords documented; groff not installed, formatting unchecked")
endif()
