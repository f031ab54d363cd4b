/* Page address lists returned by the VM debugging calls. */
#ifndef MACHGEN_MACH_DEBUG_PAGE_INFO_H
#define MACHGEN_MACH_DEBUG_PAGE_INFO_H

#include <mach/machine/vm_types.h>

typedef vm_offset_t *page_address_array_t;

#endif
