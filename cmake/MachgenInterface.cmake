# Generating Mach interface stubs with machgen from CMake.
#
#   add_mach_interface(<name> DEFS <file.defs> [CLIENT] [SERVER] [ASYNC] [STATIC|OBJECT]
#                      [BASENAME <stem>] [OUTPUT_DIRECTORY <dir>]
#                      [INCLUDE_DIRECTORIES <dir>...] [COMPILE_DEFINITIONS <NAME[=VALUE]>...]
#                      [OPTIONS <machgen option>...]
#                      [OUT_SOURCES <var>] [OUT_HEADERS <var>])
#     Creates library target <name> from the generated stubs, with the output directory
#     as a PUBLIC include directory and a PUBLIC link to machgen::runtime.
#
#   machgen_generate(DEFS <file.defs> [CLIENT] [SERVER] [ASYNC] [TARGET <existing target>]
#                    [BASENAME ...] [OUTPUT_DIRECTORY ...] [INCLUDE_DIRECTORIES ...]
#                    [COMPILE_DEFINITIONS ...] [OPTIONS ...]
#                    [OUT_VAR <var>] [OUT_SOURCES <var>] [OUT_HEADERS <var>])
#     Only the custom command; the files go to the variables and, with TARGET, into that
#     target's sources.
#
# The generator is MACHGEN_EXECUTABLE when set (cross builds: a machgen that runs on the
# build machine), else the machgen::machgen target. Full description: docs/cmake.md.
include_guard(GLOBAL)

# Functions keep the policies in force where they are defined: CMP0116 NEW makes the
# depfile's relative paths relative to the current binary directory under every generator.
cmake_policy(PUSH)
cmake_policy(VERSION 3.21...3.25)

set(MACHGEN_EXECUTABLE "" CACHE FILEPATH
    "machgen program used by add_mach_interface (empty: the machgen::machgen target)")

# Resolves the generator into <out_cmd> (what COMMAND runs) and <out_dep> (what DEPENDS names).
function(_machgen_tool out_cmd out_dep)
  if(MACHGEN_EXECUTABLE)
    set(${out_cmd} "${MACHGEN_EXECUTABLE}" PARENT_SCOPE)
    set(${out_dep} "${MACHGEN_EXECUTABLE}" PARENT_SCOPE)
  elseif(TARGET machgen::machgen)
    # An explicit path: a bare target name in COMMAND is not substituted when cross-compiling.
    set(${out_cmd} "$<TARGET_FILE:machgen::machgen>" PARENT_SCOPE)
    set(${out_dep} machgen::machgen PARENT_SCOPE)
  else()
    message(FATAL_ERROR "machgen: no generator available: the machgen::machgen target does "
            "not exist (find_package(machgen) or add_subdirectory the machgen sources first), "
            "or set MACHGEN_EXECUTABLE to the path of a machgen program.")
  endif()
endfunction()

# The shared engine of both functions. <fn> names the caller in error messages; the
# remaining arguments have been parsed by the caller with prefix MG.
macro(_machgen_check_args fn)
  if(MG_UNPARSED_ARGUMENTS)
    list(GET MG_UNPARSED_ARGUMENTS 0 _mg_bad)
    message(FATAL_ERROR "${fn}: unknown argument '${_mg_bad}'")
  endif()
  if(MG_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "${fn}: ${MG_KEYWORDS_MISSING_VALUES} needs a value")
  endif()
  if(NOT MG_DEFS)
    message(FATAL_ERROR "${fn}: DEFS <file.defs> is required")
  endif()
endmacro()

function(_machgen_command fn)
  get_filename_component(defs "${MG_DEFS}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${defs}")
    message(FATAL_ERROR "${fn}: interface file '${MG_DEFS}' not found (looked for ${defs})")
  endif()
  if(MG_BASENAME)
    set(stem "${MG_BASENAME}")
  else()
    get_filename_component(stem "${defs}" NAME_WLE)
  endif()
  get_filename_component(outdir "${MG_OUTPUT_DIRECTORY}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  if(NOT MG_CLIENT AND NOT MG_SERVER)
    set(MG_CLIENT ON)
    set(MG_SERVER ON)
  endif()

  # mig's output options; a side that is not wanted goes to /dev/null.
  set(sources)
  set(headers)
  set(outargs)
  if(MG_CLIENT)
    list(APPEND headers "${outdir}/${stem}.h")
    list(APPEND sources "${outdir}/${stem}User.c")
    list(APPEND outargs -header "${outdir}/${stem}.h" -user "${outdir}/${stem}User.c")
  else()
    list(APPEND outargs -header /dev/null -user /dev/null)
  endif()
  if(MG_SERVER)
    list(APPEND headers "${outdir}/${stem}Server.h")
    list(APPEND sources "${outdir}/${stem}Server.c")
    list(APPEND outargs -sheader "${outdir}/${stem}Server.h" -server "${outdir}/${stem}Server.c")
  else()
    list(APPEND outargs -server /dev/null)
  endif()
  # ASYNC: asynchronous client stubs and deferred server replies (docs/async.md).
  if(MG_ASYNC AND MG_CLIENT)
    list(APPEND headers "${outdir}/${stem}Async.h")
    list(APPEND sources "${outdir}/${stem}Async.c")
    list(APPEND outargs -asyncheader "${outdir}/${stem}Async.h" -async "${outdir}/${stem}Async.c")
  endif()
  if(MG_ASYNC AND MG_SERVER)
    list(APPEND headers "${outdir}/${stem}AsyncServer.h")
    list(APPEND sources "${outdir}/${stem}AsyncServer.c")
    list(APPEND outargs -asyncsheader "${outdir}/${stem}AsyncServer.h"
         -asyncserver "${outdir}/${stem}AsyncServer.c")
  endif()
  set(outputs ${headers} ${sources})
  list(GET outputs 0 first_output)
  set(depfile "${outdir}/${stem}.d")

  set(cppargs)
  foreach(d IN LISTS MG_COMPILE_DEFINITIONS)
    string(REGEX REPLACE "^-D" "" d "${d}")
    list(APPEND cppargs "-D${d}")
  endforeach()
  foreach(i IN LISTS MG_INCLUDE_DIRECTORIES)
    get_filename_component(i "${i}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND cppargs "-I${i}")
  endforeach()
  # Preprocess with the project's own C compiler unless the caller chose one.
  set(ccargs)
  if(CMAKE_C_COMPILER AND NOT "-cc" IN_LIST MG_OPTIONS AND NOT "-cpp" IN_LIST MG_OPTIONS)
    set(ccargs -cc "${CMAKE_C_COMPILER}")
  endif()

  _machgen_tool(tool tool_dep)
  # Make has no equivalent of Ninja's restat: machgen leaves unchanged outputs untouched,
  # so without the touch Make would rerun the command on every build after an input edit.
  set(touch)
  if(NOT CMAKE_GENERATOR MATCHES "Ninja")
    set(touch COMMAND "${CMAKE_COMMAND}" -E touch_nocreate ${outputs})
  endif()
  file(RELATIVE_PATH defs_shown "${CMAKE_SOURCE_DIR}" "${defs}")
  if(defs_shown MATCHES "^\\.\\./")
    set(defs_shown "${defs}")
  endif()
  file(MAKE_DIRECTORY "${outdir}")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND "${tool}" ${ccargs} ${cppargs} ${MG_OPTIONS} ${outargs}
            -MD -MF "${depfile}" -MT "${first_output}" "${defs}"
    ${touch}
    DEPENDS "${defs}" ${tool_dep}
    DEPFILE "${depfile}"
    WORKING_DIRECTORY "${outdir}"
    COMMENT "machgen: generating ${stem} stubs from ${defs_shown}"
    VERBATIM COMMAND_EXPAND_LISTS)

  set(_mg_sources ${sources} PARENT_SCOPE)
  set(_mg_headers ${headers} PARENT_SCOPE)
  set(_mg_outdir "${outdir}" PARENT_SCOPE)
endfunction()

function(machgen_generate)
  # Keyword lists are spelled out in each function: variables of the including
  # directory are not visible where the functions may be called.
  cmake_parse_arguments(PARSE_ARGV 0 MG "CLIENT;SERVER;ASYNC"
    "DEFS;BASENAME;OUTPUT_DIRECTORY;OUT_SOURCES;OUT_HEADERS;TARGET;OUT_VAR"
    "INCLUDE_DIRECTORIES;COMPILE_DEFINITIONS;OPTIONS")
  _machgen_check_args(machgen_generate)
  if(NOT DEFINED MG_OUTPUT_DIRECTORY)
    set(MG_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  if(MG_TARGET AND NOT TARGET "${MG_TARGET}")
    message(FATAL_ERROR "machgen_generate: TARGET '${MG_TARGET}' is not a target")
  endif()
  _machgen_command(machgen_generate)
  if(MG_TARGET)
    target_sources(${MG_TARGET} PRIVATE ${_mg_sources} ${_mg_headers})
    target_include_directories(${MG_TARGET} PUBLIC "$<BUILD_INTERFACE:${_mg_outdir}>")
  endif()
  if(MG_OUT_VAR)
    set(${MG_OUT_VAR} ${_mg_headers} ${_mg_sources} PARENT_SCOPE)
  endif()
  if(MG_OUT_SOURCES)
    set(${MG_OUT_SOURCES} ${_mg_sources} PARENT_SCOPE)
  endif()
  if(MG_OUT_HEADERS)
    set(${MG_OUT_HEADERS} ${_mg_headers} PARENT_SCOPE)
  endif()
endfunction()

function(add_mach_interface name)
  cmake_parse_arguments(PARSE_ARGV 1 MG "CLIENT;SERVER;ASYNC;STATIC;OBJECT"
    "DEFS;BASENAME;OUTPUT_DIRECTORY;OUT_SOURCES;OUT_HEADERS"
    "INCLUDE_DIRECTORIES;COMPILE_DEFINITIONS;OPTIONS")
  _machgen_check_args(add_mach_interface)
  if(MG_STATIC AND MG_OBJECT)
    message(FATAL_ERROR "add_mach_interface: STATIC and OBJECT are exclusive")
  endif()
  if(TARGET "${name}")
    message(FATAL_ERROR "add_mach_interface: target '${name}' already exists")
  endif()
  if(NOT DEFINED MG_OUTPUT_DIRECTORY)
    set(MG_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/${name}")
  endif()
  _machgen_command(add_mach_interface)

  set(kind STATIC)
  if(MG_OBJECT)
    set(kind OBJECT)
  endif()
  add_library(${name} ${kind} ${_mg_sources} ${_mg_headers})
  target_include_directories(${name} PUBLIC "$<BUILD_INTERFACE:${_mg_outdir}>")
  target_link_libraries(${name} PUBLIC machgen::runtime)
  # Generated code uses _Static_assert to pin message layouts.
  target_compile_features(${name} PUBLIC c_std_11)
  source_group("Generated Files" FILES ${_mg_sources} ${_mg_headers})
  if(MG_OUT_SOURCES)
    set(${MG_OUT_SOURCES} ${_mg_sources} PARENT_SCOPE)
  endif()
  if(MG_OUT_HEADERS)
    set(${MG_OUT_HEADERS} ${_mg_headers} PARENT_SCOPE)
  endif()
endfunction()

cmake_policy(POP)
