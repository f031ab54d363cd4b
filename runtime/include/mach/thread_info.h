/* thread_info argument types. */
#ifndef MACHGEN_MACH_THREAD_INFO_H
#define MACHGEN_MACH_THREAD_INFO_H

#include <mach/machine/vm_types.h>

typedef natural_t thread_flavor_t;
typedef integer_t *thread_info_t; /* flavor-dependent array of int */
#define THREAD_INFO_MAX (32)
typedef integer_t thread_info_data_t[THREAD_INFO_MAX];

#endif
