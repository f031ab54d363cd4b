/* Mach traps exposed to user space. */
#ifndef MACHGEN_MACH_MACH_TRAPS_H
#define MACHGEN_MACH_MACH_TRAPS_H

#include <mach/std_types.h>
#include <mach/mach_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Allocates a fresh receive right to receive RPC replies on. */
extern mach_port_name_t mach_reply_port(void);
extern mach_port_name_t task_self_trap(void);

#ifdef __cplusplus
}
#endif

#endif
