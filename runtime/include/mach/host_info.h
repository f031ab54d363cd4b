/* host_info and host_statistics argument types. */
#ifndef MACHGEN_MACH_HOST_INFO_H
#define MACHGEN_MACH_HOST_INFO_H

#include <mach/machine/vm_types.h>

typedef integer_t *host_info_t;   /* flavor-dependent array of int */
typedef integer_t *host_info64_t;
#define HOST_INFO_MAX (1024)
typedef integer_t host_info_data_t[HOST_INFO_MAX];

#define KERNEL_VERSION_MAX (512)
typedef char kernel_version_t[KERNEL_VERSION_MAX];
#define KERNEL_BOOT_INFO_MAX (4096)
typedef char kernel_boot_info_t[KERNEL_BOOT_INFO_MAX];

typedef integer_t host_flavor_t;

#endif
