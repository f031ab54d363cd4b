/* The basic types every Mach interface uses. */
#ifndef MACHGEN_MACH_STD_TYPES_H
#define MACHGEN_MACH_STD_TYPES_H

#include <stdint.h>
#include <mach/boolean.h>
#include <mach/kern_return.h>
#include <mach/port.h>
#include <mach/vm_types.h>

/* Darwin exposes uuid_t here; the definition matches libuuid's, so both may be seen. */
typedef unsigned char uuid_t[16];

#endif
