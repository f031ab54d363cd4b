/* Kernel module identifiers as the host interfaces carry them. */
#ifndef MACHGEN_MACH_KMOD_H
#define MACHGEN_MACH_KMOD_H

typedef int kmod_t;
typedef void *kmod_args_t;
typedef int kmod_control_flavor_t;

#endif
