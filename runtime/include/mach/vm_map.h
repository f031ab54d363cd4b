/* Task address-space calls (the vm_allocate/vm_deallocate subset). */
#ifndef MACHGEN_MACH_VM_MAP_H
#define MACHGEN_MACH_VM_MAP_H

#include <mach/std_types.h>
#include <mach/mach_types.h>
#include <mach/vm_statistics.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Allocates zero-filled, page-aligned memory (VM_FLAGS_ANYWHERE or a fixed address). */
extern kern_return_t vm_allocate(vm_map_t target_task, vm_address_t *address,
                                 vm_size_t size, int flags);
/* Releases whole pages covering [address, address + size). */
extern kern_return_t vm_deallocate(vm_map_t target_task, vm_address_t address,
                                   vm_size_t size);

#ifdef __cplusplus
}
#endif

#endif
