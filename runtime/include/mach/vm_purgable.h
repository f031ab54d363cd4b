/* Purgeable memory control (vm_purgable_control). */
#ifndef MACHGEN_MACH_VM_PURGABLE_H
#define MACHGEN_MACH_VM_PURGABLE_H

typedef int vm_purgable_t;

#define VM_PURGABLE_SET_STATE             ((vm_purgable_t)0)
#define VM_PURGABLE_GET_STATE             ((vm_purgable_t)1)
#define VM_PURGABLE_SET_STATE_FROM_KERNEL ((vm_purgable_t)3)

#endif
