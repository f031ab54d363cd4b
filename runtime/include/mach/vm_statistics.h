/* vm_allocate() flags (the subset of Darwin's vm_statistics.h user code relies on). */
#ifndef MACHGEN_MACH_VM_STATISTICS_H
#define MACHGEN_MACH_VM_STATISTICS_H

#include <stdint.h>

#define VM_FLAGS_FIXED              0x00000000
#define VM_FLAGS_ANYWHERE           0x00000001
#define VM_FLAGS_PURGABLE           0x00000002
#define VM_FLAGS_4GB_CHUNK          0x00000004
#define VM_FLAGS_RANDOM_ADDR        0x00000008
#define VM_FLAGS_NO_CACHE           0x00000010
#define VM_FLAGS_RESILIENT_CODESIGN 0x00000020
#define VM_FLAGS_RESILIENT_MEDIA    0x00000040
#define VM_FLAGS_PERMANENT          0x00000080
#define VM_FLAGS_OVERWRITE          0x00004000
#define VM_FLAGS_SUPERPAGE_MASK     0x00070000
#define VM_FLAGS_RETURN_DATA_ADDR   0x00100000
#define VM_FLAGS_RETURN_4K_DATA_ADDR 0x00800000
#define VM_FLAGS_ALIAS_MASK         0xFF000000

/* The top byte of the flags tags the allocation for memory accounting. */
#define VM_GET_FLAGS_ALIAS(flags, alias) ((alias) = (int)(((flags) >> 24) & 0xff))
#define VM_MAKE_TAG(tag)            ((tag) << 24)

/* Purgeable memory accounting (task_purgable_info): per queue, objects and bytes. */
typedef struct vm_purgeable_stat {
    uint64_t count;
    uint64_t size;
} vm_purgeable_stat_t;

struct vm_purgeable_info {
    vm_purgeable_stat_t fifo_data[8];
    vm_purgeable_stat_t obsolete_data;
    vm_purgeable_stat_t lifo_data[8];
};
typedef struct vm_purgeable_info *vm_purgeable_info_t;

#endif
