/* thread_policy_set/get argument types. */
#ifndef MACHGEN_MACH_THREAD_POLICY_H
#define MACHGEN_MACH_THREAD_POLICY_H

#include <mach/machine/vm_types.h>

typedef natural_t thread_policy_flavor_t;
typedef integer_t *thread_policy_t;

#endif
