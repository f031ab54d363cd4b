/* Mach boolean type and constants. */
#ifndef MACHGEN_MACH_BOOLEAN_H
#define MACHGEN_MACH_BOOLEAN_H

#include <mach/machine/boolean.h>

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#endif
