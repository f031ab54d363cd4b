/* Memory object types as user space sees them: the objects themselves are ports. */
#ifndef MACHGEN_MACH_MEMORY_OBJECT_TYPES_H
#define MACHGEN_MACH_MEMORY_OBJECT_TYPES_H

#include <mach/machine/vm_types.h>
#include <mach/port.h>

typedef unsigned long long memory_object_offset_t;
typedef unsigned long long memory_object_size_t;
typedef natural_t memory_object_cluster_size_t;
typedef natural_t *memory_object_fault_info_t;
typedef unsigned long long vm_object_id_t;

typedef mach_port_t memory_object_t;
typedef mach_port_t memory_object_control_t;
typedef memory_object_t *memory_object_array_t;
typedef mach_port_t memory_object_name_t;
typedef mach_port_t memory_object_default_t;

#define MEMORY_OBJECT_NULL         ((memory_object_t)0)
#define MEMORY_OBJECT_CONTROL_NULL ((memory_object_control_t)0)
#define MEMORY_OBJECT_NAME_NULL    ((memory_object_name_t)0)
#define MEMORY_OBJECT_DEFAULT_NULL ((memory_object_default_t)0)

typedef int memory_object_copy_strategy_t;
typedef int memory_object_return_t;

#define MEMORY_OBJECT_INFO_MAX (1024)
typedef int *memory_object_info_t;
typedef int memory_object_flavor_t;
typedef int memory_object_info_data_t[MEMORY_OBJECT_INFO_MAX];

#endif
