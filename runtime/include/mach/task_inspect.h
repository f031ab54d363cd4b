/* task_inspect argument types. */
#ifndef MACHGEN_MACH_TASK_INSPECT_H
#define MACHGEN_MACH_TASK_INSPECT_H

#include <mach/machine/vm_types.h>

typedef natural_t task_inspect_flavor_t;
typedef integer_t *task_inspect_info_t;

#endif
