/* Per-thread special reply port used by stubs generated with UseSpecialReplyPort. */
#ifndef MACHGEN_MACH_MACH_SYNC_IPC_H
#define MACHGEN_MACH_MACH_SYNC_IPC_H

#include <mach/mach.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The calling thread's special reply port, created on first use. */
extern mach_port_t mig_get_special_reply_port(void);
/* Destroys it (after a failed RPC); a different migport passed in is deallocated too. */
extern void mig_dealloc_special_reply_port(mach_port_t migport);

#ifdef __cplusplus
}
#endif

#endif
