# The broker executable of the Linux backend. It hosts the port core and is
# started on demand by the runtime library (see docs/linux-backend.md).
file(GLOB _broker_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/broker/*.c")
add_executable(machgen-broker ${_broker_sources} "${CMAKE_CURRENT_LIST_DIR}/wire.c")
file(GLOB _broker_core_sources CONFIGURE_DEPENDS "${MACHGEN_RUNTIME_DIR}/core/*.c")
target_sources(machgen-broker PRIVATE ${_broker_core_sources})
target_include_directories(machgen-broker PRIVATE "${MACHGEN_RUNTIME_DIR}"
                           "${MACHGEN_RUNTIME_DIR}/include")
target_compile_definitions(machgen-broker PRIVATE _GNU_SOURCE)
machgen_target_warnings(machgen-broker)
set_target_properties(machgen-broker PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      "${PROJECT_BINARY_DIR}/libexec")
install(TARGETS machgen-broker RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR})

# Code running from the build tree (tests, programs built in the same tree,
# also when machgen is a subproject) starts the broker
# built here; installed copies start <libexecdir>/machgen-broker. Building the
# library builds the broker so tests always run against a fresh one.
target_compile_definitions(machgen_runtime_objs PRIVATE
  MACHGEN_BROKER_BUILD_PATH="$<TARGET_FILE:machgen-broker>"
  MACHGEN_BUILD_TREE="${CMAKE_BINARY_DIR}")
add_dependencies(machgen_runtime machgen-broker)
add_dependencies(machgen_runtime_shared machgen-broker)
