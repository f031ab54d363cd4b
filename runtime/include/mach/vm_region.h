/* vm_region / mach_vm_region argument types (flavor-dependent arrays of int). */
#ifndef MACHGEN_MACH_VM_REGION_H
#define MACHGEN_MACH_VM_REGION_H

#include <stdint.h>
#include <mach/vm_types.h>

typedef uint32_t vm32_object_id_t;

#define VM_REGION_INFO_MAX (1024)
typedef int *vm_region_info_t;
typedef int *vm_region_info_64_t;
typedef int *vm_region_recurse_info_t;
typedef int *vm_region_recurse_info_64_t;
typedef int vm_region_flavor_t;
typedef int vm_region_info_data_t[VM_REGION_INFO_MAX];

typedef int *vm_page_info_t;
typedef int vm_page_info_flavor_t;

/* Address ranges for mach_vm_read_list / vm_read_list. */
struct mach_vm_read_entry {
    mach_vm_address_t address;
    mach_vm_size_t size;
};
struct vm_read_entry {
    vm_address_t address;
    vm_size_t size;
};
/* Kernel-internal on Darwin (the 32-bit legacy calls); named here so a
 * user-space build of vm32_map's stubs compiles. */
struct vm32_read_entry {
    vm32_address_t address;
    vm32_size_t size;
};
#define VM_MAP_ENTRY_MAX (256)
typedef struct mach_vm_read_entry mach_vm_read_entry_t[VM_MAP_ENTRY_MAX];
typedef struct vm_read_entry vm_read_entry_t[VM_MAP_ENTRY_MAX];
typedef struct vm32_read_entry vm32_read_entry_t[VM_MAP_ENTRY_MAX];

#endif
