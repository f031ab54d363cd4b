/* Everything the mach_debug interfaces (host, port and VM introspection) use. */
#ifndef MACHGEN_MACH_DEBUG_MACH_DEBUG_TYPES_H
#define MACHGEN_MACH_DEBUG_MACH_DEBUG_TYPES_H

#include <mach_debug/hash_info.h>
#include <mach_debug/ipc_info.h>
#include <mach_debug/lockgroup_info.h>
#include <mach_debug/page_info.h>
#include <mach_debug/vm_info.h>
#include <mach_debug/zone_info.h>

typedef char symtab_name_t[32];

#define KOBJECT_DESCRIPTION_LENGTH 512
typedef char kobject_description_t[KOBJECT_DESCRIPTION_LENGTH];

#endif
