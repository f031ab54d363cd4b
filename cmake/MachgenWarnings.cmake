# Warning flags shared by every target machgen builds for itself.
# machgen_target_warnings(<target>) turns them on; MACHGEN_WERROR (on in CI) makes them fatal.
function(machgen_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter)
  if(MACHGEN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
