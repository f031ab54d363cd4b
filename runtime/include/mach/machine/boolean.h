/* boolean_t as the Darwin ABI of the host architecture defines it. */
#ifndef MACHGEN_MACH_MACHINE_BOOLEAN_H
#define MACHGEN_MACH_MACHINE_BOOLEAN_H

/* Darwin's x86_64 user ABI uses unsigned int; every other Darwin ABI uses int. */
#if defined(__x86_64__)
typedef unsigned int boolean_t;
#else
typedef int boolean_t;
#endif

#endif
