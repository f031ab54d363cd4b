# Locates re2c (>= 3.0) and bison (>= 3.8) and stops with an actionable message when
# either is missing or too old: the lexer and parser are generated at build time.
find_program(RE2C_EXECUTABLE re2c)
if(NOT RE2C_EXECUTABLE)
  message(FATAL_ERROR "machgen needs re2c >= 3.0 to generate its lexer, and none was found.\n"
                      "Install it with:  apt-get install re2c   (or set RE2C_EXECUTABLE)")
endif()
execute_process(COMMAND "${RE2C_EXECUTABLE}" --vernum OUTPUT_VARIABLE _re2c_vernum
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _re2c_rc)
if(NOT _re2c_rc EQUAL 0 OR _re2c_vernum LESS 30000)
  message(FATAL_ERROR "machgen needs re2c >= 3.0; ${RE2C_EXECUTABLE} reports version number "
                      "'${_re2c_vernum}'. Install a newer re2c or set RE2C_EXECUTABLE.")
endif()

find_package(BISON 3.8)
if(NOT BISON_FOUND)
  message(FATAL_ERROR "machgen needs GNU bison >= 3.8 to generate its parser "
                      "(found: '${BISON_VERSION}').\n"
                      "Install it with:  apt-get install bison   (or set BISON_EXECUTABLE)")
endif()
