/* Virtual-memory related types visible to user space. */
#ifndef MACHGEN_MACH_VM_TYPES_H
#define MACHGEN_MACH_VM_TYPES_H

#include <stdint.h>
#include <mach/machine/vm_types.h>
#include <mach/port.h>

typedef vm_offset_t pointer_t;
typedef vm_offset_t vm_address_t;

typedef uint64_t addr64_t;
typedef uint32_t reg64_t;
typedef uint32_t ppnum_t;

/* In user space a task's address map is named by its task port. */
typedef mach_port_t vm_map_t;
typedef mach_port_t vm_map_read_t;
typedef mach_port_t vm_map_inspect_t;

#define VM_MAP_NULL         ((vm_map_t)0)
#define VM_MAP_INSPECT_NULL ((vm_map_inspect_t)0)
#define VM_MAP_READ_NULL    ((vm_map_read_t)0)

#endif
