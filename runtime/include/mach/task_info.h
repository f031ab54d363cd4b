/* task_info argument types. */
#ifndef MACHGEN_MACH_TASK_INFO_H
#define MACHGEN_MACH_TASK_INFO_H

#include <stdint.h>
#include <mach/machine/vm_types.h>
#include <mach/policy.h>
#include <mach/vm_statistics.h>

typedef natural_t task_flavor_t;
typedef integer_t *task_info_t; /* flavor-dependent array of int */
#define TASK_INFO_MAX (1024)
typedef integer_t task_info_data_t[TASK_INFO_MAX];

typedef struct vm_purgeable_info task_purgable_info_t;

typedef uint32_t task_exc_guard_behavior_t;
typedef uint32_t task_corpse_forking_behavior_t;

#endif
