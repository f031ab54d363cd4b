/* Scheduling policy arguments (opaque integer arrays on the wire). */
#ifndef MACHGEN_MACH_POLICY_H
#define MACHGEN_MACH_POLICY_H

#include <mach/machine/vm_types.h>

typedef int policy_t;
typedef integer_t *policy_info_t;
typedef integer_t *policy_base_t;
typedef integer_t *policy_limit_t;

#endif
