/* processor_info and processor_set_info argument types. */
#ifndef MACHGEN_MACH_PROCESSOR_INFO_H
#define MACHGEN_MACH_PROCESSOR_INFO_H

#include <mach/machine/vm_types.h>

typedef integer_t *processor_info_t;
typedef integer_t *processor_info_array_t;
#define PROCESSOR_INFO_MAX (1024)
typedef integer_t processor_info_data_t[PROCESSOR_INFO_MAX];

typedef integer_t *processor_set_info_t;
#define PROCESSOR_SET_INFO_MAX (1024)
typedef integer_t processor_set_info_data_t[PROCESSOR_SET_INFO_MAX];

typedef int processor_flavor_t;
typedef int processor_set_flavor_t;

#endif
