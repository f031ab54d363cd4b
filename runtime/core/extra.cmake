# The port core also as a standalone static library, so its unit tests (and
# any in-process host) link it without the Linux backend.
file(GLOB _mgc_core_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/core/*.c")
add_library(machgen_port_core STATIC ${_mgc_core_sources})
set_target_properties(machgen_port_core PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(machgen_port_core PUBLIC
  "${CMAKE_CURRENT_SOURCE_DIR}/core" "${CMAKE_CURRENT_SOURCE_DIR}/include")
machgen_target_warnings(machgen_port_core)
