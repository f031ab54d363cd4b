# Integration driver, run by ctest as `cmake -D... -P driver.cmake`.
#   STEP=install    build machgen's sources into WORK_DIR/stage and install into PREFIX
#   STEP=consumer   build and run tests/integration/consumer (MODE package|subdir|fetchcontent)
#   STEP=pkgconfig  build and run the plain Makefile consumer through pkg-config
#   STEP=depfile    edit a .defs included by an interface and check what is rebuilt
# Inputs: SOURCE_DIR, TESTS_DIR, WORK_DIR, PREFIX, GENERATOR, C_COMPILER, STEP, MODE.
# A part that needs something machgen cannot do yet ends the run with a line starting
# "MACHGEN-SKIP:" (ctest reports the test as skipped, never as passed).
cmake_minimum_required(VERSION 3.21)

foreach(v SOURCE_DIR TESTS_DIR WORK_DIR PREFIX GENERATOR STEP)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "driver.cmake: -D${v}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY "${WORK_DIR}")

# A private broker per test run, so parallel runs never share Mach state, and it goes
# away soon after the last program exits.
string(LENGTH "${WORK_DIR}/broker.sock" _len)
if(_len LESS 100)
  set(ENV{MACHGEN_BROKER_SOCKET} "${WORK_DIR}/broker.sock")
else()
  string(MD5 _h "${WORK_DIR}")
  string(SUBSTRING "${_h}" 0 12 _h)
  file(MAKE_DIRECTORY "/tmp/machgen-integ-${_h}")
  set(ENV{MACHGEN_BROKER_SOCKET} "/tmp/machgen-integ-${_h}/broker.sock")
endif()
set(ENV{MACHGEN_BROKER_IDLE} 2)

# Programs built against the install run the installed broker: the library would
# otherwise prefer the staging tree's broker, whose path is compiled in.
function(use_installed_broker)
  if(NOT APPLE AND EXISTS "${PREFIX}/libexec/machgen-broker")
    set(ENV{MACHGEN_BROKER_PATH} "${PREFIX}/libexec/machgen-broker")
  endif()
endfunction()

# run(<out_var> <command...>): runs the command (10 min limit), fails with its output
# unless it exits 0; the combined output goes to <out_var>.
function(run out)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o
                  TIMEOUT 600)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "command failed (${rc}): ${cmd}\n${o}")
  endif()
  set(${out} "${o}" PARENT_SCOPE)
endfunction()

# Runs a program the consumer built; it must exit 0 and print <ok_line>.
function(run_program exe ok_line)
  execute_process(COMMAND "${exe}" RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o
                  TIMEOUT 60)
  message(STATUS "${exe}:\n${o}")
  if(NOT rc EQUAL 0 OR NOT o MATCHES "${ok_line}")
    message(FATAL_ERROR "${exe} failed (${rc})")
  endif()
endfunction()

# Sets <out_ok> to whether the installed machgen writes stubs and <out_why> to the reason
# it cannot. A machgen that fails for another reason fails the test.
function(probe_generation out_ok out_why)
  set(machgen "${PREFIX}/bin/machgen")
  set(${out_ok} FALSE PARENT_SCOPE)
  if(NOT EXISTS "${machgen}")
    set(${out_why} "machgen was not built from these sources (no compiler/main.c yet)"
        PARENT_SCOPE)
    return()
  endif()
  set(dir "${WORK_DIR}/probe")
  file(REMOVE_RECURSE "${dir}")
  file(MAKE_DIRECTORY "${dir}")
  file(WRITE "${dir}/probe.defs" "subsystem probe 4200;\n"
       "type int32_t = MACH_MSG_TYPE_INTEGER_32;\n"
       "type mach_port_t = MACH_MSG_TYPE_COPY_SEND;\n"
       "routine probe_twice(server : mach_port_t; x : int32_t; out y : int32_t);\n")
  set(outs probe.h probeUser.c probeServer.h probeServer.c)
  execute_process(COMMAND "${machgen}" -header probe.h -user probeUser.c
                          -sheader probeServer.h -server probeServer.c probe.defs
                  WORKING_DIRECTORY "${dir}" RESULT_VARIABLE rc
                  OUTPUT_VARIABLE o ERROR_VARIABLE o TIMEOUT 60)
  set(missing)
  foreach(f IN LISTS outs)
    if(NOT EXISTS "${dir}/${f}")
      list(APPEND missing ${f})
    endif()
  endforeach()
  if(rc EQUAL 0 AND NOT missing)
    set(${out_ok} TRUE PARENT_SCOPE)
  elseif(o MATCHES "does not generate stubs yet")
    set(${out_why} "machgen does not generate stubs yet (\"${o}\")" PARENT_SCOPE)
  else()
    message(FATAL_ERROR "machgen failed on a trivial interface (exit ${rc}, missing: "
                        "${missing}):\n${o}")
  endif()
endfunction()

# The installed library directory, relative to PREFIX (lib, lib64, lib/<multiarch>).
function(installed_libdir out)
  file(GLOB_RECURSE a RELATIVE "${PREFIX}" "${PREFIX}/*/libmachgen-runtime.a")
  if(NOT a)
    message(FATAL_ERROR "no libmachgen-runtime.a under ${PREFIX}: did integration_install run?")
  endif()
  list(GET a 0 a)
  get_filename_component(dir "${a}" DIRECTORY)
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()

# Sets <out_ok> to whether the installed runtime implements the Mach calls the consumers
# make, and <out_why> to what is missing.
function(probe_runtime out_ok out_why)
  installed_libdir(lib)
  find_program(NM nm)
  set(${out_ok} FALSE PARENT_SCOPE)
  if(NOT NM)
    set(${out_why} "nm not found, cannot inspect the runtime" PARENT_SCOPE)
    return()
  endif()
  execute_process(COMMAND "${NM}" -g --defined-only "${PREFIX}/${lib}/libmachgen-runtime.a"
                  OUTPUT_VARIABLE syms ERROR_QUIET)
  set(missing)
  foreach(f mach_port_allocate mach_port_insert_right mach_port_mod_refs mach_port_deallocate
            mach_msg mach_task_self_ mach_error_string mach_msg_server_once)
    if(NOT syms MATCHES " [TDB] ${f}\n")
      list(APPEND missing ${f})
    endif()
  endforeach()
  if(missing)
    string(REPLACE ";" ", " missing "${missing}")
    set(${out_why} "the runtime does not define ${missing} yet" PARENT_SCOPE)
  else()
    set(${out_ok} TRUE PARENT_SCOPE)
  endif()
endfunction()

function(require_files root)
  foreach(f IN LISTS ARGN)
    if(NOT EXISTS "${root}/${f}")
      message(FATAL_ERROR "not installed: ${root}/${f}")
    endif()
  endforeach()
endfunction()

function(step_install)
  set(stage "${WORK_DIR}/stage")
  # Reuse the staging tree between runs (incremental), unless it came from other sources.
  if(EXISTS "${stage}/CMakeCache.txt")
    load_cache("${stage}" READ_WITH_PREFIX OLD_ CMAKE_HOME_DIRECTORY)
    if(NOT OLD_CMAKE_HOME_DIRECTORY STREQUAL SOURCE_DIR)
      file(REMOVE_RECURSE "${stage}")
    endif()
  endif()
  set(cc)
  if(C_COMPILER)
    set(cc "-DCMAKE_C_COMPILER=${C_COMPILER}")
  endif()
  run(o "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${stage}" -G "${GENERATOR}" ${cc}
      -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_INSTALL_PREFIX=${PREFIX}"
      -DMACHGEN_BUILD_TESTS=OFF -DMACHGEN_BUILD_EXAMPLES=OFF -DMACHGEN_BUILD_BENCH=OFF)
  run(o "${CMAKE_COMMAND}" --build "${stage}" -j2)
  file(REMOVE_RECURSE "${PREFIX}")
  run(o "${CMAKE_COMMAND}" --install "${stage}")
  message(STATUS "${o}")

  load_cache("${stage}" READ_WITH_PREFIX S_ CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR
             CMAKE_INSTALL_DATAROOTDIR CMAKE_INSTALL_DATADIR CMAKE_INSTALL_MANDIR
             CMAKE_INSTALL_LIBEXECDIR)
  # GNUInstallDirs caches DATADIR and MANDIR empty when they follow DATAROOTDIR.
  if(NOT S_CMAKE_INSTALL_DATADIR)
    set(S_CMAKE_INSTALL_DATADIR "${S_CMAKE_INSTALL_DATAROOTDIR}")
  endif()
  if(NOT S_CMAKE_INSTALL_MANDIR)
    set(S_CMAKE_INSTALL_MANDIR "${S_CMAKE_INSTALL_DATAROOTDIR}/man")
  endif()
  set(lib "${S_CMAKE_INSTALL_LIBDIR}")
  require_files("${PREFIX}"
    "${lib}/libmachgen-runtime.a" "${lib}/libmachgen-runtime.so"
    "${lib}/cmake/machgen/machgen-config.cmake"
    "${lib}/cmake/machgen/machgen-config-version.cmake"
    "${lib}/cmake/machgen/machgen-targets.cmake"
    "${lib}/cmake/machgen/MachgenInterface.cmake"
    "${lib}/pkgconfig/machgen-runtime.pc" "${lib}/pkgconfig/machgen.pc"
    "${S_CMAKE_INSTALL_MANDIR}/man1/machgen.1" "${S_CMAKE_INSTALL_MANDIR}/man5/machgen-defs.5")
  file(GLOB_RECURSE std_defs "${SOURCE_DIR}/compiler/defs/*.defs")
  if(std_defs)
    require_files("${PREFIX}" "${S_CMAKE_INSTALL_DATADIR}/machgen/defs")
  endif()
  if(NOT APPLE)
    require_files("${PREFIX}" "${S_CMAKE_INSTALL_INCLUDEDIR}/mach/mach.h"
      "${S_CMAKE_INSTALL_INCLUDEDIR}/mach/mig.h" "${S_CMAKE_INSTALL_INCLUDEDIR}/servers/bootstrap.h")
  endif()
  if(EXISTS "${SOURCE_DIR}/runtime/linux/extra.cmake" AND NOT APPLE)
    require_files("${PREFIX}" "${S_CMAKE_INSTALL_LIBEXECDIR}/machgen-broker")
  endif()
  if(EXISTS "${SOURCE_DIR}/compiler/main.c")
    require_files("${PREFIX}" bin/machgen)
    run(o "${PREFIX}/bin/machgen" --version)
    if(NOT o MATCHES "^machgen [0-9]+\\.[0-9]+\\.[0-9]+")
      message(FATAL_ERROR "machgen --version printed '${o}'")
    endif()
  endif()
  # Only the public headers: nothing of the runtime's internals leaks into the prefix.
  file(GLOB_RECURSE leaked RELATIVE "${PREFIX}" "${PREFIX}/*internal*" "${PREFIX}/*/wire.h"
       "${PREFIX}/*/port_core.h")
  if(leaked)
    message(FATAL_ERROR "internal files installed: ${leaked}")
  endif()
endfunction()

function(step_consumer)
  probe_runtime(rt why)
  set(gen FALSE)
  if(rt)
    probe_generation(gen why)
  endif()
  set(b "${WORK_DIR}/consumer-${MODE}")
  set(args -G "${GENERATOR}" "-DCONSUMER_MODE=${MODE}" "-DCONSUMER_STUBS=${gen}"
           "-DCONSUMER_HELLO=${rt}"
           "-DMACHGEN_SOURCE_DIR=${SOURCE_DIR}" -DCMAKE_BUILD_TYPE=Debug)
  if(C_COMPILER)
    list(APPEND args "-DCMAKE_C_COMPILER=${C_COMPILER}")
  endif()
  if(MODE STREQUAL "package")
    list(APPEND args "-DCMAKE_PREFIX_PATH=${PREFIX}")
    use_installed_broker()
  endif()
  if(EXISTS "${SOURCE_DIR}/compiler/defs/mach/std_types.defs")
    list(APPEND args -DCONSUMER_STD_TYPES=ON)
  endif()
  run(o "${CMAKE_COMMAND}" -S "${TESTS_DIR}/consumer" -B "${b}" ${args})
  message(STATUS "${o}")
  run(o "${CMAKE_COMMAND}" --build "${b}" -j2)
  if(NOT rt)
    message(STATUS "MACHGEN-SKIP: the package/targets/functions checks passed, but no "
                   "program was built or run: ${why}")
    return()
  endif()
  run_program("${b}/hello_mach" "hello_mach: ok")
  if(NOT gen)
    message(STATUS "MACHGEN-SKIP: hello_mach built and ran against machgen::runtime, but the "
                   "add_mach_interface part was not run: ${why}")
    return()
  endif()
  run_program("${b}/calc_demo" "calc_demo: ok")
endfunction()

function(step_pkgconfig)
  installed_libdir(lib)
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/${lib}/pkgconfig")
  find_program(PKG_CONFIG pkg-config REQUIRED)
  find_program(MAKE make REQUIRED)
  run(v "${PKG_CONFIG}" --modversion machgen-runtime)
  string(STRIP "${v}" v)
  run(tool "${PKG_CONFIG}" --variable=machgen machgen)
  string(STRIP "${tool}" tool)
  message(STATUS "pkg-config: machgen-runtime ${v}; machgen = ${tool}")
  file(REAL_PATH "${tool}" tool_real)
  file(REAL_PATH "${PREFIX}/bin/machgen" expected)
  if(NOT tool_real STREQUAL expected)
    message(FATAL_ERROR "machgen.pc names '${tool}', expected ${PREFIX}/bin/machgen")
  endif()
  probe_runtime(rt why)
  if(NOT rt)
    message(STATUS "MACHGEN-SKIP: pkg-config files are in place, but the Makefile consumer "
                   "was not built: ${why}")
    return()
  endif()
  use_installed_broker()
  set(b "${WORK_DIR}/pkgconfig")
  file(REMOVE_RECURSE "${b}")
  file(MAKE_DIRECTORY "${b}")
  run(o "${MAKE}" -C "${b}" -f "${TESTS_DIR}/pkgconfig/Makefile" "SRCDIR=${TESTS_DIR}/common"
      hello_mach)
  message(STATUS "${o}")
  run_program("${b}/hello_mach" "hello_mach: ok")
  probe_generation(gen why)
  if(NOT gen)
    message(STATUS "MACHGEN-SKIP: the runtime works through pkg-config, but stubs were not "
                   "generated through machgen.pc's tool: ${why}")
    return()
  endif()
  set(mk "${MAKE}" -C "${b}" -f "${TESTS_DIR}/pkgconfig/Makefile" "SRCDIR=${TESTS_DIR}/common"
         "CONSUMER=${TESTS_DIR}/consumer")
  run(o ${mk} -s machgen-version)
  if(NOT o MATCHES "machgen [0-9]")
    message(FATAL_ERROR "make machgen-version printed '${o}'")
  endif()
  run(o ${mk} calc_demo)
  message(STATUS "${o}")
  file(READ "${b}/calc.d" dep)
  if(NOT dep MATCHES "calc_ops\\.defs" OR NOT dep MATCHES "machgen/defs/mach/std_types\\.defs")
    message(FATAL_ERROR "calc.d should list calc_ops.defs and the installed std_types.defs:\n${dep}")
  endif()
  run_program("${b}/calc_demo" "calc_demo: ok")
  # Everything is up to date now: make -q exits 0 only then.
  execute_process(COMMAND ${mk} -q calc_demo RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "make still finds work to do after building calc_demo")
  endif()
endfunction()

# Builds the depfile project and returns the build log in <out>.
function(build_depfile out)
  run(o "${CMAKE_COMMAND}" --build "${WORK_DIR}/depfile-build" -j1)
  set(${out} "${o}" PARENT_SCOPE)
endfunction()

# Checks a build log: what must have run (MUST) and what must not (MUST_NOT), as regexes.
function(expect_log what log)
  cmake_parse_arguments(PARSE_ARGV 2 E "" "" "MUST;MUST_NOT")
  foreach(re IN LISTS E_MUST)
    if(NOT log MATCHES "${re}")
      message(FATAL_ERROR "${what}: expected '${re}' in the build log:\n${log}")
    endif()
  endforeach()
  foreach(re IN LISTS E_MUST_NOT)
    if(log MATCHES "${re}")
      message(FATAL_ERROR "${what}: did not expect '${re}' in the build log:\n${log}")
    endif()
  endforeach()
  message(STATUS "${what}: ok")
endfunction()

function(step_depfile)
  probe_generation(gen why)
  if(NOT gen)
    message(STATUS "MACHGEN-SKIP: regeneration check not run: ${why}")
    return()
  endif()
  # Work on a copy: the check edits common.defs.
  set(src "${WORK_DIR}/depfile-src")
  set(b "${WORK_DIR}/depfile-build")
  file(REMOVE_RECURSE "${src}" "${b}")
  file(COPY "${TESTS_DIR}/depfile/" DESTINATION "${src}")
  set(cc)
  if(C_COMPILER)
    set(cc "-DCMAKE_C_COMPILER=${C_COMPILER}")
  endif()
  run(o "${CMAKE_COMMAND}" -S "${src}" -B "${b}" -G "${GENERATOR}" ${cc}
      "-DCMAKE_PREFIX_PATH=${PREFIX}")

  set(gen_iface "machgen: generating iface stubs")
  set(gen_other "machgen: generating other stubs")
  set(any_cc "Building C object")
  set(obj_iface_user "Building C object [^\n]*ifaceUser\\.c")
  set(obj_iface_server "Building C object [^\n]*ifaceServer\\.c")
  set(obj_uses "Building C object [^\n]*uses_iface\\.c")
  set(obj_other "Building C object [^\n]*otherUser\\.c")
  set(obj_unrelated "Building C object [^\n]*unrelated\\.c")

  build_depfile(log)
  expect_log("first build" "${log}" MUST "${gen_iface}" "${gen_other}" "${obj_uses}")
  file(READ "${b}/iface_ipc/iface.d" dep)
  if(NOT dep MATCHES "common\\.defs")
    message(FATAL_ERROR "iface.d does not name common.defs:\n${dep}")
  endif()
  build_depfile(log)
  expect_log("no-op build" "${log}" MUST_NOT "machgen:" "${any_cc}")

  # Same bytes, newer time: machgen reruns for iface only. Ninja's restat then sees the
  # stubs unchanged and compiles nothing; Make cannot tell, so the stubs are touched and
  # everything that includes them is rebuilt.
  execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
  file(TOUCH "${src}/common.defs")
  build_depfile(log)
  if(GENERATOR MATCHES "Ninja")
    expect_log("touch common.defs" "${log}" MUST "${gen_iface}"
               MUST_NOT "${gen_other}" "${any_cc}")
  else()
    expect_log("touch common.defs" "${log}"
               MUST "${gen_iface}" "${obj_iface_user}" "${obj_iface_server}" "${obj_uses}"
               MUST_NOT "${gen_other}" "${obj_other}" "${obj_unrelated}")
  endif()
  build_depfile(log)
  expect_log("no-op build after touch" "${log}" MUST_NOT "machgen:" "${any_cc}")

  # A real change: new message ids in iface's stubs, and whatever includes them.
  execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
  file(READ "${src}/common.defs" text)
  string(REPLACE "IFACE_BASE 7100" "IFACE_BASE 7150" text "${text}")
  file(WRITE "${src}/common.defs" "${text}")
  build_depfile(log)
  expect_log("edit common.defs" "${log}"
             MUST "${gen_iface}" "${obj_iface_user}" "${obj_iface_server}" "${obj_uses}"
             MUST_NOT "${gen_other}" "${obj_other}" "${obj_unrelated}")
  file(READ "${b}/iface_ipc/ifaceUser.c" stub)
  if(NOT stub MATCHES "7150" OR stub MATCHES "7100")
    message(FATAL_ERROR "ifaceUser.c does not carry the new message id 7150")
  endif()
  build_depfile(log)
  expect_log("no-op build after edit" "${log}" MUST_NOT "machgen:" "${any_cc}")

  # The included file goes away (its text moved into iface.defs): the stale dependency on
  # it must not break the build.
  execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
  file(READ "${src}/common.defs" common)
  file(READ "${src}/iface.defs" iface)
  string(REPLACE "#include \"common.defs\"" "${common}" iface "${iface}")
  file(WRITE "${src}/iface.defs" "${iface}")
  file(REMOVE "${src}/common.defs")
  build_depfile(log)
  expect_log("remove common.defs" "${log}" MUST "${gen_iface}" MUST_NOT "${gen_other}")
  file(READ "${b}/iface_ipc/iface.d" dep)
  if(dep MATCHES "common\\.defs")
    message(FATAL_ERROR "iface.d still names common.defs:\n${dep}")
  endif()
  if(NOT GENERATOR MATCHES "Ninja")
    # CMake's Makefile generator (3.25) keeps a deleted file among the custom command's
    # recorded dependencies, so every build reruns machgen until CMake runs again.
    # docs/cmake.md documents this; check that re-running CMake settles it.
    build_depfile(log)
    if(log MATCHES "machgen:")
      message(STATUS "Makefiles: machgen reruns after the removal until CMake is re-run")
    endif()
    run(o "${CMAKE_COMMAND}" "${b}")
  endif()
  build_depfile(log)
  expect_log("no-op build after removal" "${log}" MUST_NOT "machgen:" "${any_cc}")
endfunction()

# add_mach_interface/machgen_generate at configure time: outputs, targets, the machgen
# command line, and an error naming the problem for each misuse.
function(step_usage)
  set(src "${TESTS_DIR}/usage")
  set(module "${SOURCE_DIR}/cmake/MachgenInterface.cmake")
  # MACHGEN_EXECUTABLE names the program in the command; it is never run (nothing is built).
  set(stand_in "-DMACHGEN_EXECUTABLE=${CMAKE_COMMAND}")
  set(b "${WORK_DIR}/good")
  file(REMOVE_RECURSE "${b}")
  run(o "${CMAKE_COMMAND}" -S "${src}" -B "${b}" -G Ninja -DCASE=good
      "-DMACHGEN_MODULE=${module}" "${stand_in}" "-DCMAKE_C_COMPILER=${C_COMPILER}")
  file(READ "${b}/build.ninja" ninja)
  foreach(piece
      "${CMAKE_COMMAND} -cc ${C_COMPILER} -DUSAGE_ONE=1 -DUSAGE_TWO -I${src}/inc -arch arm64 -header ${b}/both_ipc/a.h -user ${b}/both_ipc/aUser.c -sheader ${b}/both_ipc/aServer.h -server ${b}/both_ipc/aServer.c -MD -MF ${b}/both_ipc/a.d -MT ${b}/both_ipc/a.h ${src}/a.defs"
      "-header ${b}/gen/echo.h -user ${b}/gen/echoUser.c -server /dev/null -MD -MF ${b}/gen/echo.d -MT ${b}/gen/echo.h"
      "-header /dev/null -user /dev/null -sheader ${b}/srvServer.h -server ${b}/srvServer.c -MD -MF ${b}/srv.d -MT ${b}/srvServer.h")
    string(FIND "${ninja}" "${piece}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "build.ninja lacks the command\n  ${piece}")
    endif()
  endforeach()
  string(REGEX MATCHALL "depfile = [^\n]*" depfiles "${ninja}")
  list(LENGTH depfiles n)
  if(n LESS 3)
    message(FATAL_ERROR "expected a depfile for each of the 3 interfaces: ${depfiles}")
  endif()
  message(STATUS "good: outputs, targets and machgen command lines as expected")

  foreach(case_msg
      "unknown_keyword|add_mach_interface: unknown argument 'CLEINT'"
      "missing_defs|add_mach_interface: DEFS <file.defs> is required"
      "defs_not_found|interface file 'nonexistent.defs' not found"
      "static_and_object|STATIC and OBJECT are exclusive"
      "duplicate_target|target 'x_ipc' already exists"
      "bad_target|machgen_generate: TARGET 'no_such_target' is not a target"
      "no_generator|no generator available")
    string(REPLACE "|" ";" cm "${case_msg}")
    list(GET cm 0 case)
    list(GET cm 1 msg)
    set(args "${stand_in}")
    if(case STREQUAL "no_generator")
      set(args)
    endif()
    set(b "${WORK_DIR}/${case}")
    file(REMOVE_RECURSE "${b}")
    execute_process(COMMAND "${CMAKE_COMMAND}" -S "${src}" -B "${b}" -G Ninja -DCASE=${case}
                            "-DMACHGEN_MODULE=${module}" ${args}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o TIMEOUT 120)
    string(REGEX REPLACE "[ \t\r\n]+" " " flat "${o}")
    string(FIND "${flat}" "${msg}" at)
    if(rc EQUAL 0 OR at EQUAL -1)
      message(FATAL_ERROR "${case}: expected a configure error '${msg}' (exit ${rc}):\n${o}")
    endif()
    message(STATUS "${case}: refused with '${msg}'")
  endforeach()
endfunction()

if(STEP STREQUAL "install")
  step_install()
elseif(STEP STREQUAL "consumer")
  step_consumer()
elseif(STEP STREQUAL "pkgconfig")
  step_pkgconfig()
elseif(STEP STREQUAL "depfile")
  step_depfile()
elseif(STEP STREQUAL "usage")
  step_usage()
else()
  message(FATAL_ERROR "unknown STEP '${STEP}'")
endif()
