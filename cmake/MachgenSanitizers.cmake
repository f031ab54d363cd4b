# Instrumented builds of everything machgen builds for itself (compiler, runtime,
# broker, tests, examples):
#   -DMACHGEN_SANITIZE=address,undefined   ASan + UBSan (what CI runs)
#   -DMACHGEN_SANITIZE=valgrind            no instrumentation; `ctest -T memcheck`
#                                          runs every test under valgrind
#   -DMACHGEN_FUZZ=ON                      libFuzzer targets in tests/fuzz (clang only;
#                                          combine with MACHGEN_SANITIZE=address,undefined)
# Every UBSan finding aborts (no recovery), so a finding fails the test that made it.
set(MACHGEN_SANITIZE "" CACHE STRING
    "Sanitizers for the whole build: a -fsanitize= list (e.g. address,undefined) or valgrind")
option(MACHGEN_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)

if(MACHGEN_SANITIZE STREQUAL "valgrind")
  find_program(MEMORYCHECK_COMMAND valgrind REQUIRED)
  # Criterion runs each test in a child process: follow it, but not into system
  # programs the tests start (the C preprocessor leaks by design). Definite leaks
  # and any memory error make the test fail.
  set(MEMORYCHECK_COMMAND_OPTIONS
      "--trace-children=yes --trace-children-skip=/usr/*,/bin/* --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite")
  include(CTest)
elseif(MACHGEN_SANITIZE)
  set(_mg_san_flags -fsanitize=${MACHGEN_SANITIZE} -fno-sanitize-recover=all
      -fno-omit-frame-pointer -g)
  # UBSan's alignment check stays on: MIG packs messages to 4 bytes, and generated
  # servers hand a routine an aligned copy of any 8-byte value that may sit at 4 mod 8.
  add_compile_options(${_mg_san_flags})
  add_link_options(-fsanitize=${MACHGEN_SANITIZE})
  # Leaks that are not machgen's: Criterion's runner keeps one allocation to exit.
  # Run the suite with LSAN_OPTIONS=suppressions=<build>/lsan.supp (.ci/run does).
  file(WRITE "${PROJECT_BINARY_DIR}/lsan.supp" "leak:libcriterion.so\n")
  message(STATUS "machgen: sanitizers ${MACHGEN_SANITIZE}; run tests with "
                 "LSAN_OPTIONS=suppressions=${PROJECT_BINARY_DIR}/lsan.supp")
endif()

if(MACHGEN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MACHGEN_FUZZ needs clang (configure with -DCMAKE_C_COMPILER=clang)")
  endif()
  # Coverage feedback from everything the fuzzers link (compiler, runtime, broker
  # code), not only from the fuzz targets themselves.
  add_compile_options(-fsanitize=fuzzer-no-link
    "-fsanitize-coverage-ignorelist=${PROJECT_SOURCE_DIR}/tests/fuzz/coverage-ignore.txt")
endif()
