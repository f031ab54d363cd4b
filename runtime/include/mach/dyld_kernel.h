/* Image information dyld registers with the kernel (task_register_dyld_*). */
#ifndef MACHGEN_MACH_DYLD_KERNEL_H
#define MACHGEN_MACH_DYLD_KERNEL_H

#include <stdint.h>
#include <mach/std_types.h>

/* fsid_t is two 32-bit integers on Darwin and in glibc; glibc hides the name in
 * strict C modes, so the same type is named here (an identical typedef is allowed). */
#if defined(__GLIBC__) /* known once <stdint.h> is in */
#include <sys/types.h>
typedef __fsid_t fsid_t;
#elif !defined(__APPLE__)
typedef struct fsid {
    int32_t val[2];
} fsid_t;
#endif

#ifndef MACHGEN_HAVE_FSOBJ_ID_T
#define MACHGEN_HAVE_FSOBJ_ID_T
typedef struct fsobj_id {
    uint32_t fid_objno;
    uint32_t fid_generation;
} fsobj_id_t;
#endif

struct dyld_kernel_image_info {
    uuid_t uuid;
    fsobj_id_t fsobjid;
    fsid_t fsid;
    uint64_t load_addr;
};

struct dyld_kernel_process_info {
    struct dyld_kernel_image_info cache_image_info;
    uint64_t timestamp;
    uint32_t imageCount;
    uint32_t initialImageCount;
    uint8_t dyldState;
    boolean_t no_cache;
    boolean_t private_cache;
};

typedef struct dyld_kernel_image_info dyld_kernel_image_info_t;
typedef struct dyld_kernel_process_info dyld_kernel_process_info_t;
typedef dyld_kernel_image_info_t *dyld_kernel_image_info_array_t;

#endif
