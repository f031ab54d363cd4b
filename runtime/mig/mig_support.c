/* NDR_record and the allocation helpers MIG stubs call (the string copies are
 * in mig_strings.c). */
#include "platform.h"

#if !MACHGEN_SYSTEM_HAS_MIG_SUPPORT

#include <stddef.h>

/* Little-endian, ASCII, IEEE floats: the only representation machgen speaks. */
NDR_record_t NDR_record = {
	0,                     /* mig_vers */
	0,                     /* if_vers */
	0,                     /* reserved1 */
	0,                     /* mig_encoding */
	NDR_INT_LITTLE_ENDIAN, /* int_rep */
	NDR_CHAR_ASCII,        /* char_rep */
	NDR_FLOAT_IEEE,        /* float_rep */
	0,                     /* reserved2 */
};

void mig_allocate(vm_address_t *addr, vm_size_t size)
{
	if (vm_allocate(mach_task_self(), addr, size, VM_FLAGS_ANYWHERE) != KERN_SUCCESS)
		*addr = 0;
}

void mig_deallocate(vm_address_t addr, vm_size_t size)
{
	(void)vm_deallocate(mach_task_self(), addr, size);
}

#endif
