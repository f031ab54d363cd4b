/*
 * The one place where the portable MIG support learns which platform it is
 * built for. Everything else in runtime/mig/ is written against the public
 * Darwin Mach API only.
 */
#ifndef MACHGEN_MIG_PLATFORM_H
#define MACHGEN_MIG_PLATFORM_H

#include <mach/mach.h>
#include <servers/bootstrap.h>
#include <stddef.h>

/*
 * On Darwin libsystem already provides the MIG support routines
 * (mig_get_reply_port, mach_msg_server, mach_msg_destroy, NDR_record,
 * mach_error_string, ...); defining them again would shadow the system's.
 * Files implementing those routines compile to nothing there.
 */
#if defined(__APPLE__) && defined(__MACH__)
#define MACHGEN_SYSTEM_HAS_MIG_SUPPORT 1
#else
#define MACHGEN_SYSTEM_HAS_MIG_SUPPORT 0
#endif

/* Page size used to round server buffers, as Darwin's serve loop does. */
#define MACHGEN_MIG_PAGE_SIZE ((mach_msg_size_t)4096)

static inline mach_msg_size_t machgen_round_page(mach_msg_size_t n)
{
	return (n + MACHGEN_MIG_PAGE_SIZE - 1) & ~(MACHGEN_MIG_PAGE_SIZE - 1);
}

#endif
