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

/* mach_vm_range_create: address ranges and the flavor of their recipes. */
typedef struct mach_vm_range {
    mach_vm_offset_t min_address;
    mach_vm_offset_t max_address;
} *mach_vm_range_t;

typedef uint32_t mach_vm_range_flavor_t;
enum {
    MACH_VM_RANGE_FLAVOR_INVALID,
    MACH_VM_RANGE_FLAVOR_V1,
};
#define MACH_VM_RANGE_FLAVOR_DEFAULT MACH_VM_RANGE_FLAVOR_V1
typedef uint8_t *mach_vm_range_recipes_raw_t;

#endif
