/* Compile-only: the LP64 ABI assertions, for cross-compiled targets (see CMakeLists.txt). */
#include "abi_asserts.h"
