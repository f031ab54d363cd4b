/* Types of the resource-violation notifications (resource_notify.defs). */
#ifndef MACHGEN_MACH_RESOURCE_MONITORS_H
#define MACHGEN_MACH_RESOURCE_MONITORS_H

#include <stdint.h>

typedef uint64_t resource_notify_flags_t;
#define kRNFlagsNone          0
#define kRNFatalLimitFlag     (1ULL << 32)
#define kCPUTriggerFatalFlag  kRNFatalLimitFlag

#ifndef MAXCOMLEN
#define MAXCOMLEN 16
#endif
typedef char command_t[16 + 1];
typedef char proc_name_t[2 * 16 + 1];
typedef char posix_path_t[1024]; /* Darwin's PATH_MAX */

#endif
